import { spawnSync } from 'child_process';
import { buildSync } from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { languageOfPath } from '../server/src/extract/parser';
import { DEFAULT_EXCLUDES } from '../server/src/index/files';
import { summarize as summarizeFile } from '../server/src/index/prefilter';
import { DEFAULT_GENERATE } from './generate';
import type { InProcessResult } from './inprocess';
import { lspRows } from './lsp';
import { startupRows } from './startup';
import { ensureRipgrep, KEYSLOT_BIN, medianSample, ProcessSample, REPO, runNode, runProgram } from './measure';
import { formatSummary, profileScan, summarize } from './profile';
import { machineDescription, notMeasured, ratio, renderTable, Row, seconds, verdict } from './table';
import { CACHE_ROOT, describeFolder, ensureGenerated, Workspace } from './workspace';

/*
 * `npm run bench -- [options]`: cold whole-process runs of the keyslot CLI on a generated (or
 * real) tree, side by side with two baselines on the same files - rg (the floor of reading and
 * scanning) and a pass that only tree-sitter-parses every file - plus in-process figures, as a
 * table against the budgets from the issue. "Cold" means a fresh process with no keyslot cache;
 * the OS page cache is warm for every contender (an unmeasured rg pass reads the tree first).
 */

/** issue "The editor on real repositories": first diagnostics ≤ 1 s on a 3,000-file workspace */
const STARTUP_FILES = 3000;
const STARTUP_RUNS = 3;

const USAGE = `usage: npm run bench -- [options]
  --files N          files in the generated tree (default ${DEFAULT_GENERATE.files})
  --redis-share X    share of files with real Redis client calls (default ${DEFAULT_GENERATE.redisShare})
  --seed S           generator seed (default ${DEFAULT_GENERATE.seed})
  --big              also measure a generated 100,000-file tree (budget: ≤ 20 s, ≤ 1 GB)
  --dir PATH         measure a real folder instead of a generated tree
  --runs N           cold runs per figure, median reported (default 1)
  --profile          also CPU-profile one cold scan and print where the time goes
  --write-results    write the table to bench/RESULTS.md
  --keep             keep this run's scratch folder (keyslot/rg output, bundles) and print its path
  --no-lsp           leave out the language-server rows (indexing, edit, hover, code action)
  --lsp-only         only the language-server rows (no cold CLI runs)
  --open REL         with --dir: the file open at start-up (default: the largest file naming a Redis client)
  --startup-files N  files in the generated tree for the start-up rows (default ${STARTUP_FILES})
Generated trees are cached in ${CACHE_ROOT} by their parameters and reused by later runs.
`;

/** The command the budgets are about. `check` does not exist yet; until it does we time `map`. */
const PREFERRED_SUBCOMMAND = 'check';
const FALLBACK_SUBCOMMAND = 'map';
const BIG_TREE_FILES = 100_000;

/** What keyslot scans, so rg reads the same files. */
const SOURCE_GLOBS = ['py', 'pyi', 'js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx', 'go', 'java', 'lua', 'redis'].map((e) => `*.${e}`);

interface Options {
  files: number;
  redisShare: number;
  seed: number;
  big: boolean;
  dir?: string;
  runs: number;
  profile: boolean;
  writeResults: boolean;
  keep: boolean;
  lsp: boolean;
  lspOnly: boolean;
  open?: string;
  startupFiles: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { files: DEFAULT_GENERATE.files, redisShare: DEFAULT_GENERATE.redisShare, seed: DEFAULT_GENERATE.seed, big: false, runs: 1, profile: false, writeResults: false, keep: false, lsp: true, lspOnly: false, startupFiles: STARTUP_FILES };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`bench: ${a} needs a number\n${USAGE}`);
      return v;
    };
    if (a === '--files') o.files = Math.round(num());
    else if (a === '--redis-share') o.redisShare = num();
    else if (a === '--seed') o.seed = Math.round(num());
    else if (a === '--runs') o.runs = Math.max(1, Math.round(num()));
    else if (a === '--big') o.big = true;
    else if (a === '--dir') o.dir = argv[++i];
    else if (a === '--profile') o.profile = true;
    else if (a === '--write-results') o.writeResults = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--no-lsp') o.lsp = false;
    else if (a === '--lsp-only') o.lspOnly = true;
    else if (a === '--open') o.open = argv[++i];
    else if (a === '--startup-files') o.startupFiles = Math.round(num());
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new Error(`bench: unknown option ${a}\n${USAGE}`);
  }
  if (o.redisShare > 1) throw new Error('bench: --redis-share is a fraction between 0 and 1');
  return o;
}

