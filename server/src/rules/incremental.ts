import { isHashTags } from '../model/hashtag';
import { applyGroupOps, GroupOp } from '../clients/calls';
import type { FileAnalysis } from '../index/analyze';
import { FlowCall, Group, KeyUse, repeatedIds, WaitCall } from '../model/keyuse';
import { groupBy, link, unlink } from '../model/collections';
import { crossslotRule } from './crossslot';
import { frameworkRule } from './framework';
import { targetRule } from './target';
import { Finding, mergeRepeats } from './finding';
import { GroupVerdict, judgeGroup, Repeats, textOf } from './groups';
import { finalize, RuleOptions } from './index';
import { pipelineRule } from './pipeline';
import { replicaFindings } from './replica';
import { scriptRule } from './script';
import type { LineCache } from './suppress';
import { bareTagRule, emptyTagRule, hotTagRule, isBareTag } from './tags';

/**
 * Values by key, contributed per file. Each key's list is in workspace order - every file's own
 * calls in file order, then every file's scripts - the order a single pass over the workspace
 * produces, whatever order the files were updated in.
 */
export class PerFileIndex<V> {
  private parts = new Map<string, Map<string, [V[], V[]]>>();
  private lists = new Map<string, V[]>();
  /** the keys each file has values under */
  private keysOf = new Map<string, Set<string>>();
  /** each file's values as last given, with their keys: the next replace compares with them */
  private last = new Map<string, { values: [V[], V[]]; keys: [(string | undefined)[], (string | undefined)[]] }>();

  constructor(
    private ordinal: (file: string) => number,
    private keyOf: (v: V) => string | undefined,
  ) {}

  /**
   * Replaces one file's values (own calls, scripts; none: the file is gone); adds the keys whose
   * lists changed to `touched`. A key under which the file has the same objects as before, in the
   * same order, did not change (see index/reuse.ts: unchanged results are kept as the same objects).
   */
  replace(file: string, after: [V[], V[]] | undefined, touched: Set<string>): void {
    const prev = this.last.get(file);
    this.last.delete(file);
    if (!after) return this.replaceKeys(file, undefined, undefined, touched);
    const keys: [(string | undefined)[], (string | undefined)[]] = [new Array(after[0].length), new Array(after[1].length)];
    // the same number of values: mostly the same objects at the same places, so only the keys of the others can change
    const same = prev && prev.values[0].length === after[0].length && prev.values[1].length === after[1].length;
    const changed = same ? new Set<string>() : undefined;
    for (let i = 0; i < 2; i++) {
      const vs = after[i];
      const ks = keys[i];
      for (let j = 0; j < vs.length; j++) {
        const k = (ks[j] = this.keyOf(vs[j]));
        if (changed && (vs[j] !== prev!.values[i][j] || k !== prev!.keys[i][j])) {
          const was = prev!.keys[i][j];
          if (was !== undefined) changed.add(was);
          if (k !== undefined) changed.add(k);
        }
      }
    }
    this.last.set(file, { values: after, keys });
    if (changed?.size !== 0) this.replaceKeys(file, after, keys, touched, changed);
  }

  /** Puts the file's values under `only` keys (every key when undefined) in place of its old ones. */
  private replaceKeys(file: string, after: [V[], V[]] | undefined, keys: [(string | undefined)[], (string | undefined)[]] | undefined, touched: Set<string>, only?: Set<string>): void {
    const next = new Map<string, [V[], V[]]>();
    if (after && keys)
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < after[i].length; j++) {
          const k = keys[i][j];
          if (k === undefined || (only && !only.has(k))) continue;
          let p = next.get(k);
          if (!p) next.set(k, (p = [[], []]));
          p[i].push(after[i][j]);
        }
    let mine = this.keysOf.get(file);
    if (!mine) this.keysOf.set(file, (mine = new Set()));
    for (const k of only ?? [...mine]) {
      if (!mine.has(k)) continue;
      const m = this.parts.get(k)!;
      const p = next.get(k);
      next.delete(k);
      if (p && sameParts(m.get(file)!, p)) continue;
      touched.add(k);
      this.lists.delete(k);
      if (p) m.set(file, p);
      else {
        mine.delete(k);
        if (m.delete(file) && !m.size) this.parts.delete(k);
      }
    }
    for (const [k, p] of next) {
      touched.add(k);
      this.lists.delete(k);
      mine.add(k);
      let m = this.parts.get(k);
      if (!m) this.parts.set(k, (m = new Map()));
      m.set(file, p);
    }
    if (!mine.size) this.keysOf.delete(file);
  }

  get(key: string): V[] {
    let l = this.lists.get(key);
    if (l) return l;
    const m = this.parts.get(key);
    l = [];
    if (m) {
      const files = [...m.keys()].sort((a, b) => this.ordinal(a) - this.ordinal(b));
      for (const phase of [0, 1]) for (const f of files) for (const v of m.get(f)![phase]) l.push(v);
    }
    this.lists.set(key, l);
    return l;
  }

  files(key: string): Iterable<string> {
    return this.parts.get(key)?.keys() ?? [];
  }

  get size(): number {
    return this.parts.size;
  }
}

