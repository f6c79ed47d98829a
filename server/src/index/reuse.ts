import { HASH_TAGS, TagRule } from '../model/hashtag';
import type { GroupOp, SiteRecord, SiteReuse } from '../clients/calls';
import { sameGroup } from '../rules/incremental';
import type { CallExpr } from '../extract/ir';
import type { FlowCall, Group, KeyUse } from '../model/keyuse';
import { Anchor, hashOfPattern, Segment, Span } from '../model/pattern';
import type { FileAnalysis } from './analyze';
import type { Step } from '../clients/profiles';
import type { LastEdit, Renames } from './reparse';

/*
 * A file analysed again after an edit mostly finds what it found before: the statements the edit
 * did not touch keep their facts (the same objects, moved in place: see EditCache), so their key
 * uses have the same spans. Where a new use equals an old one, the old object is kept (its scope
 * ids brought up to date), and so are equal group operations: the rules then see which groups,
 * tags and flows really changed (PerFileIndex compares by identity) and re-run only those.
 */

/** No scope of the file changed its id (a file analysed again for what it reads, not re-extracted). */
export const SAME_IDS: Renames = new Map();

/** Puts `before`'s objects into `after` wherever they are equal (up to the scope renames the edit made). */
export function keepUnchanged(before: FileAnalysis, after: FileAnalysis, renames: Renames): void {
  keepUses(before.host.uses, after.host.uses, renames);
  // embedded Lua has scope ids of its own text, not the host file's: equal only as they are
  keepUses(before.lua.uses, after.lua.uses, SAME_IDS);
  keepOps(before.host.groupOps, after.host.groupOps);
  keepOps(before.lua.groupOps, after.lua.groupOps);
}

function keepUses(before: KeyUse[], after: KeyUse[], renames: Renames): void {
  if (!before.length || !after.length) return;
  // the same calls mostly find the same uses in the same order: pair them by place first
  const taken = before.length === after.length ? new Set<KeyUse>() : undefined;
  let bySpan: Map<Span, KeyUse[]> | undefined;
  for (let i = 0; i < after.length; i++) {
    const n = after[i];
    let o: KeyUse | undefined = taken ? before[i] : undefined;
    if (o && o.span === n.span && !taken!.has(o) && sameUse(o, n, renames)) taken!.add(o);
    else {
      if (!bySpan) {
        bySpan = new Map();
        for (const u of before) {
          if (taken?.has(u)) continue;
          const l = bySpan.get(u.span);
          if (l) l.push(u);
          else bySpan.set(u.span, [u]);
        }
      }
      const l = bySpan.get(n.span);
      const k = l ? l.findIndex((x) => !taken?.has(x) && sameUse(x, n, renames)) : -1;
      if (k < 0) continue;
      o = l![k];
      l!.splice(k, 1);
      taken?.add(o);
    }
    // the old object, with the new names (flow, hole scopes) where the edit moved its scopes
    if (o.flow !== n.flow) o.flow = n.flow;
    // (where its literals are written moves with the text: the new places, for the fixes that edit them)
    if (o.pattern !== n.pattern && (!sameSegments(o.pattern.segments, n.pattern.segments, o.file, SAME_IDS) || !sameOrigins(o.pattern.segments, n.pattern.segments))) {
      o.pattern = n.pattern;
      o.hash = n.hash;
    }
    after[i] = o;
  }
}

function sameUse(o: KeyUse, n: KeyUse, renames: Renames): boolean {
  return (
    o.file === n.file &&
    o.command === n.command &&
    o.access === n.access &&
    o.language === n.language &&
    o.client === n.client &&
    o.library === n.library &&
    o.mode === n.mode &&
    o.group === n.group &&
    o.spread === n.spread &&
    o.perCall === n.perCall &&
    o.wrapped === n.wrapped &&
    o.confidence === n.confidence &&
    o.script === n.script &&
    sameVia(o.via, n.via) &&
    (o.routing === n.routing || (o.routing.reads === n.routing.reads && o.routing.why === n.routing.why)) &&
    sameFlow(o.flow, n.flow, o.file, renames) &&
    // the hash is made from the pattern: equal patterns, equal hashes
    sameSegments(o.pattern.segments, n.pattern.segments, o.file, renames)
  );
}

