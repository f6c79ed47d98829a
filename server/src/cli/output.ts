import { patternText } from '../model/pattern';
import type { Group, KeyUse } from '../model/keyuse';
import { LineMap, ScanResult } from '../index/scan';

/** The stable JSON of `keyslot map` / `keyslot check` (design.md, version 1). */
export interface MapJson {
  version: 1;
  root: string;
  files: number;
  keys: KeyJson[];
  groups: GroupJson[];
  diagnostics: unknown[];
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
  splitByClient?: boolean;
}

export function toJson(r: ScanResult): MapJson {
  const maps = new Map<string, LineMap>();
  const lm = (file: string) => {
    let m = maps.get(file);
    if (!m) maps.set(file, (m = new LineMap(r.texts.get(file) ?? '')));
    return m;
  };
  const keys = sortUses(r.uses).map((u): KeyJson => {
    const s = lm(u.file).position(u.span.start);
    const e = lm(u.file).position(u.span.end);
    return {
      file: u.file,
      line: s.line,
      column: s.column,
      endLine: e.line,
      endColumn: e.column,
      language: u.language,
      command: u.command.toUpperCase(),
      access: u.access,
      pattern: patternText(u.pattern),
      tag: u.hash.tag ? patternText(u.hash.tag) : null,
      slot: u.hash.slot,
      client: u.client,
      library: u.library,
      group: u.group,
    };
  });
  const groups = r.groups
    .map((g): GroupJson => {
      const p = lm(g.file).position(g.span.start);
      return {
        id: g.id,
        kind: g.kind,
        file: g.file,
        line: p.line,
        column: p.column,
        library: g.library,
        command: g.command?.toUpperCase(),
        parent: g.parent,
        sameSlot: sameSlot(g, r.uses, r.groups),
        splitByClient: g.splitByClient,
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { version: 1, root: r.root, files: r.files.length, keys, groups, diagnostics: [] };
}

export function sortUses(uses: KeyUse[]): KeyUse[] {
  return [...uses].sort((a, b) => a.file.localeCompare(b.file) || a.span.start - b.span.start);
}

/** Members of a group include the keys of command groups nested in it. */
export function membersOf(g: Group, uses: KeyUse[], groups: Group[]): KeyUse[] {
  const ids = new Set([g.id, ...groups.filter((c) => c.parent === g.id).map((c) => c.id)]);
  return uses.filter((u) => u.group && ids.has(u.group));
}

/** yes: provably one slot; no: two known slots differ; unknown: depends on runtime values. */
export function sameSlot(g: Group, uses: KeyUse[], groups: Group[]): 'yes' | 'no' | 'unknown' {
  const members = membersOf(g, uses, groups);
  if (members.some((m) => m.spread)) return 'unknown';
  const slots = new Set(members.filter((m) => m.hash.slot !== null).map((m) => m.hash.slot));
  if (slots.size > 1) return 'no';
  if (members.every((m) => m.hash.slot !== null)) return 'yes';
  const ids = new Set(members.map((m) => m.hash.hashId));
  if (ids.size <= 1) return 'yes';
  return 'unknown';
}
