import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { extractTree } from '../extract/extractors';
import type { FileFacts, Language } from '../extract/ir';
import { languageOfPath, parserFor } from '../extract/parser';
import { SyntaxTree } from '../extract/tree';
import type { WorkFile, WorkRequest, WorkResponse, WorkResult } from '../extract/worker';
import { analyze, Analysis, extractFile } from './analyze';
import { listFiles, normalizeLineBreaks, readSource, Skipped, SourceFile, textSkip } from './files';
import { selectFiles, summarize, Summary } from './prefilter';
import type { TagRule } from '../model/hashtag';
import type { FactCache } from './factcache';
import { trace } from './trace';

export interface ScanResult extends Analysis {
  root: string;
  files: SourceFile[];
  /** file text by relative path, for line/column mapping */
  texts: Map<string, string>;
  skipped: Skipped[];
  syntaxErrors: string[];
  /** files that nest deeper than the extractors follow: analysed down to there */
  tooDeep: string[];
  invalidUtf8: string[];
}

export interface ScanOptions {
  excludes?: string[];
  extraClientNames?: string[];
  replicaClients?: string[];
  /** how the deployment finds the hashed part of a key (protocol.tagRuleOf) */
  tagRule?: TagRule;
  /**
   * Worker threads that read, summarise and parse while this thread extracts facts. Default: one
   * per core (at most 4) for 1,000 files or more, none below (or as KEYSLOT_WORKERS says).
   * The result is the same either way.
   */
  workers?: number;
  /** texts that stand for files, by relative path (`--stdin-filename`): read instead of the disk */
  overlay?: Map<string, string>;
}

/** Files below which starting workers costs more than it saves. */
const WORKER_THRESHOLD = 1000;

/** What the reading pass learned about the files, by position in the file list. */
export interface Gathered {
  skipped: Skipped[];
  invalidUtf8: string[];
  scanned: SourceFile[];
}

/** A file's summary for selectFiles; the summaries are dropped once the selection is made. */
type Summarized = Summary & { file: SourceFile; i: number };

/** The whole pipeline for a folder: list, read, extract, resolve, interpret. */
export async function scan(root: string, paths: string[], opts: ScanOptions = {}): Promise<ScanResult> {
  const skipped: Skipped[] = [];
  const files = listFiles(root, paths, opts.excludes ?? [], skipped);
  // a buffer that is not on disk (yet) is still a file of the workspace
  for (const rel of opts.overlay?.keys() ?? []) {
    const language = languageOfPath(rel);
    if (language && !files.some((f) => f.rel === rel)) files.push({ abs: path.join(root, rel), rel, language });
  }
  // Lua turns up in most Redis code (scripts in constants, .lua files): its grammar compiles in the
  // background while the files are read, instead of when the first script is met
  if (files.length) void parserFor('lua').catch(() => undefined);
  const { facts, texts, syntaxErrors, tooDeep, gathered } = await extractFiles(files, { workers: opts.workers, overlay: opts.overlay });
  trace('extracted');
  const a = await analyze(facts, { extraClientNames: opts.extraClientNames, replicaClients: opts.replicaClients, tagRule: opts.tagRule });
  trace('analyzed');
  const failed = (a.failed ?? []).map((x): Skipped => ({ rel: x.file, reason: 'failed', detail: x.message }));
  return { ...a, root, files: gathered.scanned, texts, skipped: [...skipped, ...gathered.skipped, ...failed], syntaxErrors, tooDeep, invalidUtf8: gathered.invalidUtf8 };
}

export interface ExtractOptions {
  /** worker threads (see ScanOptions.workers) */
  workers?: number;
  /** texts that stand for files (open editor buffers, `--stdin-filename`): read and parsed on this thread */
  overlay?: Map<string, string>;
  /** told after each parsed file, with the number of files chosen for parsing */
  progress?: (done: number, total: number) => void;
  /** gives the event loop a turn now and then (the language server answers requests meanwhile) */
  turn?: () => Promise<void>;
  /** what the last index learned (the language server's start): files not changed since are not read or parsed again */
  cache?: FactCache;
  /** facts made earlier in this index (the open files' first analysis), for the same text only */
  made?: (rel: string, text: string) => FileFacts | undefined;
}

