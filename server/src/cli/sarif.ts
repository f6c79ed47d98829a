import * as path from 'path';
import type { CheckResult } from '../index/check';
import { CODES, Code, docsUrl, Finding } from '../rules';
import { Positions } from './output';
import { Lazy } from './stream';
import { fingerprintOf } from './baseline';

/*
 * SARIF 2.1.0 for GitHub code scanning: relative URIs under %SRCROOT%, one rule per code with
 * descriptions and help, and a partial fingerprint per result so alerts stay the same across
 * runs when lines move (hash of the code, the file and the line's text, not its number).
 */
const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** `lazy`: results made one at a time as writeJson writes them. */
export function toSarif(r: CheckResult, version: string, lazy = false): object {
  const pos = new Positions(r.texts);
  const codes = Object.keys(CODES) as Code[];
  const rules = codes.map((id) => ({
    id,
    name: id.replace(/(^|-)(\w)/g, (_, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: CODES[id].summary },
    fullDescription: { text: CODES[id].summary },
    help: { text: `${CODES[id].summary} Silence one place with a comment \`keyslot-ignore ${id}\` on the line or the line above.`, markdown: `${CODES[id].summary}\n\nSilence one place with a comment \`keyslot-ignore ${id}\` on the line or the line above. See [${id}](${docsUrl(id)}).` },
    helpUri: docsUrl(id),
    defaultConfiguration: { level: LEVEL[CODES[id].severity] },
    properties: { tags: ['redis', 'redis-cluster'], precision: id.endsWith('-possible') ? 'medium' : 'high' },
  }));
  const results = lazy
    ? new Lazy((function* () {
        for (const f of r.findings) yield result(f, pos, codes);
      })())
    : r.findings.map((f) => result(f, pos, codes));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'keyslot', version, semanticVersion: version, informationUri: 'https://github.com/keyslot/keyslot', rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileUri(r.root) } },
        results,
      },
    ],
  };
}

function result(f: Finding, pos: Positions, codes: Code[]) {
  const s = pos.at(f.file, f.span.start);
  const e = pos.at(f.file, f.span.end);
  return {
    ruleId: f.code,
    ruleIndex: codes.indexOf(f.code),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: uri(f.file), uriBaseId: '%SRCROOT%' }, region: { startLine: s.line, startColumn: s.column, endLine: e.line, endColumn: e.column } } }],
    relatedLocations: f.related.slice(0, 1000).map((x, i) => {
      const p = pos.at(x.file, x.span.start);
      return { id: i + 1, message: { text: x.message }, physicalLocation: { artifactLocation: { uri: uri(x.file), uriBaseId: '%SRCROOT%' }, region: { startLine: p.line, startColumn: p.column } } };
    }),
    partialFingerprints: { primaryLocationLineHash: fingerprintOf(f, pos.lineText(f.file, f.span.start)) },
  };
}

function uri(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}

function pathToFileUri(dir: string): string {
  const abs = path.resolve(dir).split(path.sep).map(encodeURIComponent).join('/');
  return `file://${abs.startsWith('/') ? '' : '/'}${abs}/`;
}
