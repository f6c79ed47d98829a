import { patternText } from '../model/pattern';
import { FixContext, fixContext, Rename, tagFixFor } from '../fix/tagfix';
import { TAG_FIX_TITLE } from '../protocol';
import type { KeyUse } from '../model/keyuse';
import { LineMap } from '../index/scan';
import type { CheckResult } from '../index/check';
import type { Finding } from '../rules';
import { Lazy } from './stream';

/** The stable JSON of `keyslot map` / `keyslot check` (design.md, version 1). */
export interface MapJson {
  version: 1;
  root: string;
  files: number;
  keys: KeyJson[];
  groups: GroupJson[];
  diagnostics: DiagnosticJson[];
}

export interface DiagnosticJson {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
  related: { file: string; line: number; column: number; message: string }[];
  /** the entity-tag fix keyslot offers in the editor (crossslot, crossslot-possible, pipeline-cross-node) */
  fix?: FixJson;
  /** why that fix is not offered */
  noFix?: string;
}

export interface FixJson {
  title: string;
  /** insertions, at 1-based positions of the unchanged text */
  edits: { file: string; line: number; column: number; text: string }[];
  renames: Rename[];
}

export interface KeyJson {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  language: string;
  command: string;
  access: string;
  pattern: string;
  tag: string | null;
  slot: number | null;
  client: string;
  library: string;
  group: string | null;
  /** where the client sends reads: primary, replica or maybe-replica */
  reads: string;
}

export interface GroupJson {
  id: string;
  kind: string;
  file: string;
  line: number;
  column: number;
  library: string;
  command?: string;
  parent?: string;
  sameSlot: 'yes' | 'no' | 'unknown';
  /** what the library needs of the keys: one slot, one node, nothing (split per node), or split per slot by the library */
  need: 'slot' | 'node' | 'split' | 'none';
  /** one sentence on why sameSlot is what it is */
  reason: string;
  splitByClient?: boolean;
}

/** Line and column lookups per file, built on first use. */
export class Positions {
  private maps = new Map<string, LineMap>();
  constructor(private texts: Map<string, string>) {}
  at(file: string, offset: number): { line: number; column: number } {
    let m = this.maps.get(file);
    if (!m) this.maps.set(file, (m = new LineMap(this.texts.get(file) ?? '')));
    return m.position(offset);
  }
  /** The text of the line that `offset` is on, without its line break. */
  lineText(file: string, offset: number): string {
    const text = this.texts.get(file) ?? '';
    const end = text.indexOf('\n', offset);
    return text.slice(text.lastIndexOf('\n', offset - 1) + 1, end < 0 ? text.length : end).replace(/\r$/, '');
  }
}

/** `file`, 1-based `line`/`column` and `endLine`/`endColumn` of a span: the location fields of keys and diagnostics. */
function locationJson(pos: Positions, file: string, span: { start: number; end: number }) {
  const s = pos.at(file, span.start);
  const e = pos.at(file, span.end);
  return { file, line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}

export function toJson(r: CheckResult): MapJson {
  const pos = new Positions(r.texts);
  return jsonParts(r, pos, sortUses(r.uses).map((u) => keyJson(u, pos)));
}

/** The JSON of toJson, with the keys made one at a time as they are written (see writeJson). */
export function toJsonStream(r: CheckResult): object {
  const pos = new Positions(r.texts);
  const sorted = sortUses(r.uses);
  return jsonParts(r, pos, new Lazy((function* () {
    for (const u of sorted) yield keyJson(u, pos);
  })()));
}

function keyJson(u: KeyUse, pos: Positions): KeyJson {
  // Object.assign rather than a spread: spreading into 100,000s of literals takes V8's slow path
  return Object.assign(locationJson(pos, u.file, u.span), {
    language: u.language,
    command: u.command.toUpperCase(),
    access: u.access,
    pattern: patternText(u.pattern),
    tag: u.hash.tag ? patternText(u.hash.tag) : null,
    slot: u.hash.slot,
    client: u.client,
    library: u.library,
    group: u.group,
    reads: u.routing.reads,
  });
}

function jsonParts<K>(r: CheckResult, pos: Positions, keys: K): Omit<MapJson, 'keys'> & { keys: K } {
  const groups = r.groups
    .map((g): GroupJson => {
      const p = pos.at(g.file, g.span.start);
      const v = r.verdicts.get(g.id)!;
      return {
        id: g.id,
        kind: g.kind,
        file: g.file,
        line: p.line,
        column: p.column,
        library: g.library,
        command: g.command?.toUpperCase(),
        parent: g.parent,
        sameSlot: v.sameSlot,
        need: v.requirement.need,
        reason: v.reason,
        splitByClient: v.requirement.need === 'split' || undefined,
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const fixOf = fixer(r, pos);
  const diagnostics = r.findings.map((f) => diagnosticJson(f, pos, fixOf(f)));
  return { version: 1, root: r.root, files: r.files.length, keys, groups, diagnostics };
}

export function diagnosticJson(f: Finding, pos: Positions, fix?: Pick<DiagnosticJson, 'fix' | 'noFix'>): DiagnosticJson {
  return Object.assign(
    locationJson(pos, f.file, f.span),
    {
      severity: f.severity,
      code: f.code,
      message: f.message,
      related: f.related.map((x) => {
        const p = pos.at(x.file, x.span.start);
        return { file: x.file, line: p.line, column: p.column, message: x.message };
      }),
    },
    fix,
  );
}

const FIXABLE = /^(crossslot|crossslot-possible|pipeline-cross-node)$/;

/** The tag fix of each finding that can have one, as the editor would offer it (fix/tagfix.ts). */
function fixer(r: CheckResult, pos: Positions): (f: Finding) => Pick<DiagnosticJson, 'fix' | 'noFix'> | undefined {
  let ctx: FixContext | undefined;
  return (f) => {
    const v = f.group && FIXABLE.test(f.code) ? r.verdicts.get(f.group) : undefined;
    if (!v) return undefined;
    ctx ??= fixContext(r.uses, () => [...r.verdicts.values()].map((x) => x.members), (file) => r.texts.get(file), undefined, r.tagRule);
    const res = tagFixFor(v.members, ctx);
    if ('reason' in res) return { noFix: res.reason };
    const edits = res.fix.edits.map((e) => ({ file: e.file, ...pos.at(e.file, e.start), text: e.text }));
    return { fix: { title: `${TAG_FIX_TITLE}{${res.fix.tag}}`, edits, renames: res.fix.renames } };
  };
}

export function sortUses(uses: KeyUse[]): KeyUse[] {
  return [...uses].sort((a, b) => a.file.localeCompare(b.file) || a.span.start - b.span.start);
}
