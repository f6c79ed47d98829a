import type { Target } from '../protocol';
import type { Library } from '../clients/profiles';
import type { DeclaredVersion } from '../index/manifests';
import type { Group, KeyUse } from '../model/keyuse';
import type { Topology } from '../model/topology';

/** What every rule reads: the analysed workspace and the settings that shape judgement. */
export interface RuleContext {
  uses: KeyUse[];
  groups: Group[];
  topology: Topology;
  /** the library version the project declares for a file, if any */
  versionOf(file: string, library: Library): DeclaredVersion | null;
  /** a tag used by more distinct key patterns than this is a hotspot */
  hotTagThreshold: number;
  /** the deployment: which groups must share a slot */
  target: Target;
}
