import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';

/*
 * Whole-process measurements. Node children are preloaded with rusage-hook.cjs, which reports the
 * child's own CPU and peak RSS at exit (no /usr/bin/time needed). Other programs (rg) get their
 * CPU from this process's reaped-children counters in /proc/self/stat, which the kernel fills in
 * when spawnSync waits for them; their peak RSS is not needed for any budget.
 */

export const REPO = path.resolve(__dirname, '..');
export const KEYSLOT_BIN = path.join(REPO, 'bin', 'keyslot.js');
const RUSAGE_HOOK = path.join(__dirname, 'rusage-hook.cjs');

export interface ProcessSample {
  wallMs: number;
  cpuMs: number;
  /** undefined for programs the hook cannot see into */
  maxRssMb?: number;
  /** CPU is counted in clock ticks for non-Node programs: anything below one tick reads as 0 */
  cpuResolutionMs?: number;
  /** set when the run failed and the spec allowed it (e.g. "out of memory") */
  failure?: string;
}

export interface RunSpec {
  label: string;
  /** accepted exit codes (a linter may exit 1 when it finds something) */
  okCodes?: number[];
  /** stdout goes here, so big JSON never sits in a pipe buffer */
  stdoutFile: string;
  env?: NodeJS.ProcessEnv;
  /** report a failed run as a sample with `failure` instead of throwing */
  allowFailure?: boolean;
}

/** Runs a Node script in a fresh process with the rusage hook. */
export function runNode(nodeArgs: string[], spec: RunSpec): ProcessSample {
  const usageFile = spec.stdoutFile + '.rusage.json';
  fs.rmSync(usageFile, { force: true });
  const sample = runProgram(process.execPath, ['--require', RUSAGE_HOOK, ...nodeArgs], { ...spec, env: { ...spec.env, KEYSLOT_BENCH_RUSAGE: usageFile } });
  // a process killed by a fatal error (V8 out of memory) never runs its exit handlers
  if (!fs.existsSync(usageFile)) return sample;
  const u = JSON.parse(fs.readFileSync(usageFile, 'utf8')) as { userMicros: number; systemMicros: number; maxRssKb: number };
  return { ...sample, cpuMs: (u.userMicros + u.systemMicros) / 1000, maxRssMb: u.maxRssKb / 1024, cpuResolutionMs: undefined };
}

/** Runs any program; CPU comes from the reaped-children counters. */
export function runProgram(cmd: string, args: string[], spec: RunSpec): ProcessSample {
  const before = childCpuMs();
  const out = fs.openSync(spec.stdoutFile, 'w');
  let r: ReturnType<typeof spawnSync>;
  let wallMs: number;
  try {
    const t0 = process.hrtime.bigint();
    r = spawnSync(cmd, args, { cwd: REPO, stdio: ['ignore', out, 'pipe'], env: { ...process.env, ...spec.env }, maxBuffer: 1 << 26 });
    wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  } finally {
    fs.closeSync(out);
  }
  const after = childCpuMs();
  const sample: ProcessSample = { wallMs, cpuMs: before === undefined || after === undefined ? NaN : after - before, cpuResolutionMs: 1000 / clockTicksPerSecond() };
  if (r.error) throw new Error(`${spec.label}: could not run ${cmd}: ${r.error.message}`);
  if ((spec.okCodes ?? [0]).includes(r.status ?? -1)) return sample;
  const stderr = String(r.stderr ?? '');
  const failure = /heap out of memory|Allocation failed/.test(stderr) ? `out of memory (V8 heap limit ${Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20)} MB)` : `exit ${r.status ?? r.signal}`;
  if (spec.allowFailure) return { ...sample, failure };
  throw new Error(`${spec.label}: ${cmd} ${args.join(' ')} failed: ${failure}\n${stderr.slice(-2000)}`);
}

/** utime+stime of waited-for children (fields 16, 17 of /proc/self/stat), in ms; Linux only. */
function childCpuMs(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // the command name (field 2) may contain spaces: count fields after its closing paren
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[13]) + Number(fields[14]);
    return (ticks * 1000) / clockTicksPerSecond();
  } catch {
    return undefined;
  }
}

let ticksPerSecond: number | undefined;
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    ticksPerSecond = Number(r.stdout.trim()) || 100;
  }
  return ticksPerSecond;
}

/** Median of each figure over repeated runs (each run is a fresh process). */
export function medianSample(samples: ProcessSample[]): ProcessSample {
  const failed = samples.find((s) => s.failure);
  if (failed) return failed;
  const med = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor((s.length - 1) / 2)];
  };
  const rss = samples.map((s) => s.maxRssMb).filter((x): x is number => x !== undefined);
  return { wallMs: med(samples.map((s) => s.wallMs)), cpuMs: med(samples.map((s) => s.cpuMs)), maxRssMb: rss.length ? med(rss) : undefined, cpuResolutionMs: samples[0].cpuResolutionMs };
}

/** `rg`, installed with apt-get when we are root and it is missing. */
export function ensureRipgrep(): string {
  const found = () => spawnSync('rg', ['--version'], { encoding: 'utf8' }).status === 0;
  if (found()) return 'rg';
  if (process.getuid?.() === 0) {
    process.stderr.write('bench: rg is missing; installing ripgrep with apt-get\n');
    spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit' });
    spawnSync('apt-get', ['install', '-y', '-q', 'ripgrep'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (found()) return 'rg';
  }
  throw new Error('bench: ripgrep (rg) is required for the baseline and is not installed; install it (apt-get install ripgrep, brew install ripgrep) and run again');
}
