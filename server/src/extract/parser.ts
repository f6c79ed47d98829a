import * as fs from 'fs';
import * as path from 'path';
import { Language as TsLanguage, Parser } from 'web-tree-sitter';
import type { Language } from './ir';

/*
 * Grammars: web-tree-sitter 0.25 loads both the ABI-14 grammars of `tree-sitter-wasms` (Python,
 * JS, TS, TSX, Go, Java) and the ABI-15 Lua grammar of `@tree-sitter-grammars/tree-sitter-lua`
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

export function initParsers(): Promise<void> {
  init ??= Parser.init({ locateFile: () => locate('tree-sitter.wasm') });
  return init;
}

export async function parserFor(lang: Exclude<Language, 'redis'>): Promise<Parser> {
  await initParsers();
  let p = parsers.get(lang);
  if (p) return p;
  let l = languages.get(lang);
  if (!l) {
    l = TsLanguage.load(locate(GRAMMAR_FILES[lang]));
    languages.set(lang, l);
  }
  p = new Parser();
  p.setLanguage(await l);
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
    case '.lua':
      return 'lua';
    case '.redis':
      return 'redis';
    default:
      return undefined;
  }
}
