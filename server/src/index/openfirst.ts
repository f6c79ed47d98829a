import * as path from 'path';
import type { Language } from '../extract/ir';
import type { SourceFile } from './files';
import { goPackageNames, ModuleIndex, summarize, Summary } from './prefilter';

/*
 * The files an open file's first analysis reads at start-up, before the rest of a large folder
 * (issue "The editor on real repositories": first diagnostics for the open file ≤ 1 s on a
 * 3,000-file workspace). Its analysis looks names up across the workspace; most of what it finds
 * is in what the file imports (a key builder, a constant, the module that makes the client) and
 * what those import in turn, found from the file list alone, as the prefilter finds them. What
 * other files add (a caller's arguments, a group continued elsewhere, a hot tag) comes with the
 * whole folder's index, as with every open-first start.
 */

/** Import steps followed from an open file: its imports, and theirs (a builder's prefix constant). */
const DEPTH = 2;
/** Files an import name may stand for (`keys.py` in several packages): the ones nearest the importer. */
const PER_NAME = 3;
/** At most this many files and this much text in all: beyond that the first analysis is no longer quick. */
export const NEIGHBOURHOOD_MAX = 64;
const NEIGHBOURHOOD_CHARS = 256 * 1024;

/**
 * The open files and the files they reach through imports (and Go, Java and Kotlin files of their
 * own package that they mention), nearest first, at most NEIGHBOURHOOD_MAX files and
 * NEIGHBOURHOOD_CHARS of text. `read` gives a file's text (an editor's buffer or the disk),
 * undefined when it cannot be read.
 */
export function openNeighbourhood(open: SourceFile[], files: SourceFile[], read: (f: SourceFile) => string | undefined): SourceFile[] {
  const index = new ModuleIndex(files);
  const out = new Set<SourceFile>();
  const summaryOf = (f: SourceFile): (Summary & { text: string }) | undefined => {
    const text = read(f);
    return text === undefined ? undefined : { ...summarize({ rel: f.rel, language: f.language, text }), text };
  };
  const declared = new Map<SourceFile, string[]>();
  const declaredOf = (f: SourceFile) => {
    let d = declared.get(f);
    if (!d) declared.set(f, (d = f.language === 'java' ? [path.posix.basename(f.rel, '.java')] : (summaryOf(f)?.declared ?? [])));
    return d;
  };
  const goNames = new Map<SourceFile, string[]>();
  const goNamesOf = (f: SourceFile) => {
    let d = goNames.get(f);
    if (!d) goNames.set(f, (d = goPackageNames(read(f) ?? '', true)));
    return d;
  };
  let frontier: (Summary & { text: string })[] = [];
  let chars = 0;
  for (const f of open) {
    out.add(f);
    const s = summaryOf(f);
    if (s) frontier.push(s);
    chars += s?.text.length ?? 0;
  }
  for (let depth = 0; depth < DEPTH && frontier.length; depth++) {
    const next: (Summary & { text: string })[] = [];
    for (const s of frontier) {
      const reached: SourceFile[] = [];
      if (s.language !== 'go') for (const n of s.imports) reached.push(...nearest(index.imported(n).filter((f) => family(f) === family(s)), s.rel, PER_NAME));
      else {
        // a Go import names a package (a folder): of the nearest folder of that name, the files that
        // declare what this one names through it (`keys.Job`); a package of generated code has dozens
        const used = goQualifiedNames(s.text);
        for (const n of s.imports) reached.push(...nearestFolder(index.goPackage(n), s.rel).filter((f) => !isGoTest(f) && goNamesOf(f).some((d) => used.get(n)?.has(d))));
      }
      // (only a Go test sees the names of its package's tests)
      reached.push(...index.samePackage(s, declaredOf).filter((f) => !isGoTest(f) || isGoTest(s)));
      for (const f of reached) {
        if (out.has(f)) continue;
        if (out.size >= NEIGHBOURHOOD_MAX || chars >= NEIGHBOURHOOD_CHARS) return [...out];
        out.add(f);
        const r = summaryOf(f);
        if (r) next.push(r);
        chars += r?.text.length ?? 0;
      }
    }
    frontier = next;
  }
  return [...out];
}

/** Path segments two relative paths share from the start. */
function shared(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  let n = 0;
  while (n < x.length - 1 && n < y.length - 1 && x[n] === y[n]) n++;
  return n;
}

/** The candidates whose paths share the most folders with `from` (at most `max`): an import names one module. */
function nearest(candidates: SourceFile[], from: string, max: number): SourceFile[] {
  if (candidates.length <= 1) return candidates;
  const best = Math.max(...candidates.map((c) => shared(c.rel, from)));
  return candidates.filter((c) => shared(c.rel, from) === best).slice(0, max);
}

/** The files of the one folder, among the candidates', nearest `from` (a Go package is a folder). */
function nearestFolder(candidates: SourceFile[], from: string): SourceFile[] {
  if (!candidates.length) return [];
  const best = nearest(candidates, from, 1)[0];
  const dir = path.posix.dirname(best.rel);
  return candidates.filter((c) => path.posix.dirname(c.rel) === dir);
}

/** What a Go file names through each package it imports, by the import path's last element: `keys.Job` → keys: {Job}. */
function goQualifiedNames(text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of text.matchAll(/^\s*(?:import\s+)?(?:(\w+)\s+)?"([\w.-]+\/[\w./-]+)"/gm)) {
    const last = m[2].split('/').pop()!;
    const names = out.get(last) ?? new Set<string>();
    out.set(last, names);
    for (const x of text.matchAll(new RegExp(`\\b${m[1] ?? last.replace(/[^\w]/g, '')}\\.(\\w+)`, 'g'))) names.add(x[1]);
  }
  return out;
}

/** Languages whose files import each other. */
function family(f: { language: Language }): string {
  return f.language === 'typescript' || f.language === 'tsx' ? 'javascript' : f.language === 'kotlin' ? 'java' : f.language;
}

const isGoTest = (f: { rel: string }) => f.rel.endsWith('_test.go');
