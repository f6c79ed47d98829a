import * as fs from 'fs';
import * as path from 'path';
import { Language as TsLanguage, Parser } from 'web-tree-sitter';
import type { Language } from './ir';

/*
 * Grammars: web-tree-sitter 0.25 loads both the ABI-14 grammars of `tree-sitter-wasms` (Python,
 * JS, TS, TSX, Go, Java, Kotlin) and the ABI-15 Lua grammar of `@tree-sitter-grammars/tree-sitter-lua`
 * (the Lua grammar in tree-sitter-wasms mis-parses statement calls such as `redis.call(...)`).
 * The bundle carries copies in dist/grammars; from sources we resolve them in node_modules.
 */
const GRAMMAR_FILES: Record<Exclude<Language, 'redis'>, string> = {
  python: 'tree-sitter-python.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  go: 'tree-sitter-go.wasm',
  java: 'tree-sitter-java.wasm',
  kotlin: 'tree-sitter-kotlin.wasm',
  lua: 'tree-sitter-lua.wasm',
};

function locate(file: string): string {
  const bundled = path.join(__dirname, 'grammars', file);
  if (fs.existsSync(bundled)) return bundled;
  if (file === 'tree-sitter.wasm') return require.resolve('web-tree-sitter/tree-sitter.wasm');
  if (file === 'tree-sitter-lua.wasm') return require.resolve('@tree-sitter-grammars/tree-sitter-lua/tree-sitter-lua.wasm');
  return require.resolve(`tree-sitter-wasms/out/${file}`);
}

let init: Promise<void> | undefined;
const languages = new Map<string, Promise<TsLanguage>>();
const parsers = new Map<string, Parser>();
let loading: Promise<unknown> = Promise.resolve();
/** Emscripten makes the options object passed to Parser.init the module itself: its exports land on it. */
const moduleObject: Record<string, unknown> = { locateFile: () => locate('tree-sitter.wasm') };

export function initParsers(): Promise<void> {
  init ??= Parser.init(moduleObject as object);
  return init;
}

/**
 * The tree-cursor exports of tree-sitter.wasm, each taking the tree's address and working on the
 * cursor held in the transfer buffer (see SyntaxTree). Undefined before initParsers() resolves or
 * if this build of web-tree-sitter does not expose them; callers then use the public TreeCursor.
 */
export interface RawCursor {
  firstChild(tree: number): number;
  nextSibling(tree: number): number;
  parent(tree: number): number;
  typeId(tree: number): number;
  start(tree: number): number;
  end(tree: number): number;
  fieldId(tree: number): number;
  isMissing(tree: number): number;
  delete(tree: number): void;
}

let raw: RawCursor | null | undefined;
export function rawCursor(): RawCursor | undefined {
  if (raw === undefined) {
    const m = moduleObject;
    const fn = (name: string) => (typeof m[name] === 'function' ? (m[name] as (t: number) => number) : undefined);
    const r = {
      firstChild: fn('_ts_tree_cursor_goto_first_child_wasm'),
      nextSibling: fn('_ts_tree_cursor_goto_next_sibling_wasm'),
      parent: fn('_ts_tree_cursor_goto_parent_wasm'),
      typeId: fn('_ts_tree_cursor_current_node_type_id_wasm'),
      start: fn('_ts_tree_cursor_start_index_wasm'),
      end: fn('_ts_tree_cursor_end_index_wasm'),
      fieldId: fn('_ts_tree_cursor_current_field_id_wasm'),
      isMissing: fn('_ts_tree_cursor_current_node_is_missing_wasm'),
      delete: fn('_ts_tree_cursor_delete_wasm'),
    };
    if (Object.values(r).every((f) => f)) raw = r as RawCursor;
    else if (init) raw = null; // initialised and still missing: not this build
    else return undefined;
  }
  return raw ?? undefined;
}

export async function parserFor(lang: Exclude<Language, 'redis'>): Promise<Parser> {
  await initParsers();
  let p = parsers.get(lang);
  if (p) return p;
  let l = languages.get(lang);
  if (!l) {
    // one grammar at a time: loading WASM side modules concurrently mixes up their exports
    l = loading.then(() => TsLanguage.load(locate(GRAMMAR_FILES[lang])));
    loading = l.catch(() => undefined);
    languages.set(lang, l);
  }
  const language = await l;
  // another caller may have finished first
  p = parsers.get(lang);
  if (p) return p;
  p = new Parser();
  p.setLanguage(language);
  parsers.set(lang, p);
  return p;
}

export function languageOfPath(file: string): Language | undefined {
  const ext = path.extname(file).toLowerCase();
  switch (ext) {
    case '.py':
    case '.pyi':
      return 'python';
    case '.js':
    case '.mjs':
    case '.cjs':
    case '.jsx':
      return 'javascript';
    case '.ts':
    case '.mts':
    case '.cts':
      return file.endsWith('.d.ts') ? undefined : 'typescript';
    case '.tsx':
      return 'tsx';
    case '.go':
      return 'go';
    case '.java':
      return 'java';
    case '.kt':
    case '.kts':
      return 'kotlin';
    case '.lua':
      return 'lua';
    case '.redis':
      return 'redis';
    default:
      return undefined;
  }
}
