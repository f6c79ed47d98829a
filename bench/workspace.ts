import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listFiles, Skipped } from '../server/src/index/files';
import { DEFAULT_GENERATE, generateWorkspace, GENERATOR_VERSION, GenerateOptions } from './generate';

/** A folder the benchmark scans, generated or real, with what keyslot will see in it. */
export interface Workspace {
  dir: string;
  label: string;
  generated: boolean;
  /** files keyslot scans (its own walk), and their size */
  files: number;
  bytes: number;
  redisFiles?: number;
  lines?: number;
}

export const CACHE_ROOT = path.join(os.tmpdir(), 'keyslot-bench');
const MARKER = '.keyslot-bench.json';

/**
 * The generated tree for these options, from the cache when an earlier run made it. A tree is
 * written under a temporary name and renamed when complete, so an interrupted run never leaves
 * a half tree that looks finished.
 */
export function ensureGenerated(opts: Partial<GenerateOptions>, log: (s: string) => void): Workspace {
  const o: GenerateOptions = { ...DEFAULT_GENERATE, ...opts };
  const dir = path.join(CACHE_ROOT, `ws-v${GENERATOR_VERSION}-n${o.files}-r${o.redisShare}-s${o.seed}-b${o.bigShare}`);
  const label = `generated ${o.files.toLocaleString('en-US')} files, ${(o.redisShare * 100).toFixed(1)}% Redis`;
  const marker = path.join(dir, MARKER);
  if (!fs.existsSync(marker)) {
    fs.rmSync(dir, { recursive: true, force: true });
    const partial = `${dir}.partial-${process.pid}`;
    fs.rmSync(partial, { recursive: true, force: true });
    log(`bench: generating ${o.files} files into ${dir} …`);
    const t0 = performance.now();
    const stats = generateWorkspace(partial, o);
    fs.writeFileSync(path.join(partial, MARKER), JSON.stringify({ options: o, stats }, null, 2));
    fs.renameSync(partial, dir);
    log(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } else log(`bench: reusing ${dir}\n`);
  const { stats } = JSON.parse(fs.readFileSync(marker, 'utf8')) as { stats: { files: number; bytes: number; redisFiles: number; lines: number } };
  return { dir, label, generated: true, files: stats.files, bytes: stats.bytes, redisFiles: stats.redisFiles, lines: stats.lines };
}

/** A real folder: counts what keyslot's own walk would scan. */
export function describeFolder(dir: string): Workspace {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new Error(`bench: --dir ${dir} is not a directory`);
  const skipped: Skipped[] = [];
  const files = listFiles(abs, [abs], [], skipped);
  let bytes = 0;
  for (const f of files) bytes += fs.statSync(f.abs).size;
  return { dir: abs, label: `folder ${abs}`, generated: false, files: files.length, bytes };
}