/**
 * Reads the files, selects the ones that can hold Redis keys and extracts their facts: on worker
 * threads for a large folder, else on this thread, with the same result.
 */
export async function extractFiles(files: SourceFile[], opts: ExtractOptions = {}): Promise<Extracted> {
  const workers = opts.cache ? 0 : (opts.workers ?? defaultWorkers(files.length));
  return workers > 0 && workerEntry() ? await extractWithWorkers(files, workers, opts).catch(() => extractHere(files, opts)) : await extractHere(files, opts);
}

function defaultWorkers(files: number): number {
  const env = process.env.KEYSLOT_WORKERS;
  if (env !== undefined && env !== '' && Number.isFinite(Number(env))) return Math.max(0, Math.floor(Number(env)));
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return files >= WORKER_THRESHOLD && cores > 1 ? Math.min(4, cores) : 0;
}

export interface Extracted {
  facts: FileFacts[];
  texts: Map<string, string>;
  syntaxErrors: string[];
  tooDeep: string[];
  gathered: Gathered;
}

/**
 * A file's extraction, contained: an internal error in one file skips that file with the reason,
 * and the rest of the workspace is analysed.
 */
function contained(rel: string, g: Gathered, extract: () => FileFacts): FileFacts | undefined {
  try {
    return extract();
  } catch (e) {
    g.skipped.push({ rel, reason: 'failed', detail: (e as Error).message?.split('\n')[0] ?? String(e) });
    return undefined;
  }
}

/** Everything on this thread, one file at a time. */
async function extractHere(files: SourceFile[], opts: ExtractOptions): Promise<Extracted> {
  const g: Gathered = { skipped: [], invalidUtf8: [], scanned: [] };
  const summaries: Summarized[] = [];
  const read = (f: SourceFile) => readGiven(f, opts.overlay) ?? readSource(f);
  // texts of files that cannot hold Redis keys are summarised and dropped: 100k files do not fit
  for (const [i, f] of files.entries()) {
    await opts.turn?.();
    const known = !opts.overlay?.has(f.rel) && opts.cache?.summary(f);
    if (known) {
      summaries.push({ ...known, file: f, i });
      g.scanned.push(f);
      continue;
    }
    const r = read(f);
    if (r.skip) {
      g.skipped.push(r.skip);
      continue;
    }
    if (r.invalidUtf8) g.invalidUtf8.push(f.rel);
    const summary = summarize({ rel: f.rel, language: f.language, text: r.text! });
    if (!opts.overlay?.has(f.rel)) opts.cache?.keepSummary(f, summary);
    summaries.push({ ...summary, file: f, i });
    g.scanned.push(f);
  }
  const facts: FileFacts[] = [];
  const texts = new Map<string, string>();
  const syntaxErrors: string[] = [];
  const tooDeep: string[] = [];
  const chosen = selectFiles(summaries.splice(0));
  for (const [done, c] of chosen.entries()) {
    await opts.turn?.();
    opts.progress?.(done + 1, chosen.length);
    const text = c.text ?? read(c.file).text;
    if (text === undefined) continue;
    let ff = opts.made?.(c.rel, text) ?? opts.cache?.facts(c.rel, text);
    try {
      if (!ff) {
        ff = await extractFile(c.rel, text, c.language);
        opts.cache?.keepFacts(c.rel, text, ff);
      }
    } catch (e) {
      ff = contained(c.rel, g, () => {
        throw e;
      });
    }
    if (!ff) continue;
    if (ff.syntaxErrors) syntaxErrors.push(c.rel);
    if (ff.tooDeep) tooDeep.push(c.rel);
    facts.push(ff);
    texts.set(c.rel, text);
  }
  return { facts, texts, syntaxErrors, tooDeep, gathered: g };
}

