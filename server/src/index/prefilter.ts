import * as path from 'path';
import type { Language } from '../extract/ir';

/*
 * Which files are worth parsing. Most of a workspace never touches Redis: a text test finds the
 * files that name a Redis library (every client is built in one), then the files those import
 * (key builders, constants) and the files that import them (code using a client built elsewhere),
 * by the module names on their import lines. Lua and .redis files are always parsed.
 */
const REDIS_MARK = /redis|lettuce|valkey/i;

export interface Candidate {
  rel: string;
  language: Language;
  text: string;
}

/** Module names on a file's import lines (the last path component: `app.keys` → keys, `./keys.js` → keys). */
export function importedNames(text: string, language: Language): string[] {
  const out: string[] = [];
  const add = (m: string) => {
    const last = m.split(/[/.]/).filter(Boolean).pop();
    if (last) out.push(last.replace(/\.(js|ts|mjs|cjs|jsx|tsx)$/, ''));
  };
  switch (language) {
    case 'python':
      for (const m of text.matchAll(/^\s*from\s+([\w.]+)\s+import\s+([\w, ()]+)/gm)) {
        add(m[1]);
        for (const n of m[2].split(/[,()\s]+/)) if (n && n !== 'as') out.push(n);
      }
      for (const m of text.matchAll(/^\s*import\s+([\w.]+)/gm)) add(m[1]);
      break;
    case 'javascript':
    case 'typescript':
    case 'tsx':
      for (const m of text.matchAll(/(?:\bfrom\s*|\brequire\(\s*|\bimport\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)) add(m[1].replace(/\/index$/, ''));
      break;
    case 'go':
      for (const m of text.matchAll(/"([\w./-]+)"/g)) add(m[1]);
      break;
    case 'java':
      for (const m of text.matchAll(/^\s*import\s+(?:static\s+)?([\w.]+)\s*;/gm)) add(m[1]);
      break;
    case 'lua':
      for (const m of text.matchAll(/require\s*\(?\s*['"]([\w./]+)['"]/g)) add(m[1]);
      break;
    default:
  }
  return out;
}

/** The files to parse, in their original order. */
export function selectFiles(files: Candidate[]): Candidate[] {
  const chosen = new Set<Candidate>();
  const byName = new Map<string, Candidate[]>();
  const byDir = new Map<string, Candidate[]>();
  const nameOf = (c: Candidate) => path.posix.basename(c.rel).replace(/\.[^.]+$/, '');
  const goByPackage = new Map<string, Candidate[]>();
  for (const c of files) {
    byName.set(nameOf(c), [...(byName.get(nameOf(c)) ?? []), c]);
    const dir = path.posix.dirname(c.rel);
    byDir.set(dir, [...(byDir.get(dir) ?? []), c]);
    if (c.language === 'go') goByPackage.set(path.posix.basename(dir), [...(goByPackage.get(path.posix.basename(dir)) ?? []), c]);
    if (c.language === 'lua' || c.language === 'redis' || REDIS_MARK.test(c.text)) chosen.add(c);
  }
  const seeds = [...chosen];
  const importsOf = new Map(files.map((c) => [c, importedNames(c.text, c.language)]));
  // forward: what the Redis files import; Go packages and Java classes also see their own folder
  for (const c of seeds) {
    for (const n of importsOf.get(c)!) for (const x of byName.get(n) ?? []) chosen.add(x);
    if (c.language === 'go') for (const n of importsOf.get(c)!) for (const x of goByPackage.get(n) ?? []) chosen.add(x);
    if (c.language === 'go' || c.language === 'java') {
      for (const x of byDir.get(path.posix.dirname(c.rel)) ?? []) if (x.language === c.language && (c.language === 'go' || new RegExp(`\\b${nameOf(x)}\\b`).test(c.text))) chosen.add(x);
    }
  }
  // backward: files that import a Redis file (a client or key builder defined there)
  const seedNames = new Set(seeds.map(nameOf));
  const seedDirs = new Set(seeds.filter((c) => c.language === 'go').map((c) => path.posix.basename(path.posix.dirname(c.rel))));
  for (const c of files) {
    if (chosen.has(c)) continue;
    if (importsOf.get(c)!.some((n) => seedNames.has(n) || (c.language === 'go' && seedDirs.has(n)))) chosen.add(c);
  }
  return files.filter((c) => chosen.has(c));
}