/** `check` once the CLI has it (listed in --help, or `check --help` succeeds), else `map`. */
function detectSubcommand(): string {
  const help = spawnSync(process.execPath, [KEYSLOT_BIN, '--help'], { encoding: 'utf8' });
  if (new RegExp(`^\\s*keyslot ${PREFERRED_SUBCOMMAND}\\b`, 'm').test(help.stdout ?? '')) return PREFERRED_SUBCOMMAND;
  const probe = spawnSync(process.execPath, [KEYSLOT_BIN, PREFERRED_SUBCOMMAND, '--help'], { encoding: 'utf8' });
  return probe.status === 0 ? PREFERRED_SUBCOMMAND : FALLBACK_SUBCOMMAND;
}

/** Bundles the parse-everything pass like the CLI bundle, so both pay the same start-up. */
function bundleNaive(scratch: string): string {
  const dir = path.join(scratch, 'naive');
  fs.mkdirSync(dir, { recursive: true });
  const grammars = path.join(REPO, 'dist', 'grammars');
  if (!fs.existsSync(grammars)) throw new Error('bench: dist/grammars is missing; run `npm run build` first');
  // parser.ts looks for grammars next to the bundle
  fs.symlinkSync(grammars, path.join(dir, 'grammars'));
  const outfile = path.join(dir, 'naive-parse.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'naive-parse.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    define: { 'import.meta.url': '__keyslotImportMetaUrl' },
    banner: { js: "const __keyslotImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
  return outfile;
}

interface TreeFigures {
  ws: Workspace;
  cli: ProcessSample;
  rg: ProcessSample;
  naive?: ProcessSample;
  /** undefined when keyslot failed */
  keyUses?: number;
  inProcess?: InProcessResult;
}

function measureTree(ws: Workspace, ctx: { sub: string; rg: string; naiveBundle?: string; runs: number; scratch: string; inProcess: boolean }, log: (s: string) => void): TreeFigures {
  const out = (name: string) => path.join(ctx.scratch, `${path.basename(ws.dir)}.${name}`);
  const rgArgs = ['--count', '--no-messages', '-j', '2', '--hidden', '--no-require-git', ...SOURCE_GLOBS.flatMap((g) => ['-g', g]), ...DEFAULT_EXCLUDES.flatMap((d) => ['-g', `!${d}`]), '-e', 'redis|Redis', ws.dir];
  const rgRun = () => runProgram(ctx.rg, rgArgs, { label: 'rg', okCodes: [0, 1], stdoutFile: out('rg.txt') });
  rgRun(); // fills the page cache for everyone; not counted
  const cli: ProcessSample[] = [];
  const rg: ProcessSample[] = [];
  const naive: ProcessSample[] = [];
  for (let i = 0; i < ctx.runs; i++) {
    log(`bench: ${ws.label}: run ${i + 1}/${ctx.runs}: keyslot ${ctx.sub} …`);
    cli.push(runNode([KEYSLOT_BIN, ctx.sub, ws.dir, '--format', 'json'], { label: `keyslot ${ctx.sub}`, okCodes: ctx.sub === 'check' ? [0, 1] : [0], stdoutFile: out('keyslot.json'), allowFailure: true }));
    log(` ${cli[i].failure ? `failed (${cli[i].failure}) after ` : ''}${seconds(cli[i].wallMs)}; rg …`);
    rg.push(rgRun());
    log(` ${seconds(rg[i].wallMs)}`);
    if (ctx.naiveBundle) {
      log('; parse-everything …');
      naive.push(runNode([ctx.naiveBundle, ws.dir], { label: 'parse-everything', stdoutFile: out('naive.json') }));
      log(` ${seconds(naive[i].wallMs)}`);
    }
    log('\n');
  }
  const failed = cli.some((c) => c.failure);
  const keyUses = failed ? undefined : (JSON.parse(fs.readFileSync(out('keyslot.json'), 'utf8')) as { keys: unknown[] }).keys.length;
  let inProcess: InProcessResult | undefined;
  if (ctx.inProcess && !failed) {
    log(`bench: ${ws.label}: in-process scan() and parse-everything …`);
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'inprocess.ts'), ws.dir], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 26 });
    // it holds a whole scan in one heap, so it can run out of memory where the CLI did not: leave its rows out then
    if (r.status !== 0) log(` failed (exit ${r.status}); in-process rows left out\n${r.stderr.slice(-500)}\n`);
    else {
      inProcess = JSON.parse(r.stdout.trim().split('\n').pop()!) as InProcessResult;
      log(` ${seconds(inProcess.scanMs)} / ${seconds(inProcess.naiveMs)}\n`);
    }
  }
  return { ws, cli: medianSample(cli), rg: medianSample(rg), naive: naive.length ? medianSample(naive) : undefined, keyUses, inProcess };
}