/** The same provenance: each step says the same at the same place (a moved place is another step: the hover names its line). */
function sameVia(a: Step[] | undefined, b: Step[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((s, i) => s.what === b[i].what && s.file === b[i].file && s.span?.start === b[i].span?.start);
}

/** An old scope id as the new facts name it; a scope that went never equals anything. */
function renamed(id: string, renames: Renames): string | undefined {
  if (!renames.size) return id;
  const r = renames.get(id);
  return r === undefined ? id : (r ?? undefined);
}

/** `file#scope` ids (flows, hole scopes): the file's own scopes may have been renamed. */
function sameFlow(o: string, n: string, file: string, renames: Renames): boolean {
  if (!renames.size) return o === n;
  if (!o.startsWith(file) || o.charCodeAt(file.length) !== 35 /* # */) return o === n;
  const id = renamed(o.slice(file.length + 1), renames);
  return id !== undefined && n.length === file.length + 1 + id.length && n.charCodeAt(file.length) === 35 && n.endsWith(id) && n.startsWith(file);
}

function sameSegments(a: Segment[], b: Segment[], file: string, renames: Renames): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.kind !== y.kind) return false;
    if (x.kind === 'lit') {
      if (x.text !== (y as typeof x).text) return false;
    } else if (x.expr !== (y as typeof x).expr || !sameFlow(x.scope, (y as typeof x).scope, file, renames)) return false;
  }
  return true;
}

function sameOrigins(a: Segment[], b: Segment[]): boolean {
  const sameAnchor = (p: Anchor | undefined, q: Anchor | undefined) => p === q || (!!p && !!q && p.base === q.base && p.delta === q.delta && p.file === q.file);
  return a.every((x, i) => {
    const y = b[i];
    if (x.kind === 'hole' && y?.kind === 'hole') return sameAnchor(x.before, y.before) && sameAnchor(x.after, y.after);
    if (x.kind !== 'lit' || y?.kind !== 'lit') return true;
    const p = x.from ?? [];
    const q = y.from ?? [];
    return p.length === q.length && p.every((o, j) => o.base === q[j].base && o.delta === q[j].delta && o.file === q[j].file && o.at === q[j].at && o.length === q[j].length);
  });
}

function keepOps(before: GroupOp[], after: GroupOp[]): void {
  if (!before.length || !after.length) return;
  const byKey = new Map<unknown, GroupOp[]>();
  const key = (o: GroupOp) => (o.op === 'create' || o.op === 'ensure' ? o.group.span : `${o.op}\0${o.id}\0${o.op === 'script' ? o.script : ''}`);
  for (const o of before) {
    const k = key(o);
    const l = byKey.get(k);
    if (l) l.push(o);
    else byKey.set(k, [o]);
  }
  for (let i = 0; i < after.length; i++) {
    const n = after[i];
    const l = byKey.get(key(n));
    if (!l) continue;
    const k = l.findIndex((o) => sameOp(o, n));
    if (k < 0) continue;
    after[i] = l[k];
    l.splice(k, 1);
  }
}

function sameOp(a: GroupOp, b: GroupOp): boolean {
  if (a.op !== b.op) return false;
  if (a.op === 'create' || a.op === 'ensure') return sameGroupAt(a.group, (b as typeof a).group);
  if (a.op === 'script') return a.id === (b as typeof a).id && a.script === (b as typeof a).script;
  return a.id === (b as typeof a).id;
}

/** Equal groups at the same place (the same span object: one that moves with the text). */
function sameGroupAt(a: Group, b: Group): boolean {
  return a.span === b.span && sameGroup(a, b);
}

/**
 * Which of a file's call sites need not be interpreted again after an edit of the file alone
 * (another statement than theirs changed; call ids and imports did not): a call that looked up no
 * name the edit defined differently reads the same facts as before, so its recorded results are
 * its results - with the scope ids and places of a statement that moved brought up to date.
 */
