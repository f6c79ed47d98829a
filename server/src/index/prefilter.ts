import * as path from 'path';
import type { Language } from '../extract/ir';
import { pushTo } from '../model/collections';
import { REDIS_ONLY_CALL_TEXT } from '../clients/profiles';

/*
 * Which files are worth parsing. Most of a workspace never touches Redis: a text test finds the
 * files that name a Redis library (every client is built in one), then the files those import
 * (key builders, constants) and the files that import them (code using a client built elsewhere),
 * by the module names on their import lines. Files that call Redis-only methods (`.zadd(`,
 * `redis.call(`) are Redis files too: libraries take the client from their user and import none.
 * Lua and .redis files are always parsed.
 */
/** An import of a Redis client library, per language: where clients are made or typed. */
const REDIS_IMPORT: Partial<Record<Language, RegExp>> = {
  python: /^\s*(?:from|import)\s+(?:redis|aioredis|rediscluster|valkey|rq|glide)\b/m,
  javascript: /(?:from\s*|require\(\s*|import\(\s*)['"](?:ioredis|redis|@redis\/[\w-]+|iovalkey|@valkey\/[\w-]+|bullmq)['"]/,
  go: /"github\.com\/(?:redis\/go-redis|go-redis\/redis|redis\/rueidis|rueian\/rueidis|valkey-io|gomodule\/redigo|garyburd\/redigo)[^"]*"/,
  // (Spring's cache annotations keep keys in Redis where the project's cache is a RedisCacheManager)
  java: /^\s*import\s+(?:static\s+)?(?:redis\.clients|io\.lettuce|org\.redisson|io\.valkey|org\.springframework\.data\.redis|org\.springframework\.cache\.annotation|glide\.api)\./m,
};
REDIS_IMPORT.kotlin = REDIS_IMPORT.java;
REDIS_IMPORT.typescript = REDIS_IMPORT.javascript;
REDIS_IMPORT.tsx = REDIS_IMPORT.javascript;

/** Python settings of frameworks that keep their data in Redis (Django's CACHES with django-redis, Celery's broker and result backend). */
const FRAMEWORK_SETTINGS = /^\s*(?:from|import)\s+celery\b|django_redis\.cache\.|\b(?:CELERY_BROKER_URL|BROKER_URL|broker_url|CELERY_RESULT_BACKEND|result_backend)\b/m;

/** A file that names a Redis library, or calls Redis-only methods on a client it was handed (`this.client.hincrby(`). */
function importsRedis(c: Candidate): boolean {
  if (c.language === 'python' && FRAMEWORK_SETTINGS.test(c.text)) return true;
  return c.language === 'lua' || c.language === 'redis' || !!REDIS_IMPORT[c.language]?.test(c.text) || REDIS_ONLY_CALL_TEXT.test(c.text);
}

export interface Candidate {
  rel: string;
  language: Language;
  text: string;
}

/** What selection needs of a file; the text is kept only for files that import a Redis library. */
export interface Summary {
  rel: string;
  language: Language;
  seed: boolean;
  imports: string[];
  /** Go package-level names, or the Java class name */
  declared: string[];
  text?: string;
}

export function summarize(c: Candidate): Summary {
  const seed = importsRedis(c);
  return { rel: c.rel, language: c.language, seed, imports: importedNames(c.text, c.language, c.rel), declared: declaredNames(c), text: seed ? c.text : undefined };
}

/** Module names on a file's import lines (the last path component: `app.keys` → keys, `./keys.js` → keys). */
export function importedNames(text: string, language: Language, rel = ''): string[] {
  const out: string[] = [];
  const add = (m: string) => {
    const last = m.split(/[/.]/).filter(Boolean).pop();
    if (last) out.push(last.replace(/\.(js|ts|mjs|cjs|jsx|tsx)$/, ''));
  };
  switch (language) {
    case 'python':
      // `from app.keys import cart_key` → keys; `from . import keys` → keys
      for (const m of text.matchAll(/^\s*from\s+([\w.]+)\s+import\s+([\w, ()]+)/gm)) {
        if (/^\.+$/.test(m[1])) {
          for (const n of m[2].split(/[,()\s]+/)) if (n && n !== 'as') out.push(n);
        } else {
          add(m[1]);
          // `from app import redis_conn`: what a package's __init__.py must define for this file to use it
          const pkg = out[out.length - 1];
          for (const n of m[2].split(/[,()\s]+/)) if (n && n !== 'as') out.push(`${pkg}:${n}`);
        }
      }
      for (const m of text.matchAll(/^\s*import\s+([\w.]+)/gm)) add(m[1]);
      break;
    case 'javascript':
    case 'typescript':
    case 'tsx':
      // only the project's own modules: relative paths, and path aliases (`@server/storage/redis`, `~/lib/redis`),
      // which are marked (ALIAS) because `@scope/package` looks the same: they only select backward
      for (const m of text.matchAll(/(?:\bfrom\s*|\brequire\(\s*|\bimport\(\s*|^\s*import\s+)['"]([.@~][^'"]*)['"]/gm)) {
        if (!m[1].startsWith('.') && !/^[@~][\w-]*\//.test(m[1])) continue;
        // a relative path names one file: its path from the root, without extension or /index
        if (m[1].startsWith('.')) out.push(PATH + modulePath(path.posix.join(path.posix.dirname(rel), m[1])));
        else {
          const before = out.length;
          add(m[1].replace(/\/index$/, ''));
          if (out.length > before) out[out.length - 1] = ALIAS + out[out.length - 1];
        }
      }
      break;
    case 'go':
      // module paths have a dot in their first element; the standard library does not
      for (const m of text.matchAll(/"([\w-]+\.[\w.-]+\/[\w./-]+)"/g)) add(m[1]);
      break;
    case 'java':
    case 'kotlin':
      // (Kotlin's imports end without a semicolon)
      for (const m of text.matchAll(/^\s*import\s+(?:static\s+)?([\w.]+)\s*;?\s*$/gm)) if (!/^(java|javax|jdk|sun|kotlin|kotlinx)\./.test(m[1])) add(m[1]);
      break;
    case 'lua':
      for (const m of text.matchAll(/require\s*\(?\s*['"]([\w./]+)['"]/g)) add(m[1]);
      break;
    default:
  }
  return out;
}

/** Marks an imported JS/TS module given by a relative path: the rest is the file's path (modulePath). */
const PATH = '/';

/** `src/lib/keys.ts`, `src/lib/keys/index.js` → `src/lib/keys` */
function modulePath(p: string): string {
  return p.replace(/\.(js|ts|mjs|cjs|jsx|tsx|mts|cts)$/, '').replace(/\/index$/, '');
}

/** Marks an imported name that came from a path alias: it selects the files importing a Redis file, not the files it names. */
const ALIAS = '~';

/** Where files are found by the module names on import lines (importedNames), from their paths alone. */
export class ModuleIndex<T extends { rel: string; language: Language }> {
  private readonly byName = new Map<string, T[]>();
  private readonly byPath = new Map<string, T[]>();
  private readonly byDir = new Map<string, T[]>();
  private readonly goByPackage = new Map<string, T[]>();

  constructor(files: Iterable<T>) {
    for (const c of files) {
      pushTo(this.byName, moduleNameOf(c.rel), c);
      if (c.language === 'javascript' || c.language === 'typescript' || c.language === 'tsx') pushTo(this.byPath, PATH + modulePath(c.rel), c);
      const dir = path.posix.dirname(c.rel);
      pushTo(this.byDir, dir, c);
      if (c.language === 'go') pushTo(this.goByPackage, path.posix.basename(dir), c);
    }
  }

  /** The files an import names (a path alias names none: it only selects backward). */
  imported(name: string): T[] {
    if (name.startsWith(ALIAS)) return [];
    return (name.startsWith(PATH) ? this.byPath : this.byName).get(name) ?? [];
  }

  /** Go files of the packages an import's last element names. */
  goPackage(name: string): T[] {
    return this.goByPackage.get(name) ?? [];
  }

  /** The files of a folder. */
  inDir(dir: string): T[] {
    return this.byDir.get(dir) ?? [];
  }

  /**
   * The files of `c`'s own package that it sees without an import: for Go the package-level names
   * `declared` by the files of its folder that `c`'s text mentions, for Java and Kotlin the classes.
   */
  samePackage(c: Summary & { text: string }, declared: (x: T) => string[]): T[] {
    if (c.language !== 'go' && c.language !== 'java' && c.language !== 'kotlin') return [];
    const mentions = mentionTest(c.text);
    // (Kotlin and Java files of one package see each other)
    const kin = (x: T) => x.language === c.language || (c.language !== 'go' && (x.language === 'java' || x.language === 'kotlin'));
    return this.inDir(path.posix.dirname(c.rel)).filter((x) => x.rel !== c.rel && kin(x) && declared(x).some(mentions));
  }
}

/** The name a file is imported by: its base name, or its folder's for a package's __init__.py / index.js. */
function moduleNameOf(rel: string): string {
  const base = path.posix.basename(rel).replace(/\.[^.]+$/, '');
  return base === '__init__' || base === 'index' ? path.posix.basename(path.posix.dirname(rel)) : base;
}

/** The files to parse, in their original order. */
export function selectFiles<T extends Summary>(files: T[]): T[] {
  const chosen = new Set<T>();
  const index = new ModuleIndex(files);
  for (const c of files) if (c.seed) chosen.add(c);
  const seeds = [...chosen];
  // forward: what the Redis files import; Go packages and Java classes also see their own folder
  for (const c of seeds) {
    for (const n of c.imports) for (const x of index.imported(n)) chosen.add(x);
    if (c.language === 'go') for (const n of c.imports) for (const x of index.goPackage(n)) chosen.add(x);
    for (const x of index.samePackage({ ...c, text: c.text ?? '' }, (x) => x.declared)) chosen.add(x);
  }
  // backward: files that import a Redis file (a client or key builder defined there)
  // a package's __init__.py is used by the files that import one of its names, not by every file of the package
  const seedNames = new Set(seeds.flatMap((c) => (isPackageInit(c) ? c.declared.map((d) => `${moduleNameOf(c.rel)}:${d}`) : [moduleNameOf(c.rel), PATH + modulePath(c.rel)])));
  const seedDirs = new Set(seeds.filter((c) => c.language === 'go').map((c) => path.posix.basename(path.posix.dirname(c.rel))));
  // a Go package shares its package-level names without imports (`Config.Pool` declared in config.go,
  // used in stats.go): every file of a Redis file's package is read
  const seedPackages = new Set(seeds.filter((c) => c.language === 'go').map((c) => path.posix.dirname(c.rel)));
  for (const c of files) {
    if (chosen.has(c)) continue;
    if (c.imports.some((n) => seedNames.has(n.startsWith(ALIAS) ? n.slice(1) : n) || (c.language === 'go' && seedDirs.has(n)))) chosen.add(c);
    else if (c.language === 'go' && seedPackages.has(path.posix.dirname(c.rel))) chosen.add(c);
  }
  return files.filter((c) => chosen.has(c));
}

/**
 * Whether `text` mentions a name as a whole word (`\\bname\\b`). A name made of word characters
 * matches exactly when it is one of the text's maximal runs of word characters, so those are
 * collected once per text instead of compiling a pattern per name; other names keep the pattern.
 */
function mentionTest(text: string): (name: string) => boolean {
  let words: Set<string> | undefined;
  return (name) => {
    if (!/^\w+$/.test(name)) return new RegExp(`\\b${name}\\b`).test(text);
    words ??= new Set(text.match(/\w+/g) ?? []);
    return words.has(name);
  };
}

function isPackageInit(c: Summary): boolean {
  return c.language === 'python' && path.posix.basename(c.rel) === '__init__.py';
}

/** Package-level names of a Go file (functions without a receiver, consts, vars), a Java file's class name, or what a Python __init__.py defines. */
function declaredNames(x: Candidate): string[] {
  if (x.language === 'java') return [path.posix.basename(x.rel, '.java')];
  // a Kotlin file declares its classes, objects and top-level functions by name
  if (x.language === 'kotlin') return [...x.text.matchAll(/^(?:(?:private|internal|public|data|open|abstract|sealed)\s+)*(?:class|object|interface|fun)\s+(?:<[^>]*>\s*)?(\w+)/gm)].map((m) => m[1]);
  if (x.language === 'python' && path.posix.basename(x.rel) === '__init__.py') return [...x.text.matchAll(/^(?:def\s+|class\s+)?(\w+)\s*[=(:]/gm)].map((m) => m[1]);
  return x.language === 'go' ? goPackageNames(x.text) : [];
}

/** A Go file's package-level names: functions without a receiver, consts and vars, and with `types` its types. */
export function goPackageNames(text: string, types = false): string[] {
  const kinds = types ? 'const|var|type' : 'const|var';
  const names: string[] = [];
  for (const m of text.matchAll(new RegExp(`^func\\s+(\\w+)|^(?:${kinds})\\s+(\\w+)`, 'gm'))) names.push(m[1] ?? m[2]);
  for (const block of text.matchAll(new RegExp(`^(?:${kinds})\\s*\\(([\\s\\S]*?)^\\)`, 'gm'))) for (const m of block[1].matchAll(/^\s*(\w+)/gm)) names.push(m[1]);
  return names.filter((n) => n !== '_');
}
