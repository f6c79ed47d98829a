import type { FileFacts } from '../extract/ir';
import { analyze, Analysis, extractFile } from './analyze';
import { listFiles, readSource, Skipped, SourceFile } from './files';
import { selectFiles, summarize, Summary } from './prefilter';

export interface ScanResult extends Analysis {
  root: string;
  files: SourceFile[];
  /** file text by relative path, for line/column mapping */
  texts: Map<string, string>;
  skipped: Skipped[];
  syntaxErrors: string[];
  invalidUtf8: string[];
}

export interface ScanOptions {
  excludes?: string[];
  extraClientNames?: string[];
  replicaClients?: string[];
}

/** The whole pipeline for a folder: list, read, extract, resolve, interpret. */
export async function scan(root: string, paths: string[], opts: ScanOptions = {}): Promise<ScanResult> {
  const skipped: Skipped[] = [];
  const files = listFiles(root, paths, opts.excludes ?? [], skipped);
  const facts: FileFacts[] = [];
  const texts = new Map<string, string>();
  const syntaxErrors: string[] = [];
  const invalidUtf8: string[] = [];
  const scanned: SourceFile[] = [];
  // texts of files that cannot hold Redis keys are summarised and dropped: 100k files do not fit
  const summaries: (Summary & { file: SourceFile })[] = [];
  for (const f of files) {
    const r = readSource(f);
    if (r.skip) {
      skipped.push(r.skip);
      continue;
    }
    if (r.invalidUtf8) invalidUtf8.push(f.rel);
    summaries.push({ ...summarize({ rel: f.rel, language: f.language, text: r.text! }), file: f });
    scanned.push(f);
  }
  for (const c of selectFiles(summaries)) {
    const text = c.text ?? readSource(c.file).text;
    if (text === undefined) continue;
    const ff = await extractFile(c.rel, text, c.language);
    if (ff.syntaxErrors) syntaxErrors.push(c.rel);
    facts.push(ff);
    texts.set(c.rel, text);
  }
  const a = await analyze(facts, { extraClientNames: opts.extraClientNames, replicaClients: opts.replicaClients });
  return { ...a, root, files: scanned, texts, skipped, syntaxErrors, invalidUtf8 };
}

/** 1-based line and column (UTF-16 units) of an offset. */
export class LineMap {
  private starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
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
