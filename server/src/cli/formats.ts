import type { CheckResult } from '../index/check';
import { docsUrl, Finding } from '../rules';
import { fingerprintOf } from './baseline';
import { Positions } from './output';

/*
 * The review and CI formats of `keyslot check`, each in its tool's documented shape:
 * - `github`: workflow commands (`::error file=…,line=…::message`), which GitHub Actions turns into
 *   annotations on the pull request;
 * - `rdjson`: reviewdog's Diagnostic Format (one JSON document), for review comments;
 * - `gitlab`: GitLab's Code Quality report (a JSON array of issues);
 * - `junit`: JUnit XML, one test case per finding (or one passing case when there are none).
 */

interface Located {
  f: Finding;
  start: { line: number; column: number };
  end: { line: number; column: number };
}

function located(r: CheckResult): Located[] {
  const pos = new Positions(r.texts);
  return r.findings.map((f) => ({ f, start: pos.at(f.file, f.span.start), end: pos.at(f.file, f.span.end) }));
}

/** GitHub workflow commands: properties escape `%`, CR, LF, `:` and `,`; the message `%`, CR and LF. */
export function toGithub(r: CheckResult): string {
  const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const LEVEL = { error: 'error', warning: 'warning', info: 'notice' } as const;
  return located(r)
    .map(({ f, start, end }) => `::${LEVEL[f.severity]} file=${prop(f.file)},line=${start.line},col=${start.column},endLine=${end.line},endColumn=${end.column},title=${prop(`keyslot ${f.code}`)}::${data(f.message)}\n`)
    .join('');
}

/** reviewdog Diagnostic Format (rdjson): 1-based lines and columns. */
export function toRdjson(r: CheckResult): object {
  const pos = new Positions(r.texts);
  const SEVERITY = { error: 'ERROR', warning: 'WARNING', info: 'INFO' } as const;
  return {
    source: { name: 'keyslot', url: 'https://github.com/keyslot/keyslot' },
    severity: 'ERROR',
    diagnostics: located(r).map(({ f, start, end }) => ({
      message: f.message,
      location: { path: f.file, range: { start, end } },
      severity: SEVERITY[f.severity],
      code: { value: f.code, url: docsUrl(f.code) },
      related_locations: f.related.map((x) => ({ message: x.message, location: { path: x.file, range: { start: pos.at(x.file, x.span.start) } } })),
    })),
  };
}

/** GitLab Code Quality: severity info | minor | major | critical | blocker, a stable fingerprint per issue. */
export function toGitlab(r: CheckResult): object[] {
  const pos = new Positions(r.texts);
  const SEVERITY = { error: 'major', warning: 'minor', info: 'info' } as const;
  const seen = new Map<string, number>();
  return located(r).map(({ f, start }) => {
    // the same finding twice on one line (two keys of one call) still needs two fingerprints
    const base = fingerprintOf(f, pos.lineText(f.file, f.span.start));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return {
      description: f.message,
      check_name: f.code,
      fingerprint: n ? `${base}-${n}` : base,
      severity: SEVERITY[f.severity],
      location: { path: f.file, lines: { begin: start.line } },
    };
  });
}

/** JUnit XML: one failing test case per finding; a clean run is one passing case. */
export function toJunit(r: CheckResult): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const all = located(r);
  const cases = all.length
    ? all.map(({ f, start }) => `    <testcase classname="${esc(f.file)}" name="${esc(`${f.code} ${f.file}:${start.line}:${start.column}`)}">\n      <failure type="${esc(f.code)}" message="${esc(f.message)}">${esc(`${f.severity}: ${f.message}\n${docsUrl(f.code)}`)}</failure>\n    </testcase>`)
    : ['    <testcase classname="keyslot" name="keyslot check"/>'];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="keyslot" tests="${cases.length}" failures="${all.length}">\n  <testsuite name="keyslot check" tests="${cases.length}" failures="${all.length}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
