import { applyGroupOps, CallInterpreter, CallOutput, emptyOutput, Options, SiteRecord, SiteReuse } from '../clients/calls';
import type { CallExpr, Expr, FileFacts, Language, Scope } from '../extract/ir';
import { EXTRACTORS } from '../extract/extractors';
import { parserFor } from '../extract/parser';
import { extractRedisFile } from '../extract/redisfile';
import { FlowCall, Group, KeyUse, repeatedIds, WaitCall } from '../model/keyuse';
import { ctxFor, evaluateExactly, lookupName } from '../resolve/evaluate';
import { Reads, WorkspaceFacts } from '../resolve/workspace';
import type { Tree } from 'web-tree-sitter';
import type { EditCache } from './reparse';

export interface Analysis {
  uses: KeyUse[];
  groups: Group[];
  /** Lua scripts whose source was read, by id (Group.script / KeyUse.script) */
  scripts: Map<string, ScriptInfo>;
  /** WAIT calls, which make earlier writes visible on replicas */
  waits: WaitCall[];
  /** calls into workspace functions, for flows that span functions */
  flowCalls: FlowCall[];
  /** files whose analysis failed with an internal error: they add nothing, the others go on */
  failed?: { file: string; message: string }[];
}

/** What a script's first line declares (Redis 7 `#!lua flags=...`). */
export interface ScriptInfo {
  /** a `#!lua` shebang: the script is checked strictly - every key in one slot */
  shebang: boolean;
  /** `flags=allow-cross-slot-keys`: keys of several slots on the node are allowed again */
  allowCrossSlotKeys: boolean;
}

