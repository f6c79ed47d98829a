import * as path from 'path';
import type { KeyUse } from '../../server/src/model/keyuse';
import { patternText } from '../../server/src/model/pattern';
import { LineMap } from '../../server/src/index/scan';

/** Key uses as `File.ext:line` → sorted `COMMAND pattern` lines, to compare with what a reader expects of a fixture. */
export function usesByLine(uses: readonly KeyUse[], texts: Map<string, string>, keep: (u: KeyUse) => boolean = () => true): Record<string, string[]> {
  const got: Record<string, string[]> = {};
  for (const u of uses) {
    if (!keep(u)) continue;
    const line = new LineMap(texts.get(u.file)!).position(u.span.start).line;
    (got[`${path.basename(u.file)}:${line}`] ??= []).push(`${u.command.toUpperCase()} ${patternText(u.pattern)}`);
  }
  for (const k of Object.keys(got)) got[k].sort();
  return got;
}