/** A file's text from the overlay, as readSource would give it (undefined: not there, read the disk). */
function readGiven(f: SourceFile, overlay: Map<string, string> | undefined): ReturnType<typeof readSource> | undefined {
  const given = overlay?.get(f.rel);
  return given === undefined ? undefined : { text: normalizeLineBreaks(given), skip: textSkip(f, given), invalidUtf8: false };
}

/*
 * With workers: they read and summarise every file and parse the Redis files straight away; this
 * thread runs the extractors on the trees as they arrive (so parsing and extraction overlap),
 * then selects the other files worth parsing from the summaries and has the workers parse those.
 * Results are put back in file order, so facts, texts and messages come out as extractHere's.
 * If a worker cannot be started or dies, the caller starts over on this thread (an error that
 * belongs to a file, such as a parse that fails, then happens again there).
 */
async function extractWithWorkers(files: SourceFile[], n: number, opts: ExtractOptions): Promise<Extracted> {
  const pool = new ScanPool(n);
  try {
    const languages = new Map<Language, Awaited<ReturnType<typeof parserFor>>>();
    for (const l of new Set(files.map((f) => f.language))) if (l !== 'redis') languages.set(l, await parserFor(l));
    const facts: (FileFacts | undefined)[] = new Array(files.length);
    const texts: (string | undefined)[] = new Array(files.length);
    const g: Gathered = { skipped: [], invalidUtf8: [], scanned: [] };
    const extract = (r: WorkResult) => {
      const f = files[r.i];
      const text = r.text!;
      texts[r.i] = text;
      const tree = r.tree ? SyntaxTree.fromData(r.tree, languages.get(f.language)!.language!, text) : undefined;
      facts[r.i] = contained(f.rel, g, () => extractTree(f.rel, text, f.language, tree));
    };

    // the overlay's texts are here already: summarised on this thread, the rest read by the workers
    const read: (WorkResult | undefined)[] = new Array(files.length);
    const given = new Set<number>();
    for (const [i, f] of files.entries()) {
      const r = readGiven(f, opts.overlay);
      if (!r) continue;
      given.add(i);
      read[i] = r.skip ? { i, skip: r.skip } : { i, ...summarize({ rel: f.rel, language: f.language, text: r.text! }), text: r.text };
    }
    await pool.run('read', batches(files.flatMap((f, i) => (given.has(i) ? [] : [workFile(f, i)])), 64), (results) => {
      for (const r of results) {
        read[r.i] = r;
        if (r.text !== undefined) extract(r);
      }
    });
    let summaries: Summarized[] = [];
    files.forEach((f, i) => {
      const r = read[i]!;
      if (r.skip) {
        g.skipped.push(r.skip);
        return;
      }
      if (r.invalidUtf8) g.invalidUtf8.push(f.rel);
      summaries.push({ rel: f.rel, language: f.language, seed: r.seed!, imports: r.imports!, declared: r.declared!, text: r.text, file: f, i });
      g.scanned.push(f);
    });
    read.length = 0;
    trace('read');

    const chosen = selectFiles(summaries);
    summaries = [];
    let done = chosen.filter((c) => c.seed && !given.has(c.i)).length;
    const later = chosen.filter((c) => !c.seed && !given.has(c.i)).map((c) => workFile(files[c.i], c.i));
    await pool.run('parse', batches(later, 4), (results) => {
      for (const r of results) if (r.text !== undefined) extract(r);
      opts.progress?.((done += results.length), chosen.length);
    });
    for (const c of chosen) {
      if (!given.has(c.i)) continue;
      const f = files[c.i];
      texts[c.i] = c.text!;
      try {
        facts[c.i] = await extractFile(f.rel, c.text!, f.language);
      } catch (e) {
        contained(f.rel, g, () => {
          throw e;
        });
      }
      opts.progress?.(++done, chosen.length);
    }
    trace('parsed');

    const out: Extracted = { facts: [], texts: new Map(), syntaxErrors: [], tooDeep: [], gathered: g };
    for (const c of chosen) {
      const ff = facts[c.i];
      if (!ff) continue; // unreadable on the second read, or its extraction failed
      if (ff.syntaxErrors) out.syntaxErrors.push(c.rel);
      if (ff.tooDeep) out.tooDeep.push(c.rel);
      out.facts.push(ff);
      out.texts.set(c.rel, texts[c.i]!);
    }
    return out;
  } finally {
    await pool.close();
  }
}