/** Parses one file into facts. Syntax errors are counted; the tree is used as far as it goes. */
export async function extractFile(file: string, source: string, language: Language, moduleScope = 'module', edits?: EditCache): Promise<FileFacts> {
  if (language === 'redis') return extractRedisFile(file, source);
  const parser = await parserFor(language);
  const run = (tree: Tree) => new EXTRACTORS[language](file, language, source).run(tree, moduleScope);
  if (edits) return edits.extract(parser, file, source, language, moduleScope, run);
  const tree = parser.parse(source);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${file}`);
  try {
    return run(tree);
  } finally {
    tree.delete();
  }
}

/** Parses a file an editor opened and keeps what its first edit needs (see EditCache): its facts, undefined when that was done. */
export async function prepareFile(file: string, source: string, language: Language, edits: EditCache): Promise<FileFacts | undefined> {
  if (language === 'redis') return undefined;
  const parser = await parserFor(language);
  return edits.prepare(parser, file, source, language, 'module', (tree: Tree) => new EXTRACTORS[language](file, language, source).run(tree, 'module'));
}

/** Resolves every file's calls into key uses and groups, across files; then the Lua inside scripts. */
export async function analyze(files: FileFacts[], opts: Options = {}): Promise<Analysis> {
  const ws = new WorkspaceFacts(files);
  const interp = new CallInterpreter(ws, opts);
  interp.batch = true;
  const results: FileAnalysis[] = [];
  const failed: { file: string; message: string }[] = [];
  for (const f of files) {
    const r = await contained(f, () => analyzeFile(ws, interp, f, false));
    if ('message' in r) failed.push(r);
    else results.push(r);
  }
  const groups = new Map<string, Group>();
  for (const r of results) applyGroupOps(groups, r.host.groupOps);
  for (const r of results) applyGroupOps(groups, r.lua.groupOps);
  const scripts = new Map<string, ScriptInfo>();
  for (const r of results) for (const [id, info] of r.scripts) scripts.set(id, info);
  // every file's own calls first, then the keys inside scripts: the order of one interpreter over the workspace
  const all = <T>(pick: (o: CallOutput) => T[]) => [...results.flatMap((r) => pick(r.host)), ...results.flatMap((r) => pick(r.lua))];
  return { ...renumberGroups(all((o) => o.uses), [...groups.values()]), scripts, waits: all((o) => o.waits), flowCalls: all((o) => o.flowCalls), ...(failed.length ? { failed } : {}) };
}

/** One file's analysis, or why it failed (an internal error): the caller goes on with the other files. */
export async function contained(f: FileFacts, run: () => Promise<FileAnalysis>): Promise<FileAnalysis | { file: string; message: string }> {
  try {
    return await run();
  } catch (e) {
    return { file: f.file, message: (e as Error).message?.split('\n')[0] ?? String(e) };
  }
}

/** One file's share of the analysis: its own calls, then the Lua of the scripts they run. Group ids are keys (see GroupOp). */
export interface FileAnalysis {
  file: string;
  host: CallOutput;
  lua: CallOutput;
  scripts: Map<string, ScriptInfo>;
  /** what the result read of other files (when tracked) */
  reads: Reads;
  /** each call site's share of `host`, when asked for (a file being edited: see SiteRecord) */
  sites?: Map<CallExpr, SiteRecord>;
}

/**
 * Interprets one file against the workspace. The result depends on the file's facts and on what
 * `reads` lists, nothing else, so it can be kept until one of those changes.
 */
export async function analyzeFile(ws: WorkspaceFacts, interp: CallInterpreter, f: FileFacts, track = true, placed?: PlacedLua, sites?: { reuse?: SiteReuse; record: boolean }): Promise<FileAnalysis> {
  const reads: Reads = { files: new Set(), names: new Set() };
  const host = emptyOutput();
  const lua = emptyOutput();
  const scripts = new Map<string, ScriptInfo>();
  const before = placed?.get(f.file);
  const after = new Map<string, FileFacts>();
  const outer = ws.reads;
  ws.reads = track ? reads : undefined;
  let records: Map<CallExpr, SiteRecord> | undefined;
  try {
    interp.begin(host);
    interp.records = sites?.record ? new Map() : undefined;
    interp.reuse = sites?.reuse;
    try {
      interp.analyzeFile(f);
    } finally {
      records = interp.records;
      interp.records = interp.reuse = undefined;
    }
    // Lua kept in a constant that no call the analysis follows runs (a library's script table, a
    // template handed to a user's client): it is still Lua, analysed on its own with its KEYS
    if (f.language !== 'lua' && f.language !== 'redis') {
      const isLua = (e: Expr) => (e.k === 'str' || e.k === 'concat' || e.k === 'interp') && LUA_CALL.test(e.text);
      for (const b of f.bindings) {
        // a template filled in with fmt.Sprintf / % / .format is Lua too: its literal part is analysed
        const v = b.value.k === 'format' ? b.value.format : b.value;
        if (isLua(v)) host.scripts.push({ expr: v, file: f, scope: b.scope, library: 'lua' });
      }
      // or written in place as an argument (`fmt.Sprintf("…redis.call(…)…", part)`)
      for (const site of f.calls) for (const a of site.call.args) if (isLua(a)) host.scripts.push({ expr: a, file: f, scope: site.scope, library: 'lua' });
    }
    interp.begin(lua);
    // each script's Lua is analysed once, however many calls run it; calls and the keys inside share its id
    // (a script can run another, so the list grows while it is walked)
    for (let i = 0; i < host.scripts.length + lua.scripts.length; i++) {
      const script = i < host.scripts.length ? host.scripts[i] : lua.scripts[i - host.scripts.length];
      // Lua kept in a constant of another file is analysed there, where it is written (its own file's
      // pass over constants): the call only links its KEYS to it
      const elsewhere = literalElsewhere(script.expr, ws, script.file, script.scope ?? 'module');
      if (elsewhere) {
        if (script.group) lua.groupOps.push({ op: 'script', id: script.group, script: `${elsewhere.file.file}@${elsewhere.literal.span.start}` });
        continue;
      }
      const literal = literalOf(script.expr, ws, script.file, script.scope ?? 'module');
      const id = `${script.file.file}@${(literal ?? script.expr).span.start}`;
      if (script.group) lua.groupOps.push({ op: 'script', id: script.group, script: id });
      if (scripts.has(id)) continue;
      const v = evaluateExactly(script.expr, ctxFor(ws, script.file, script.scope ?? 'module', script.expr.span.start));
      if (v.t !== 'str' || v.segs.some((s) => s.kind === 'hole')) continue;
      const code = v.segs.map((s) => (s as { text: string }).text).join('');
      const shebang = /^#!lua\b([^\n]*)/.exec(code);
      scripts.set(id, { shebang: !!shebang, allowCrossSlotKeys: !!shebang && /\bflags=[\w,-]*\ballow-cross-slot-keys\b/.test(shebang[1]) });
      // spans point into the host file: the script text starts where its literal's content does
      // a literal split over lines (`"…" + "…"`): each piece of the code maps to its own piece of source
      const pieces = literal?.k === 'concat' ? piecesOf(literal) : undefined;
      const at = literal?.k === 'str' ? literal.span.start + Math.max(0, literal.text.indexOf(code.slice(0, 24))) : script.expr.span.start;
      const facts = await luaFacts(script.file.file, code, `lua@${script.expr.span.start}`, at, literal ? undefined : script.expr.span, before, after, pieces);
      const first = lua.uses.length;
      interp.analyzeFile(facts);
      for (let j = first; j < lua.uses.length; j++) lua.uses[j].script = id;
    }
  } finally {
    ws.reads = outer;
  }
  if (placed && after.size) placed.set(f.file, after);
  else placed?.delete(f.file);
  // the script sources point into facts (maybe other files'): not needed any more, not kept alive
  host.scripts = [];
  lua.scripts = [];
  return { file: f.file, host, lua, scripts, reads, sites: records };
}

/*
 * Embedded Lua is parsed once per text: an editor re-analyses files on every edit, and most
 * scripts did not change (though text typed above them moves them). The facts are cloned, their
 * module scope named after the script's place and their spans shifted into the host file.
 */
const luaCache = new Map<string, FileFacts>();
const LUA_CALL = /\bredis\.p?call\s*\(/;
const LUA_CACHE_MAX = 5000;
const LUA_MODULE = '\0lua';

/** Placed (cloned, shifted) script facts per host file, from its last analysis; they are not changed after. */
export type PlacedLua = Map<string, Map<string, FileFacts>>;

async function luaFacts(file: string, lua: string, moduleScope: string, at: number, fixed: { start: number; end: number } | undefined, before?: Map<string, FileFacts>, after?: Map<string, FileFacts>, pieces?: Piece[]): Promise<FileFacts> {
  // by text alone: the same script embedded in many files is parsed once (facts name their file only in `file`)
  const key = lua;
  const place = `${moduleScope}\0${at}\0${fixed ? `${fixed.start}-${fixed.end}` : ''}\0${pieces ? pieces.map((p) => `${p.code}:${p.src}`).join(',') : ''}\0${lua}`;
  let facts = before?.get(place);
  if (!facts) {
    let cached = luaCache.get(key);
    if (!cached) {
      cached = await extractFile(file, lua, 'lua', LUA_MODULE);
      remember(luaCache, key, cached);
    }
    facts = structuredClone(cached);
    facts.file = file;
    renameScope(facts, LUA_MODULE, moduleScope);
    shiftSpans(facts, at, fixed, pieces);
  }
  after?.set(place, facts);
  return facts;
}

function renameScope(facts: FileFacts, from: string, to: string): void {
  const scopes = new Map<string, Scope>();
  for (const [id, s] of facts.scopes) {
    if (s.id === from) s.id = to;
    if (s.parent === from) s.parent = to;
    scopes.set(id === from ? to : id, s);
  }
  facts.scopes = scopes;
  for (const b of facts.bindings) if (b.scope === from) b.scope = to;
  for (const c of facts.calls) if (c.scope === from) c.scope = to;
  for (const f of facts.functions) if (f.scope === from) f.scope = to;
}

function remember(cache: Map<string, FileFacts>, key: string, facts: FileFacts): void {
  if (cache.size >= LUA_CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, facts);
}

/** Group ids in file and position order, so the same code always gets the same ids. */
function renumberGroups(uses: KeyUse[], groups: Group[]): Pick<Analysis, 'uses' | 'groups'> {
  groups.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.start - b.span.start || b.span.end - a.span.end));
  const ids = new Map(groups.map((g, i) => [g.id, `g${i + 1}`]));
  for (const g of groups) {
    g.id = ids.get(g.id)!;
    if (g.parent) g.parent = ids.get(g.parent);
    if (g.repeats) g.repeats = repeatedIds(g.repeats).flatMap((id) => ids.get(id) ?? [])[0];
  }
  for (const u of uses) if (u.group) u.group = ids.get(u.group) ?? null;
  return { uses, groups };
}

/** The string literal an expression names in the same file (`LUA = """..."""`; `eval(LUA, ...)`). */
type Literal = Extract<Expr, { k: 'str' }> | Extract<Expr, { k: 'concat' }>;

/** The literal in this file that holds a script: a string, or string pieces joined with `+`. */
function literalOf(e: Expr, ws: WorkspaceFacts, file: FileFacts, scope: string): Literal | undefined {
  const literal = (x: Expr): Literal | undefined => (x.k === 'str' || (x.k === 'concat' && x.parts.every((p) => p.k === 'str')) ? x : undefined);
  if (e.k !== 'name') return literal(e);
  const found = lookupName(e.name, ctxFor(ws, file, scope, e.span.start));
  if (!found || !('binding' in found) || found.file !== file) return undefined;
  // `script := fmt.Sprintf(template, part)`: the template's literal is where the Lua is written
  const v = found.binding.value;
  return literal(v.k === 'format' ? v.format : v);
}

/** A name bound to Lua written in another file of the workspace (a Go package constant), which that file analyses. */
function literalElsewhere(e: Expr, ws: WorkspaceFacts, file: FileFacts, scope: string): { literal: Literal; file: FileFacts } | undefined {
  if (e.k !== 'name') return undefined;
  const found = lookupName(e.name, ctxFor(ws, file, scope, e.span.start));
  if (!found || !('binding' in found) || found.file === file || found.file.language === 'lua' || found.file.language === 'redis') return undefined;
  const v = found.binding.value;
  const x = v.k === 'format' ? v.format : v;
  const literal = x.k === 'str' || (x.k === 'concat' && x.parts.every((p) => p.k === 'str')) ? x : undefined;
  return literal && LUA_CALL.test(literal.text) ? { literal, file: found.file } : undefined;
}

/** Where each piece's text starts in the joined code and in the source (after its opening quote). */
interface Piece {
  code: number;
  src: number;
}

function piecesOf(e: Extract<Expr, { k: 'concat' }>): Piece[] {
  const out: Piece[] = [];
  let code = 0;
  for (const p of e.parts) {
    if (p.k !== 'str') continue;
    out.push({ code, src: p.span.start + (p.text.startsWith('"""') ? 3 : 1) });
    code += p.value.length;
  }
  return out;
}

/** Moves every span of embedded-script facts into the host file (or onto one fixed span when the source came from elsewhere). */
function shiftSpans(facts: FileFacts, delta: number, fixed?: { start: number; end: number }, pieces?: Piece[]): void {
  const move = (p: number): number => {
    if (!pieces) return p + delta;
    let i = pieces.length - 1;
    while (i > 0 && pieces[i].code > p) i--;
    return pieces[i].src + (p - pieces[i].code);
  };
  const done = new Set<object>();
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || done.has(v)) return;
    done.add(v);
    const o = v as Record<string, unknown>;
    if (o.span && typeof o.span === 'object' && !done.has(o.span)) {
      const s = o.span as { start: number; end: number };
      done.add(s);
      if (fixed) {
        s.start = fixed.start;
        s.end = fixed.end;
      } else {
        s.start = move(s.start);
        s.end = move(s.end);
      }
    }
    for (const val of Object.values(o)) if (val && typeof val === 'object') walk(val);
  };
  for (const c of facts.calls) walk(c.call);
  for (const b of facts.bindings) walk(b.value);
}