const mb = (x: number) => `${x.toFixed(0)} MB`;

/** How many threads the CLI uses for a cold index of a tree this size (scan.ts: one worker per core, at most 4, from 1,000 files). */
function threads(): string {
  const env = process.env.KEYSLOT_WORKERS;
  const cores = os.availableParallelism();
  const workers = env !== undefined && env !== '' ? Number(env) : cores > 1 ? Math.min(4, cores) : 0;
  return workers > 0 ? `main thread + ${workers} worker threads` : 'one thread';
}
const cpu = (s: ProcessSample) => (s.cpuResolutionMs && s.cpuMs < s.cpuResolutionMs ? `< ${s.cpuResolutionMs} ms` : seconds(s.cpuMs));

/** A failed keyslot run (crash, out of memory) fails every budget it was measured against. */
function failedRow(figure: string, s: ProcessSample, budget: string): Row {
  return { figure, value: `failed: ${s.failure} after ${seconds(s.wallMs)}`, baseline: '', ratio: '', budget, verdict: 'FAIL' };
}

function mainRows(t: TreeFigures, sub: string): Row[] {
  const n = t.ws.files.toLocaleString('en-US');
  const { cli, rg, naive, inProcess: ip } = t;
  if (cli.failure) return [failedRow(`cold ${sub}, ${n} files: wall`, cli, '≤ 10× rg'), failedRow(`cold ${sub}: wall vs parse-everything`, cli, '≤ 0.33× parse')];
  const rows: Row[] = [
    { figure: `cold ${sub}, ${n} files: wall`, value: seconds(cli.wallMs), baseline: `rg ${seconds(rg.wallMs)}`, ratio: ratio(cli.wallMs / rg.wallMs), budget: '≤ 10× rg', verdict: verdict(cli.wallMs <= 10 * rg.wallMs) },
  ];
  if (naive) rows.push({ figure: `cold ${sub}: wall vs parse-everything`, value: seconds(cli.wallMs), baseline: `parse ${seconds(naive.wallMs)}`, ratio: ratio(cli.wallMs / naive.wallMs), budget: '≤ 0.33× parse', verdict: verdict(cli.wallMs * 3 <= naive.wallMs) });
  rows.push({ figure: `cold ${sub}: CPU user+sys`, value: seconds(cli.cpuMs), baseline: `rg ${cpu(rg)}`, ratio: rg.cpuMs > 0 ? ratio(cli.cpuMs / rg.cpuMs) : 'n/a', budget: '', verdict: '' });
  if (naive) rows.push({ figure: `cold ${sub}: CPU vs parse-everything`, value: seconds(cli.cpuMs), baseline: `parse ${seconds(naive.cpuMs)}`, ratio: ratio(cli.cpuMs / naive.cpuMs), budget: '', verdict: '' });
  rows.push({ figure: `cold ${sub}: peak RSS`, value: mb(cli.maxRssMb ?? NaN), baseline: naive?.maxRssMb ? `parse ${mb(naive.maxRssMb)}` : '', ratio: naive?.maxRssMb ? ratio(cli.maxRssMb! / naive.maxRssMb) : '', budget: '', verdict: '' });
  const perSec = (ms: number) => `${Math.round(t.ws.files / (ms / 1000)).toLocaleString('en-US')} files/s, ${(t.ws.bytes / 2 ** 20 / (ms / 1000)).toFixed(1)} MB/s`;
  rows.push({ figure: `cold ${sub}: throughput`, value: perSec(cli.wallMs), baseline: `rg ${perSec(rg.wallMs)}`, ratio: '', budget: '', verdict: '' });
  if (ip) {
    rows.push({ figure: 'in-process scan(), one thread', value: seconds(ip.scanMs), baseline: `parse ${seconds(ip.naiveMs)}`, ratio: ratio(ip.scanMs / ip.naiveMs), budget: '', verdict: '' });
    const per10k = (bytes: number) => (ip.keyUses ? mb((bytes / 2 ** 20) * (10000 / ip.keyUses)) : 'n/a');
    rows.push({ figure: 'retained memory per 10,000 key uses', value: per10k(ip.retainedBytes), baseline: `${mb(ip.retainedBytes / 2 ** 20)} for ${ip.keyUses.toLocaleString('en-US')} uses`, ratio: '', budget: '', verdict: '' });
    rows.push({ figure: '  of which file texts (ScanResult.texts)', value: per10k(ip.textBytes), baseline: mb(ip.textBytes / 2 ** 20), ratio: '', budget: '', verdict: '' });
  }
  return rows;
}