function batches(files: WorkFile[], size: number): WorkFile[][] {
  const out: WorkFile[][] = [];
  for (let k = 0; k < files.length; k += size) out.push(files.slice(k, k + size));
  return out;
}

const workFile = (f: SourceFile, i: number): WorkFile => ({ abs: f.abs, rel: f.rel, language: f.language, i });

/** Requests queued per worker, so it does not wait while this thread extracts. */
const DEPTH = 4;

/** A few workers, each kept DEPTH requests deep. */
class ScanPool {
  private readonly workers: Worker[] = [];
  private nextId = 1;

  constructor(n: number) {
    for (let k = 0; k < n; k++) {
      const w = spawnWorker();
      // failures are reported to the run in progress; between runs they must not go unhandled
      w.on('error', () => undefined);
      this.workers.push(w);
    }
  }

  run(op: WorkRequest['op'], work: WorkFile[][], onResults: (r: WorkResult[]) => void): Promise<void> {
    if (!work.length) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let inFlight = 0;
      let failed = false;
      const cleanups: (() => void)[] = [];
      const finish = (err?: Error) => {
        if (failed) return;
        if (err) failed = true;
        for (const c of cleanups) c();
        if (err) reject(err);
        else resolve();
      };
      const send = (w: Worker, spare: ArrayBuffer[] = []) => {
        if (next >= work.length) return;
        const req: WorkRequest = { id: this.nextId++, op, files: work[next++] };
        if (spare.length) req.spare = spare;
        inFlight++;
        w.postMessage(req, spare);
      };
      for (const w of this.workers) {
        const onMessage = (m: WorkResponse) => {
          if (failed) return;
          inFlight--;
          if (m.error !== undefined) return finish(new Error(`keyslot worker: ${m.error}`));
          try {
            onResults(m.results!);
          } catch (e) {
            return finish(e as Error);
          }
          // the trees were read synchronously by onResults: their buffers go back with the next request
          send(w, m.results!.flatMap((r) => (r.tree ? [r.tree.buffer] : [])));
          if (inFlight === 0 && next >= work.length) finish();
        };
        const onError = (e: Error) => finish(e);
        const onExit = (code: number) => finish(new Error(`keyslot worker exited with code ${code}`));
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        cleanups.push(() => {
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        });
      }
      for (let depth = 0; depth < DEPTH; depth++) for (const w of this.workers) send(w);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * How to start a worker: dist/worker.js next to the bundle; from sources (tests, bench) the
 * TypeScript entry through tsx. Undefined when neither is there (a bundle shipped without it):
 * the scan then runs on this thread.
 */
let entry: { script: string; eval: boolean } | null | undefined;
function workerEntry(): { script: string; eval: boolean } | undefined {
  if (entry === undefined) {
    entry = null;
    const bundled = path.join(__dirname, 'worker.js');
    const source = path.join(__dirname, '..', 'extract', 'worker.ts');
    if (fs.existsSync(bundled)) entry = { script: bundled, eval: false };
    else if (fs.existsSync(source)) {
      try {
        const tsx = require.resolve('tsx/cjs/api');
        entry = { script: `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`, eval: true };
      } catch {
        // no tsx: no workers
      }
    }
  }
  return entry ?? undefined;
}

function spawnWorker(): Worker {
  const e = workerEntry()!;
  return new Worker(e.script, { eval: e.eval });
}

/** 1-based line and column (UTF-16 units) of an offset. */
export class LineMap {
  private starts: number[] = [0];
  /** Line breaks as the LSP counts them: LF, CRLF and a lone CR. */
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
}
