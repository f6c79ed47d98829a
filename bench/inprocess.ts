import { initParsers, parserFor } from '../server/src/extract/parser';
import { scan } from '../server/src/index/scan';
import { parseEverything } from './naive-parse';

/*
 * In-process figures, run by run.ts in its own `node --expose-gc --import tsx` child so the heap
 * starts clean: scan() time, parse-everything time in the same process, and the heap that a scan
 * result keeps alive (after full GCs), per 10,000 key uses.
 */

export interface InProcessResult {
  scanMs: number;
  naiveMs: number;
  keyUses: number;
  files: number;
  /** heap + external kept alive by the ScanResult, bytes */
  retainedBytes: number;
  /** the part of it that is file texts (ScanResult.texts) */
  textBytes: number;
  gcExposed: boolean;
}

const gc = (globalThis as { gc?: () => void }).gc;

function liveBytes(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

async function main(root: string): Promise<InProcessResult> {
  // grammar loading is start-up, not scanning: do it before either clock starts
  await initParsers();
  for (const lang of ['python', 'javascript', 'typescript', 'tsx', 'go', 'java', 'lua'] as const) await parserFor(lang);

  const before = liveBytes();
  const t0 = performance.now();
  // on this thread, like the baseline below (the CLI rows show what worker threads add)
  let result: Awaited<ReturnType<typeof scan>> | undefined = await scan(root, [root], { workers: 0 });
  const scanMs = performance.now() - t0;
  const withTexts = liveBytes();
  const keyUses = result.uses.length;
  const files = result.files.length;
  result.texts.clear();
  const withoutTexts = liveBytes();
  result = undefined;

  // second, so it runs with a warmed-up JIT: a conservative baseline for the ratio
  const naive = await parseEverything(root);
  return { scanMs, naiveMs: naive.ms, keyUses, files, retainedBytes: withTexts - before, textBytes: withTexts - withoutTexts, gcExposed: gc !== undefined };
}

main(process.argv[2]).then((r) => process.stdout.write(JSON.stringify(r) + '\n'));
