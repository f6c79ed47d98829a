import type { Library } from '../clients/profiles';
import { KeyslotSettings, tagRuleOf } from '../protocol';
import type { TagRule } from '../model/hashtag';
import { runRules, RuleResult } from '../rules';
import { testsOf, topologyOf } from './config';
import { DeclaredVersion, Manifests } from './manifests';
import { scan, ScanResult } from './scan';
import { trace } from './trace';
import { collectGarbage } from './gc';

/** Files from which a scan's dead facts are worth a full collection. */
const LARGE_SCAN = 5000;

export interface CheckResult extends ScanResult, RuleResult {
  /** how the deployment finds the hashed part of a key (the tag fix needs Redis's `{…}`) */
  tagRule?: TagRule;
}

/** The whole batch pipeline of `keyslot map` / `keyslot check`: scan a folder, then judge it. */
export async function checkFolder(root: string, paths: string[], settings: KeyslotSettings, extra: { excludes?: string[]; clientNames?: string[]; overlay?: Map<string, string> } = {}): Promise<CheckResult> {
  const topology = topologyOf(settings.topology);
  const r = await scan(root, paths, {
    excludes: [...settings.exclude, ...(extra.excludes ?? [])],
    extraClientNames: [...settings.clients.extraNames, ...(extra.clientNames ?? [])],
    replicaClients: settings.replicaClients,
    tagRule: tagRuleOf(settings),
    overlay: extra.overlay,
  });
  // the facts the scan built are garbage now: collected before the rules and the output add to the heap
  if (r.files.length >= LARGE_SCAN) collectGarbage();
  const manifests = new Manifests(root);
  const rules = runRules(r.uses, r.groups, {
    topology,
    versionOf: (file: string, library: Library): DeclaredVersion | null => manifests.versionOf(file, library),
    hotTagThreshold: settings.hotTag.threshold,
    target: settings.target,
    tagRule: tagRuleOf(settings),
    severity: settings.severity,
    tests: testsOf(settings),
    scripts: r.scripts,
    waits: r.waits,
    flowCalls: r.flowCalls,
    textOf: (file) => r.texts.get(file),
  });
  trace('rules');
  return { ...r, ...rules, tagRule: tagRuleOf(settings) };
}