export function siteReuse(records: Map<CallExpr, SiteRecord>, file: string, edit: LastEdit, rule: TagRule = HASH_TAGS): SiteReuse {
  const prefix = file + '#';
  const renames = edit.renames;
  /** a `file#scope…` id as it reads now; null: it names a scope that went */
  const map = (id: string): string | null => {
    if (!renames.size || !id.startsWith(prefix)) return id;
    const rest = id.slice(prefix.length);
    if (!rest.includes('#')) {
      const n = renames.get(rest);
      return n === undefined ? id : n === null ? null : prefix + n;
    }
    const parts = rest.split('#');
    let moved = false;
    for (let i = 0; i < parts.length; i++) {
      const n = renames.get(parts[i]);
      if (n === undefined) continue;
      if (n === null) return null;
      parts[i] = n;
      moved = true;
    }
    return moved ? prefix + parts.join('#') : id;
  };
  /** segments as they read now (the same array when nothing moved); null: a hole's scope went */
  const mapSegments = (segs: Segment[]): Segment[] | null => {
    let out: Segment[] | undefined;
    for (let i = 0; i < segs.length; i++) {
      const x = segs[i];
      if (x.kind !== 'hole') continue;
      const scope = map(x.scope);
      if (scope === null) return null;
      if (scope !== x.scope) (out ??= segs.slice())[i] = { ...x, scope };
    }
    return out ?? segs;
  };
  const same = (id: string | null | undefined) => !id || map(id) === id;
  /** whether the record being taken names a scope that moved (check() finds out) */
  let moves = false;
  const check = (id: string | null | undefined) => {
    if (!id) return true;
    const m = map(id);
    if (m !== id) moves = true;
    return m !== null;
  };
  const checkSegments = (segs: Segment[]) => {
    for (const x of segs) if (x.kind === 'hole' && !check(x.scope)) return false;
    return true;
  };
  return {
    records,
    take: (r, site) => {
      if (site.scope === 'module') return undefined;
      if (edit.changed.size < r.names.size) {
        for (const n of edit.changed) if (r.names.has(n)) return undefined;
      } else for (const n of r.names) if (edit.changed.has(n)) return undefined;
      // groups keep their ids (call ids did not change); one named after a moved scope is made again
      for (const [id] of r.made) if (!same(id)) return undefined;
      for (const o of r.groupOps) if (o.op === 'create' || o.op === 'ensure' ? !same(o.group.id) || !same(o.group.parent) : !same(o.id)) return undefined;
      const start = site.call.span.start;
      // mostly nothing it names moved: checked before anything is made
      moves = start !== r.start && r.waits.length > 0;
      for (const u of r.uses) if (!check(u.flow) || !same(u.group) || !checkSegments(u.pattern.segments)) return undefined;
      for (const c of r.flowCalls) {
        if (!check(c.flow) || !check(c.callee)) return undefined;
        for (const v of c.args.values()) if (!checkSegments(v)) return undefined;
      }
      for (const w of r.waits) if (!check(w.flow)) return undefined;
      for (const x of r.scripts) {
        if (!same(x.group)) return undefined;
        const scope = x.scope === undefined ? undefined : renames.get(x.scope);
        if (scope === null) return undefined;
        if (scope !== undefined) moves = true;
      }
      if (!moves) return start === r.start ? r : Object.assign({}, r, { start });
      // then, all of it known, the record as it reads now
      const uses: [KeyUse, string, Segment[]][] = [];
      for (const u of r.uses) uses.push([u, map(u.flow)!, mapSegments(u.pattern.segments)!]);
      const flowCalls: FlowCall[] = [];
      for (const c of r.flowCalls) {
        const args = new Map<string, Segment[]>();
        for (const [k, v] of c.args) args.set(k, mapSegments(v)!);
        flowCalls.push(Object.assign({}, c, { flow: map(c.flow)!, callee: map(c.callee)!, args }));
      }
      // a WAIT is placed at its call
      const waits = r.waits.map((w) => Object.assign({}, w, { flow: map(w.flow)!, offset: start }));
      const scripts = r.scripts.map((x) => (x.scope !== undefined && renames.has(x.scope) ? Object.assign({}, x, { scope: renames.get(x.scope)! }) : x));
      // the uses stay the same objects (the rules see they did not change): their names are brought up to date
      for (const [u, flow, segs] of uses) {
        if (u.flow !== flow) u.flow = flow;
        if (segs !== u.pattern.segments) {
          u.pattern = { segments: segs };
          u.hash = hashOfPattern(u.pattern, rule);
        }
      }
      return Object.assign({}, r, { start, flowCalls, waits, scripts });
    },
  };
}
