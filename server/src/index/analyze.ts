import { CallInterpreter, Options } from '../clients/calls';
import { Extractor } from '../extract/base';
import { GoExtractor } from '../extract/go';
import type { Expr, FileFacts, Language } from '../extract/ir';
import { JavaExtractor } from '../extract/java';
import { JavaScriptExtractor } from '../extract/javascript';
import { LuaExtractor } from '../extract/lua';
import { parserFor } from '../extract/parser';
import { PythonExtractor } from '../extract/python';
import { extractRedisFile } from '../extract/redisfile';
import type { FlowCall, Group, KeyUse, WaitCall } from '../model/keyuse';
import { ctxFor, evaluate, lookupName } from '../resolve/evaluate';
import { WorkspaceFacts } from '../resolve/workspace';

export interface Analysis {
  uses: KeyUse[];
  groups: Group[];
  /** Lua scripts whose source was read, by id (Group.script / KeyUse.script) */
  scripts: Map<string, ScriptInfo>;
  /** WAIT calls, which make earlier writes visible on replicas */
  waits: WaitCall[];
  /** calls into workspace functions, for flows that span functions */
  flowCalls: FlowCall[];
}

/** What a script's first line declares (Redis 7 `#!lua flags=...`). */
export interface ScriptInfo {
  /** a `#!lua` shebang: the script is checked strictly - every key in one slot */
  shebang: boolean;
  /** `flags=allow-cross-slot-keys`: keys of several slots on the node are allowed again */
  allowCrossSlotKeys: boolean;
}

const EXTRACTORS: Record<Exclude<Language, 'redis'>, new (file: string, lang: Language, src: string) => Extractor> = {
  python: PythonExtractor,
  javascript: JavaScriptExtractor,
  typescript: JavaScriptExtractor,
  tsx: JavaScriptExtractor,
  go: GoExtractor,
  java: JavaExtractor,
  lua: LuaExtractor,
};

/** Parses one file into facts. Syntax errors are counted; the tree is used as far as it goes. */
export async function extractFile(file: string, source: string, language: Language, moduleScope = 'module'): Promise<FileFacts> {
  if (language === 'redis') return extractRedisFile(file, source);
  const parser = await parserFor(language);
  const tree = parser.parse(source);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${file}`);
  try {
    return new EXTRACTORS[language](file, language, source).run(tree, moduleScope);
  } finally {
    tree.delete();
  }
}

/** Resolves every file's calls into key uses and groups, across files; then the Lua inside scripts. */
export async function analyze(files: FileFacts[], opts: Options = {}): Promise<Analysis> {
  const ws = new WorkspaceFacts(files);
  const interp = new CallInterpreter(ws, opts);
  for (const f of files) interp.analyzeFile(f);
  // each script's Lua is analysed once, however many calls run it; calls and the keys inside share its id
  const scripts = new Map<string, ScriptInfo>();
  for (const script of interp.scripts) {
    const literal = literalOf(script.expr, ws, script.file, script.scope ?? 'module');
    const id = `${script.file.file}@${(literal ?? script.expr).span.start}`;
    if (script.group) {
      const g = interp.groups.get(script.group);
      if (g) g.script = id;
    }
    if (scripts.has(id)) continue;
    const v = evaluate(script.expr, ctxFor(ws, script.file, script.scope ?? 'module', script.expr.span.start));
    if (v.t !== 'str' || v.segs.some((s) => s.kind === 'hole')) continue;
    const lua = v.segs.map((s) => (s as { text: string }).text).join('');
    const shebang = /^#!lua\b([^\n]*)/.exec(lua);
    scripts.set(id, { shebang: !!shebang, allowCrossSlotKeys: !!shebang && /\bflags=[\w,-]*\ballow-cross-slot-keys\b/.test(shebang[1]) });
    const facts = await luaFacts(script.file.file, lua, `lua@${script.expr.span.start}`);
    // spans point into the host file: the script text starts where its literal's content does
    const at = literal ? literal.span.start + Math.max(0, literal.text.indexOf(lua.slice(0, 24))) : script.expr.span.start;
    shiftSpans(facts, at, literal ? undefined : script.expr.span);
    const first = interp.uses.length;
    interp.analyzeFile(facts);
    for (let i = first; i < interp.uses.length; i++) interp.uses[i].script = id;
  }
  return { ...renumberGroups(interp.uses, [...interp.groups.values()]), scripts, waits: interp.waits, flowCalls: interp.flowCalls };
}

/*
 * Embedded Lua is parsed once per text and place: an editor re-analyses the workspace on every
 * edit, and most scripts did not change. Facts are cloned because their spans get shifted.
 */
const luaCache = new Map<string, FileFacts>();
const LUA_CACHE_MAX = 5000;

async function luaFacts(file: string, lua: string, moduleScope: string): Promise<FileFacts> {
  const key = `${file}\0${moduleScope}\0${lua}`;
  let cached = luaCache.get(key);
  if (!cached) {
    cached = await extractFile(file, lua, 'lua', moduleScope);
    if (luaCache.size >= LUA_CACHE_MAX) luaCache.delete(luaCache.keys().next().value!);
    luaCache.set(key, cached);
  }
  return structuredClone(cached);
}

/** Group ids in file and position order, so the same code always gets the same ids. */
function renumberGroups(uses: KeyUse[], groups: Group[]): Pick<Analysis, 'uses' | 'groups'> {
  groups.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.start - b.span.start || b.span.end - a.span.end));
  const ids = new Map(groups.map((g, i) => [g.id, `g${i + 1}`]));
  for (const g of groups) {
    g.id = ids.get(g.id)!;
    if (g.parent) g.parent = ids.get(g.parent);
  }
  for (const u of uses) if (u.group) u.group = ids.get(u.group) ?? null;
  return { uses, groups };
}

/** The string literal an expression names in the same file (`LUA = """..."""`; `eval(LUA, ...)`). */
function literalOf(e: Expr, ws: WorkspaceFacts, file: FileFacts, scope: string): Extract<Expr, { k: 'str' }> | undefined {
  if (e.k === 'str') return e;
  if (e.k !== 'name') return undefined;
  const found = lookupName(e.name, ctxFor(ws, file, scope, e.span.start));
  return found && 'binding' in found && found.file === file && found.binding.value.k === 'str' ? found.binding.value : undefined;
}

/** Moves every span of embedded-script facts into the host file (or onto one fixed span when the source came from elsewhere). */
function shiftSpans(facts: FileFacts, delta: number, fixed?: { start: number; end: number }): void {
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
        s.start += delta;
        s.end += delta;
      }
    }
    for (const val of Object.values(o)) if (val && typeof val === 'object') walk(val);
  };
  for (const c of facts.calls) walk(c.call);
  for (const b of facts.bindings) walk(b.value);
}
