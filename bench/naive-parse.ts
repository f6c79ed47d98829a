import { parserFor } from '../server/src/extract/parser';
import { listFiles, readSource, Skipped } from '../server/src/index/files';

/*
 * The "parse everything" baseline: the same files keyslot would scan (same walk, same read and
 * skip rules), each parsed with tree-sitter and the tree thrown away - nothing else. A scanner
 * that parses every file can never beat this, so the budget asks for a third of it.
 */

export interface NaiveResult {
  files: number;
  parsed: number;
  bytes: number;
  ms: number;
}

export async function parseEverything(root: string): Promise<NaiveResult> {
  const t0 = performance.now();
  const skipped: Skipped[] = [];
  const files = listFiles(root, [root], [], skipped);
  let parsed = 0;
  let bytes = 0;
  for (const f of files) {
    const r = readSource(f);
    if (r.skip) continue;
    bytes += r.text!.length;
    // .redis files are read line by line, not with tree-sitter
    if (f.language === 'redis') continue;
    const tree = (await parserFor(f.language)).parse(r.text!);
    tree?.delete();
    parsed++;
  }
  return { files: files.length, parsed, bytes, ms: performance.now() - t0 };
}

/** Whole-process entry (bundled by run.ts like the CLI): prints the result as JSON. */
if (require.main === module) {
  const root = process.argv[2];
  if (!root) {
    process.stderr.write('usage: naive-parse DIR\n');
    process.exit(2);
  }
  parseEverything(root).then((r) => process.stdout.write(JSON.stringify(r) + '\n'));
}
