import type { Extractor } from './base';
import { GoExtractor } from './go';
import type { FileFacts, Language } from './ir';
import { JavaExtractor } from './java';
import { KotlinExtractor } from './kotlin';
import { JavaScriptExtractor } from './javascript';
import { LuaExtractor } from './lua';
import { PythonExtractor } from './python';
import { extractRedisFile } from './redisfile';
import type { SyntaxTree } from './tree';

/** The extractor class of each parsed language (`.redis` files have their own line reader). */
export const EXTRACTORS: Record<Exclude<Language, 'redis'>, new (file: string, lang: Language, src: string) => Extractor> = {
  python: PythonExtractor,
  javascript: JavaScriptExtractor,
  typescript: JavaScriptExtractor,
  tsx: JavaScriptExtractor,
  go: GoExtractor,
  java: JavaExtractor,
  kotlin: KotlinExtractor,
  lua: LuaExtractor,
};

/** Facts of a file whose tree was already copied out of tree-sitter (on this thread or a worker); `.redis` files need no tree. */
export function extractTree(file: string, source: string, language: Language, tree: SyntaxTree | undefined, moduleScope = 'module'): FileFacts {
  if (language === 'redis') return extractRedisFile(file, source);
  if (!tree) throw new Error(`no syntax tree for ${file}`);
  return new EXTRACTORS[language](file, language, source).runOn(tree, moduleScope);
}