function bigRows(t: TreeFigures | undefined, sub: string): Row[] {
  const figure = `cold ${sub}, ${BIG_TREE_FILES.toLocaleString('en-US')} files`;
  if (!t) return [notMeasured(`${figure}: wall`, '≤ 20 s', 'run with --big'), notMeasured(`${figure}: peak RSS`, '≤ 1 GB', 'run with --big')];
  if (t.cli.failure) return [failedRow(`${figure}: wall`, t.cli, '≤ 20 s'), { ...failedRow(`${figure}: peak RSS`, t.cli, '≤ 1 GB'), value: t.cli.maxRssMb ? mb(t.cli.maxRssMb) : `not known: ${t.cli.failure}` }];
  return [
    { figure: `${figure}: wall`, value: seconds(t.cli.wallMs), baseline: `rg ${seconds(t.rg.wallMs)}`, ratio: ratio(t.cli.wallMs / t.rg.wallMs), budget: '≤ 20 s', verdict: verdict(t.cli.wallMs <= 20_000) },
    { figure: `${figure}: peak RSS`, value: mb(t.cli.maxRssMb ?? NaN), baseline: '', ratio: '', budget: '≤ 1 GB', verdict: verdict((t.cli.maxRssMb ?? Infinity) <= 1024) },
    // CPU suffers less than wall from other processes on the same cores
    { figure: `${figure}: CPU user+sys`, value: seconds(t.cli.cpuMs), baseline: `rg ${cpu(t.rg)}`, ratio: t.rg.cpuMs > 0 ? ratio(t.cli.cpuMs / t.rg.cpuMs) : 'n/a', budget: '', verdict: '' },
  ];
}

function describe(t: TreeFigures): string {
  const w = t.ws;
  const parts = [`${w.files.toLocaleString('en-US')} files`];
  if (w.lines) parts.push(`${w.lines.toLocaleString('en-US')} lines`);
  parts.push(`${(w.bytes / 2 ** 20).toFixed(1)} MB`);
  if (w.redisFiles !== undefined) parts.push(`${w.redisFiles.toLocaleString('en-US')} files with Redis calls`);
  if (t.keyUses !== undefined) parts.push(`${t.keyUses.toLocaleString('en-US')} key uses found`);
  return `${w.label} (${w.dir}): ${parts.join(', ')}`;
}

