import * as fs from 'fs';
import { createHash } from 'crypto';
import type { Finding } from '../rules';

/*
 * `keyslot check --baseline FILE` / `--write-baseline FILE`: adopt keyslot on a big repository and
 * gate only new problems. A finding is keyed like the SARIF partial fingerprint (code, file, the
 * text of its first line, not the line number), so edits above it keep it matched; the count per
 * key makes two identical lines two entries, and a third copy a new finding.
 */

export const BASELINE_FORMAT = 'keyslot-baseline';

interface BaselineEntry {
  fingerprint: string;
  code: string;
  file: string;
  /** for a reader of the file; matching ignores it */
  line: number;
  message: string;
}

export interface BaselineFile {
  format: typeof BASELINE_FORMAT;
  version: 1;
  findings: BaselineEntry[];
}

export class BaselineError extends Error {}

/** The key of a finding; `lineText` is the text of the line it starts on. */
export function fingerprintOf(f: Pick<Finding, 'code' | 'file'>, lineText: string): string {
  return createHash('sha256').update(`${f.code}\0${f.file}\0${lineText.trim()}`).digest('hex').slice(0, 32);
}

export type Located = { finding: Finding; line: number; lineText: string };

export function writeBaseline(file: string, findings: Located[]): void {
  const entries = findings
    .map(({ finding: f, line, lineText }): BaselineEntry => ({ fingerprint: fingerprintOf(f, lineText), code: f.code, file: f.file, line, message: f.message }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)));
  const doc: BaselineFile = { format: BASELINE_FORMAT, version: 1, findings: entries };
  // one entry per line: a reviewer reads the baseline's diff like a changelog of accepted findings
  const body = entries.map((e) => '    ' + JSON.stringify(e)).join(',\n');
  const text = `{\n  "format": ${JSON.stringify(doc.format)},\n  "version": ${doc.version},\n  "findings": [${entries.length ? `\n${body}\n  ` : ''}]\n}\n`;
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    throw new BaselineError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

export function readBaseline(file: string): BaselineFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new BaselineError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (make one with --write-baseline)' : (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`${file} is not JSON: ${(e as Error).message}`);
  }
  const d = doc as Partial<BaselineFile>;
  if (!d || typeof d !== 'object' || d.format !== BASELINE_FORMAT) throw new BaselineError(`${file} is not a keyslot baseline (no "format": "${BASELINE_FORMAT}")`);
  if (d.version !== 1) throw new BaselineError(`${file} has baseline version ${JSON.stringify(d.version)}; this keyslot reads version 1`);
  if (!Array.isArray(d.findings)) throw new BaselineError(`${file}: "findings" must be a list`);
  d.findings.forEach((e, i) => {
    if (!e || typeof e.fingerprint !== 'string') throw new BaselineError(`${file}: finding ${i + 1} has no "fingerprint"`);
  });
  return d as BaselineFile;
}

/** The findings not in the baseline, and how many baseline entries matched nothing (fixed since). */
export function subtractBaseline(findings: Located[], baseline: BaselineFile): { fresh: Finding[]; matched: number; stale: number } {
  const left = new Map<string, number>();
  for (const e of baseline.findings) left.set(e.fingerprint, (left.get(e.fingerprint) ?? 0) + 1);
  const fresh: Finding[] = [];
  let matched = 0;
  for (const x of findings) {
    const key = fingerprintOf(x.finding, x.lineText);
    const n = left.get(key) ?? 0;
    if (n > 0) {
      left.set(key, n - 1);
      matched++;
    } else fresh.push(x.finding);
  }
  let stale = 0;
  for (const n of left.values()) stale += n;
  return { fresh, matched, stale };
}
