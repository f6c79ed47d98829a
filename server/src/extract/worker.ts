import { parentPort } from 'worker_threads';
import { readSource, Skipped, SourceFile } from '../index/files';
import { summarize } from '../index/prefilter';
import type { Language } from './ir';
import { initParsers, parserFor } from './parser';
import { SyntaxTree, SyntaxTreeData } from './tree';

/*
 * A cold-index worker (dist/worker.js): reads and summarises files for the prefilter and parses
 * the ones worth parsing, handing back each tree as flat arrays in one transferred buffer. The
 * main thread runs the extractors on those arrays, so no facts objects cross threads and the
 * output does not depend on how the work was split.
 *
 *   read  - read + summarise every file; files that import a Redis library (always selected)
 *           also come back with their text and tree
 *   parse - read + parse (files selected later, for their imports)
 */

export interface WorkFile extends SourceFile {
  /** position in the scan's file list */
  i: number;
}

export interface WorkRequest {
  id: number;
  op: 'read' | 'parse';
  files: WorkFile[];
  /** tree buffers the main thread is done with, handed back to be filled again */
  spare?: ArrayBuffer[];
}

export interface WorkResult {
  i: number;
  skip?: Skipped;
  invalidUtf8?: boolean;
  /** read: what selection needs (no text) */
  seed?: boolean;
  imports?: string[];
  declared?: string[];
  /** the text, for files to extract */
  text?: string;
  tree?: SyntaxTreeData;
}

export interface WorkResponse {
  id: number;
  results?: WorkResult[];
  error?: string;
}

/*
 * Tree buffers go round: filled here, transferred, read by the main thread's extractor and
 * transferred back with a later request. Without that every tree is a fresh buffer that the main
 * thread's garbage collector takes its time over: on a 100,000-file tree, 450 MB outside the heap.
 */
const spares: ArrayBuffer[] = [];
const SPARES_MAX = 64;

/** A returned buffer of at least `bytes` (the smallest such), if there is one. */
function reuse(bytes: number): ArrayBuffer | undefined {
  let best = -1;
  for (let k = 0; k < spares.length; k++) if (spares[k].byteLength >= bytes && (best < 0 || spares[k].byteLength < spares[best].byteLength)) best = k;
  if (best < 0) return undefined;
  const b = spares[best];
  spares[best] = spares[spares.length - 1];
  spares.pop();
  return b;
}

async function parse(language: Language, text: string): Promise<SyntaxTreeData | undefined> {
  if (language === 'redis') return undefined;
  const tree = (await parserFor(language)).parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return SyntaxTree.fromTree(tree, text, reuse).data(false);
  } finally {
    tree.delete();
  }
}

async function handle(req: WorkRequest): Promise<{ results: WorkResult[]; transfer: ArrayBuffer[] }> {
  const results: WorkResult[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const f of req.files) {
    const r = readSource(f);
    if (req.op === 'parse') {
      if (r.text === undefined) results.push({ i: f.i });
      else {
        const tree = await parse(f.language, r.text);
        if (tree) transfer.push(tree.buffer);
        results.push({ i: f.i, text: r.text, tree });
      }
      continue;
    }
    if (r.skip) {
      results.push({ i: f.i, skip: r.skip });
      continue;
    }
    const s = summarize({ rel: f.rel, language: f.language, text: r.text! });
    const out: WorkResult = { i: f.i, seed: s.seed, imports: s.imports, declared: s.declared };
    if (r.invalidUtf8) out.invalidUtf8 = true;
    if (s.seed) {
      out.text = r.text;
      out.tree = await parse(f.language, r.text!);
      if (out.tree) transfer.push(out.tree.buffer);
    }
    results.push(out);
  }
  return { results, transfer };
}

const PRELOAD = ['python', 'javascript', 'typescript', 'tsx', 'go', 'java', 'kotlin', 'lua'] as const;

if (parentPort) {
  const port = parentPort;
  // grammars load while the main thread lists files
  void initParsers()
    .then(() => Promise.all(PRELOAD.map((l) => parserFor(l)))) // loads are queued one after another
    .catch(() => undefined); // a grammar that fails to load fails the request that needs it
  port.on('message', (req: WorkRequest) => {
    for (const b of req.spare ?? []) if (spares.length < SPARES_MAX) spares.push(b);
    handle(req).then(
      ({ results, transfer }) => port.postMessage({ id: req.id, results } satisfies WorkResponse, transfer),
      (err: unknown) => port.postMessage({ id: req.id, error: `${(err as Error)?.message ?? err}` } satisfies WorkResponse),
    );
  });
}