/** The file a developer would have open: the largest one that uses a Redis client (the prefilter's test). */
function largestRedisFile(dir: string): string {
  let best = { rel: '', size: -1 };
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!DEFAULT_EXCLUDES.includes(e.name)) walk(p);
      } else {
        const language = languageOfPath(e.name);
        const size = fs.statSync(p).size;
        if (language && language !== 'lua' && size > best.size && summarizeFile({ rel: e.name, language, text: fs.readFileSync(p, 'utf8') }).seed) best = { rel: path.relative(dir, p), size };
      }
    }
  };
  walk(dir);
  if (!best.rel) throw new Error(`bench: no file naming a Redis client in ${dir} (give one with --open)`);
  return best.rel;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const loadAtStart = os.loadavg()[0];
  const log = (s: string) => process.stderr.write(s);
  const rg = ensureRipgrep();
  const sub = detectSubcommand();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'keyslot-bench-run-'));
  try {
    const ws = o.dir ? describeFolder(o.dir) : ensureGenerated({ files: o.files, redisShare: o.redisShare, seed: o.seed }, log);
    const startup = () => {
      const sw = o.dir ? ws : ensureGenerated({ files: o.startupFiles, redisShare: o.redisShare, seed: o.seed }, log);
      const label = o.dir ? path.basename(o.dir) : `${sw.files.toLocaleString('en-US')}-file workspace`;
      return startupRows(label, sw.dir, o.open ?? largestRedisFile(sw.dir), STARTUP_RUNS, log);
    };
    if (o.lspOnly) {
      process.stdout.write(`\n${renderTable([...lspRows({ dir: ws.dir, repo: REPO, files: ws.files }, log), ...(await startup())])}`);
      return;
    }
    const bigWs = o.big ? ensureGenerated({ files: BIG_TREE_FILES, redisShare: o.redisShare, seed: o.seed }, log) : undefined;
    const naiveBundle = bundleNaive(scratch);
    const ctx = { sub, rg, runs: o.runs, scratch };
    const main = measureTree(ws, { ...ctx, naiveBundle, inProcess: true }, log);
    const big = bigWs ? measureTree(bigWs, { ...ctx, inProcess: false }, log) : undefined;
    const rows = [...mainRows(main, sub), ...bigRows(big, sub), ...(o.lsp ? [...lspRows({ dir: ws.dir, repo: REPO, files: ws.files }, log), ...(await startup())] : [])];

    const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const header = [
      `machine: ${machineDescription()}; load average (1 min) ${loadAtStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end (other processes on the same cores stretch wall times; CPU times and ratios suffer less)`,
      `date: ${date}`,
      `command: node bin/keyslot.js ${sub} DIR --format json (fresh process per run, median of ${o.runs}; ${threads()}; rg -j2; page cache warm)`,
      `tree: ${describe(main)}`,
      ...(big ? [`big tree: ${describe(big)}`] : []),
    ];
    const table = renderTable(rows);
    process.stdout.write(`\n${header.join('\n')}\n\n${table}`);

    let profileText = '';
    if (o.profile) {
      log(`bench: CPU-profiling one cold ${sub} of ${ws.label} …\n`);
      profileText = formatSummary(summarize(profileScan(ws.dir, sub)));
      process.stdout.write('\n' + profileText);
    }
    if (o.writeResults) {
      const doc = ['# keyslot benchmark results', '', `Written by \`npm run bench -- ${process.argv.slice(2).join(' ')}\`.`.replace(' -- `', '`'), '', ...header.map((h) => `- ${h}`), '', table];
      if (profileText) doc.push('## Where a cold scan spends its time', '', '```', profileText.trimEnd(), '```', '');
      fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), doc.join('\n'));
      log('bench: wrote bench/RESULTS.md\n');
    }
  } finally {
    if (o.keep) log(`bench: kept scratch output in ${scratch}\n`);
    else fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