function sameParts<V>(a: [V[], V[]], b: [V[], V[]]): boolean {
  for (let i = 0; i < 2; i++) {
    const x = a[i];
    const y = b[i];
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

export type LiveOptions = Pick<RuleOptions, 'topology' | 'versionOf' | 'hotTagThreshold' | 'target' | 'tagRule' | 'severity' | 'textOf' | 'tests'>;

/** Group order for lists of groups: file, position, outer before inner, then id. */
export function compareGroups(a: Group, b: Group): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.start - b.span.start || b.span.end - a.span.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Findings of one file in a total order, so the list does not depend on the order work was done in. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.span.start - b.span.start ||
    cmp(a.code, b.code) ||
    a.span.end - b.span.end ||
    cmp(a.message, b.message) ||
    cmp(a.severity, b.severity) ||
    cmp(a.group ?? '', b.group ?? '') ||
    cmp(JSON.stringify(a.related), JSON.stringify(b.related)) ||
    (a.anchor?.start ?? -1) - (b.anchor?.start ?? -1)
  );
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const opKey = (o: GroupOp) => (o.op === 'create' || o.op === 'ensure' ? o.group.id : o.id);
const bareKey = (u: KeyUse) => (u.hash.kind === 'tag' && u.hash.tag && isBareTag(u.hash.tag) ? textOf(u.hash.tag) : undefined);
// a tag over a runtime value spreads one entity per slot; only a fixed tag piles everything onto one
const hotKey = (u: KeyUse) => (u.hash.kind === 'tag' && u.hash.tag && u.hash.slot !== null ? textOf(u.hash.tag) : undefined);
const flowKey = (u: KeyUse) => (u.library !== 'lua' ? u.flow : undefined);
const calleeFile = (c: FlowCall) => c.callee.slice(0, c.callee.lastIndexOf('#'));

/** Equal groups: the same fields, at the same offsets (the span object may be a new one). */
export function sameGroup(a: Group, b: Group): boolean {
  return (
    a.id === b.id &&
    a.kind === b.kind &&
    a.file === b.file &&
    a.span.start === b.span.start &&
    a.span.end === b.span.end &&
    a.library === b.library &&
    a.mode === b.mode &&
    a.command === b.command &&
    a.parent === b.parent &&
    a.splitByClient === b.splitByClient &&
    a.script === b.script &&
    a.repeats === b.repeats
  );
}

/**
 * The rules, kept current file by file. Every finding belongs to one unit - a group with its nested
 * commands, a file's scripts, empty tags or replica flows, one bare or fixed tag - and an update
 * re-runs only the units whose inputs changed: the changed files' own units, groups and tags their
 * keys were or are in, flows that call into them. Each unit runs the same rule code as a batch run.
 */
export class LiveRules {
  readonly groups = new Map<string, Group>();
  readonly verdicts = new Map<string, GroupVerdict>();
  private files = new Map<string, FileAnalysis>();
  private ops: PerFileIndex<GroupOp>;
  private members: PerFileIndex<KeyUse>;
  private bare: PerFileIndex<KeyUse>;
  private hot: PerFileIndex<KeyUse>;
  private flows: PerFileIndex<KeyUse>;
  private children = new Map<string, Set<string>>();
  /** family (the outermost group) → its groups */
  private family = new Map<string, Set<string>>();
  private scriptGroups = new Map<string, Set<string>>();
  /** a body's group → the groups of the calls that repeat it (Group.repeats) */
  private repeaters = new Map<string, Set<string>>();
  private scriptFile = new Map<string, string>();
  /** callee file → files that call into it */
  private callers = new Map<string, Set<string>>();
  private units = new Map<string, Finding[]>();
  /** each unit's findings before suppression and severity settings, and the units with such findings in each file */
  private raw = new Map<string, Finding[]>();
  private rawUnits = new Map<string, Set<string>>();
  private fileUnits = new Map<string, Set<string>>();
  private byFile = new Map<string, Finding[]>();
  private lines: LineCache = new Map();

  constructor(
    private opts: LiveOptions,
    ordinal: (file: string) => number,
  ) {
    this.ops = new PerFileIndex(ordinal, opKey);
    this.members = new PerFileIndex(ordinal, (u) => u.group ?? undefined);
    this.bare = new PerFileIndex(ordinal, bareKey);
    this.hot = new PerFileIndex(ordinal, hotKey);
    this.flows = new PerFileIndex(ordinal, flowKey);
  }

  analysisOf(file: string): FileAnalysis | undefined {
    return this.files.get(file);
  }

  /** Takes new analyses of some files (undefined: the file is gone) and re-runs what they affect. */
  update(changes: Map<string, FileAnalysis | undefined>): void {
    const opKeys = new Set<string>();
    const memberKeys = new Set<string>();
    const bareTags = new Set<string>();
    const hotTags = new Set<string>();
    const changed = new Set(changes.keys());
    for (const [file, after] of changes) {
      const before = this.files.get(file);
      this.ops.replace(file, after && [after.host.groupOps, after.lua.groupOps], opKeys);
      const a = after && ([after.host.uses, after.lua.uses] as [KeyUse[], KeyUse[]]);
      this.members.replace(file, a, memberKeys);
      this.bare.replace(file, a, bareTags);
      this.hot.replace(file, a, hotTags);
      this.flows.replace(file, a, new Set());
      for (const id of before?.scripts.keys() ?? []) this.scriptFile.delete(id);
      for (const id of after?.scripts.keys() ?? []) this.scriptFile.set(id, file);
      for (const c of before?.host.flowCalls ?? []) this.callers.get(calleeFile(c))?.delete(file);
      for (const c of after?.host.flowCalls ?? []) link(this.callers, calleeFile(c), file);
      if (after) this.files.set(file, after);
      else this.files.delete(file);
    }

    // groups whose operations changed, replayed from every file's operations on them
    const old = new Map<string, Group | undefined>();
    for (const id of opKeys) {
      const m = new Map<string, Group>();
      applyGroupOps(m, this.ops.get(id));
      const g = m.get(id);
      const was = this.groups.get(id);
      // the same span object too: a group made again from a re-extracted statement must move with the new text
      if (was && g && was.span === g.span && sameGroup(was, g)) continue;
      old.set(id, was);
      if (was) this.unlinkGroup(was);
      if (g) {
        this.groups.set(id, g);
        this.linkGroup(g);
      } else this.groups.delete(id);
    }

    // verdicts: groups with other keys or operations, the groups around them, and (a new parent) the ones inside
    // (unchanged keys and groups are the same objects as before, their spans moved with the text: see index/reuse.ts)
    const judge = new Set<string>([...memberKeys, ...opKeys]);
    for (const id of [...judge]) {
      const p = this.groups.get(id)?.parent;
      if (p) judge.add(p);
      const q = old.get(id)?.parent;
      if (q) judge.add(q);
    }
    for (const id of old.keys()) for (const c of this.children.get(id) ?? []) judge.add(c);
    const families = new Set<string>();
    const scriptFiles = new Set(changed);
    for (const id of judge) {
      const g = this.groups.get(id);
      const prevVerdict = this.verdicts.get(id);
      if (prevVerdict) families.add(prevVerdict.group.parent ?? id);
      for (const s of [g?.script, old.get(id)?.script, prevVerdict?.group.script]) {
        const f = s && this.scriptFile.get(s);
        if (f) scriptFiles.add(f);
      }
      if (!g) {
        this.verdicts.delete(id);
        continue;
      }
      families.add(g.parent ?? id);
      // a body's group and the calls repeating it decide together where their finding goes
      for (const other of [...repeatedIds(g.repeats), ...repeatedIds(old.get(id)?.repeats), ...(this.repeaters.get(id) ?? [])]) {
        const o = other && this.groups.get(other);
        if (o) families.add(o.parent ?? o.id);
      }
      const kids = [...(this.children.get(id) ?? [])].flatMap((c) => this.groups.get(c) ?? []).sort(compareGroups);
      const members = [...this.members.get(id), ...kids.flatMap((k) => this.members.get(k.id))];
      this.verdicts.set(id, judgeGroup(g, members, g.parent ? this.groups.get(g.parent) : undefined, this.opts.versionOf, this.opts.target));
    }

    // replica flows: changed files, files whose keys sit in a group that changed, and the files calling into them
    const replica = new Set(changed);
    for (const id of old.keys()) for (const f of this.members.files(id)) replica.add(f);
    for (const f of [...replica]) for (const c of this.callers.get(f) ?? []) replica.add(c);

    const dirtyFiles = new Set<string>();
    const ran = new Set<string>();
    const run = (unit: string, compute: () => Finding[]) => {
      ran.add(unit);
      this.setUnit(unit, compute(), changed, dirtyFiles);
    };
    for (const fam of families) run(`group ${fam}`, () => this.familyFindings(fam));
    for (const f of scriptFiles) run(`script ${f}`, () => this.scriptFindings(f));
    // (both are about `{…}` hash tags; Dragonfly's lock tags are written another way)
    const hashTags = !this.opts.tagRule || isHashTags(this.opts.tagRule);
    for (const f of changed) run(`empty-tag ${f}`, () => (hashTags ? this.withFile(f, (a) => emptyTagRule([...a.host.uses, ...a.lua.uses])) : []));
    for (const t of bareTags) run(`bare-tag ${t}`, () => (hashTags ? bareTagRule(this.bare.get(t)) : []));
    for (const t of hotTags) run(`hot-tag ${t}`, () => hotTagRule(this.hot.get(t), this.opts.hotTagThreshold, this.opts.tests?.isTest));
    for (const f of replica) run(`replica ${f}`, () => this.replicaFindings(f));
    // the other findings in a changed file: the same, but a suppression comment may have come or gone,
    // and positions moved (the file's list is made again, so what an editor shows is compared again)
    for (const f of changed) {
      for (const unit of [...(this.rawUnits.get(f) ?? [])]) if (!ran.has(unit)) this.setUnit(unit, this.raw.get(unit)!, changed, dirtyFiles);
      dirtyFiles.add(f);
    }
    for (const f of dirtyFiles) {
      const list: Finding[] = [];
      for (const u of this.fileUnits.get(f) ?? []) for (const x of this.units.get(u) ?? []) if (x.file === f) list.push(x);
      if (list.length) this.byFile.set(f, mergeRepeats(list.sort(compareFindings)));
      else this.byFile.delete(f);
    }
  }

  /** Every finding, by file then position. */
  findings(): Finding[] {
    const out: Finding[] = [];
    for (const f of [...this.byFile.keys()].sort()) for (const x of this.byFile.get(f)!) out.push(x);
    return out;
  }

  /** The findings in each file; a file's list is replaced (never changed in place) when it may have changed. */
  findingsByFile(): ReadonlyMap<string, Finding[]> {
    return this.byFile;
  }

  private setUnit(unit: string, raw: Finding[], changed: Set<string>, dirtyFiles: Set<string>): void {
    const rawBefore = this.raw.get(unit);
    if (rawBefore !== raw) {
      for (const x of rawBefore ?? []) unlink(this.rawUnits, x.file, unit);
      for (const x of raw) link(this.rawUnits, x.file, unit);
      if (raw.length) this.raw.set(unit, raw);
      else this.raw.delete(unit);
    }
    const before = this.units.get(unit) ?? [];
    const after = raw.length ? finalize(raw, this.opts, this.lines) : [];
    if (!before.length && !after.length) return;
    // the same findings about unchanged texts: the files' lists (and what an editor shows) stay as they are
    if (before.length === after.length && before.every((x, i) => sameFinding(x, after[i], changed))) return;
    for (const x of before) {
      dirtyFiles.add(x.file);
      this.fileUnits.get(x.file)?.delete(unit);
    }
    for (const x of after) {
      dirtyFiles.add(x.file);
      link(this.fileUnits, x.file, unit);
    }
    if (after.length) this.units.set(unit, after);
    else this.units.delete(unit);
  }

  private withFile(file: string, f: (a: FileAnalysis) => Finding[]): Finding[] {
    const a = this.files.get(file);
    return a ? f(a) : [];
  }

  private linkGroup(g: Group): void {
    if (g.parent) link(this.children, g.parent, g.id);
    link(this.family, g.parent ?? g.id, g.id);
    if (g.script) link(this.scriptGroups, g.script, g.id);
    for (const id of repeatedIds(g.repeats)) link(this.repeaters, id, g.id);
  }

  private unlinkGroup(g: Group): void {
    if (g.parent) unlink(this.children, g.parent, g.id);
    unlink(this.family, g.parent ?? g.id, g.id);
    if (g.script) unlink(this.scriptGroups, g.script, g.id);
    for (const id of repeatedIds(g.repeats)) unlink(this.repeaters, id, g.id);
  }

  /** crossslot, split-nonatomic and pipeline-cross-node for one group and the commands inside it. */
  private familyFindings(fam: string): Finding[] {
    const ids = [...(this.family.get(fam) ?? [])].flatMap((id) => this.groups.get(id) ?? []).sort((a, b) => Number(a.id !== fam) - Number(b.id !== fam) || compareGroups(a, b));
    const verdicts = new Map<string, GroupVerdict>();
    for (const g of ids) {
      const v = this.verdicts.get(g.id);
      if (v) verdicts.set(g.id, v);
    }
    if (!verdicts.size) return [];
    const repeats: Repeats = {
      body: (g) => repeatedIds(g.repeats).flatMap((id) => this.verdicts.get(id) ?? [])[0],
      calls: (g) => [...(this.repeaters.get(g.id) ?? [])].flatMap((id) => this.verdicts.get(id) ?? []),
    };
    return [...crossslotRule(verdicts, repeats, this.opts.tagRule), ...frameworkRule(verdicts, this.opts.target ?? 'oss-cluster'), ...targetRule(verdicts, this.opts.target ?? 'oss-cluster'), ...pipelineRule(verdicts, this.opts.topology, repeats)];
  }

  /** script-undeclared-key for the Lua of one file: its scripts, judged at the calls that run them. */
  private scriptFindings(file: string): Finding[] {
    const a = this.files.get(file);
    if (!a) return [];
    const uses = [...a.host.uses, ...a.lua.uses].filter((u) => u.language === 'lua' || u.script);
    if (!uses.length) return [];
    const verdicts = new Map<string, GroupVerdict>();
    for (const s of a.scripts.keys()) {
      const calls = [...(this.scriptGroups.get(s) ?? [])].flatMap((id) => this.groups.get(id) ?? []).sort(compareGroups);
      for (const g of calls) {
        const v = this.verdicts.get(g.id);
        if (v) verdicts.set(g.id, v);
      }
    }
    return scriptRule(uses, verdicts, a.scripts, this.opts.topology, this.opts.tagRule);
  }

  /** replica-read-after-write for the flows of one file (their calls reach into other files' flows). */
  private replicaFindings(file: string): Finding[] {
    const a = this.files.get(file);
    if (!a) return [];
    const mine = a.host.uses.filter((u) => u.library !== 'lua');
    const waits = groupBy<WaitCall, string>([...a.host.waits, ...a.lua.waits], (w) => w.flow);
    const calls = groupBy(a.host.flowCalls, (c) => c.flow);
    const flows = new Set([...mine.map((u) => u.flow), ...calls.keys()]);
    return replicaFindings(flows, {
      uses: (flow) => this.flows.get(flow),
      calls: (flow) => calls.get(flow),
      waits: (flow) => waits.get(flow),
      batched: (id) => {
        const g = this.groups.get(id);
        if (!g) return false;
        const p = g.parent ? this.groups.get(g.parent) : undefined;
        return isBatch(g) || (!!p && isBatch(p));
      },
    });
  }
}

/** Equal, and about places in files whose text did not change (a position depends on the text before it). */
function sameFinding(a: Finding, b: Finding, changed: Set<string>): boolean {
  if (changed.has(a.file) || a.related.some((r) => changed.has(r.file))) return false;
  return (
    a.code === b.code &&
    a.severity === b.severity &&
    a.file === b.file &&
    a.span.start === b.span.start &&
    a.span.end === b.span.end &&
    a.message === b.message &&
    a.group === b.group &&
    a.anchor?.start === b.anchor?.start &&
    a.anchor?.end === b.anchor?.end &&
    a.related.length === b.related.length &&
    a.related.every((r, i) => r.file === b.related[i].file && r.span.start === b.related[i].span.start && r.span.end === b.related[i].span.end && r.message === b.related[i].message)
  );
}

const isBatch = (g: Group) => g.kind === 'transaction' || g.kind === 'pipeline';
