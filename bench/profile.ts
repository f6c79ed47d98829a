import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { SourceMap } from 'module';
import * as os from 'os';
import * as path from 'path';
import { fileURLToPath } from 'url';

/*
 * Where does a cold scan spend its time? Runs `keyslot map` under `node --cpu-prof` on one thread
 * (KEYSLOT_WORKERS=0: worker threads would take the parsing into profiles of their own) (or reads a
 * .cpuprofile you already have) and prints two views:
 *  - phases: every sample is charged to the innermost pipeline function on its stack (reading,
 *    tree-sitter parse, extraction, resolve …), so wasm and GC-free work lands where it was asked for;
 *  - self time by function, mapped through dist/cli.js.map back to the TypeScript source.
 *
 *   node --import tsx bench/profile.ts DIR            profile a scan of DIR
 *   node --import tsx bench/profile.ts FILE.cpuprofile
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const REPO = path.resolve(__dirname, '..');

/** Innermost match wins; names are the bundle's function names (esbuild keeps them). */
const PHASES: [RegExp, string][] = [
  [/^listFiles$/, 'list files (walk, .gitignore)'],
  [/^readSource$/, 'read + decode files'],
  [/^parse$/, 'tree-sitter parse'],
  [/^(walkRaw|walkPublic)$/, 'copy tree out of WASM (cursor walk)'],
  [/^(extractFile|extractTree|run|runOn|extractRedisFile)$/, 'extraction (flat tree → facts)'],
  [/^analyze$/, 'resolve + interpret calls'],
  [/^(toJson|textMap|sortUses)$/, 'output (JSON / text)'],
];
/** Self time by whose code ran, from the source-mapped location of the sampled frame. */
function areaOf(where: string, fn: string): string {
  if (SPECIAL[fn]) return SPECIAL[fn];
  if (where.startsWith('wasm ') || where.includes('web-tree-sitter')) return 'tree-sitter (wasm + web-tree-sitter JS bindings)';
  if (where.startsWith('server/src/extract/')) return 'keyslot extractors (server/src/extract)';
  if (/^server\/src\/(resolve|clients|model|commands)\//.test(where)) return 'keyslot resolve / interpret / model';
  if (where.startsWith('server/src/')) return 'keyslot scan, files, CLI';
  if (where.startsWith('node:')) return 'Node internals (fs, path, decoding)';
  if (where === '') return 'V8 / native builtins';
  return 'other (' + where.split('/').slice(0, 2).join('/') + ')';
}

const SPECIAL: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, { '(garbage collector)': 'GC', '(program)': 'V8 / native (program)', '(idle)': 'idle' });

export interface ProfileSummary {
  totalMs: number;
  phases: { phase: string; ms: number; pct: number }[];
  areas: { area: string; ms: number; pct: number }[];
  top: { fn: string; where: string; ms: number; pct: number }[];
}

export function summarize(profile: CpuProfile, topN = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const phaseOf = new Map<number, string>();
  const phaseFor = (id: number): string => {
    const cached = phaseOf.get(id);
    if (cached) return cached;
    const n = byId.get(id)!;
    const special = SPECIAL[n.callFrame.functionName];
    const own = special ?? PHASES.find(([re]) => re.test(n.callFrame.functionName))?.[1];
    const up = parent.get(id);
    const phase = own ?? (up === undefined ? 'startup / other' : phaseFor(up));
    phaseOf.set(id, phase);
    return phase;
  };
  const phaseMs = new Map<string, number>();
  const selfMs = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    phaseMs.set(phaseFor(id), (phaseMs.get(phaseFor(id)) ?? 0) + dt);
    selfMs.set(id, (selfMs.get(id) ?? 0) + dt);
  });
  // self time by function: merge nodes of the same function reached through different stacks
  const byFn = new Map<string, { fn: string; where: string; ms: number }>();
  const locate = sourceLocator();
  const areaMs = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const f = byId.get(id)!.callFrame;
    const where = locate(f);
    const area = areaOf(where, f.functionName);
    areaMs.set(area, (areaMs.get(area) ?? 0) + ms);
    const key = `${f.functionName}@${where}`;
    const e = byFn.get(key) ?? { fn: f.functionName || '(anonymous)', where, ms: 0 };
    e.ms += ms;
    byFn.set(key, e);
  }
  const pct = (ms: number) => Math.round((1000 * ms) / total) / 10;
  return {
    totalMs: Math.round(total),
    phases: [...phaseMs].sort((a, b) => b[1] - a[1]).map(([phase, ms]) => ({ phase, ms: Math.round(ms), pct: pct(ms) })),
    areas: [...areaMs].sort((a, b) => b[1] - a[1]).map(([area, ms]) => ({ area, ms: Math.round(ms), pct: pct(ms) })),
    top: [...byFn.values()].sort((a, b) => b.ms - a.ms).slice(0, topN).map((e) => ({ ...e, ms: Math.round(e.ms), pct: pct(e.ms) })),
  };
}

/** Maps bundle positions back to TypeScript / node_modules sources with the bundle's source map. */
function sourceLocator(): (f: CallFrame) => string {
  const maps = new Map<string, SourceMap | null>();
  return (f) => {
    if (!f.url) return '';
    if (f.url.startsWith('wasm://')) return 'wasm ' + f.url.replace(/^wasm:\/\/wasm\//, '').replace(/-[0-9a-f]+$/, '');
    if (!f.url.startsWith('file://')) return f.url;
    const file = fileURLToPath(f.url);
    if (!maps.has(file)) {
      try {
        maps.set(file, new SourceMap(JSON.parse(fs.readFileSync(file + '.map', 'utf8'))));
      } catch {
        maps.set(file, null);
      }
    }
    const map = maps.get(file);
    const entry = map?.findEntry(f.lineNumber, f.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
    if (!entry?.originalSource) return path.relative(REPO, file);
    const src = entry.originalSource.replace(/^file:\/\//, '');
    return `${path.relative(REPO, path.resolve(path.dirname(file), src)).replace(/^(\.\.\/)+/, '')}:${(entry.originalLine ?? 0) + 1}`;
  };
}

/** Runs the CLI once under --cpu-prof and returns the profile. */
export function profileScan(dir: string, subcommand: string): CpuProfile {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'keyslot-prof-'));
  try {
    // one thread, so one profile holds all the work (with workers, parsing would be in theirs)
    const env = { ...process.env, KEYSLOT_WORKERS: '0' };
    const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${out}`, path.join(REPO, 'bin/keyslot.js'), subcommand, dir, '--format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26, env });
    if (r.status !== 0 && r.status !== 1) throw new Error(`keyslot exited with ${r.status}: ${r.stderr}`);
    const file = fs.readdirSync(out).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('node wrote no .cpuprofile');
    return JSON.parse(fs.readFileSync(path.join(out, file), 'utf8')) as CpuProfile;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

export function formatSummary(s: ProfileSummary): string {
  const lines = [`CPU profile: ${(s.totalMs / 1000).toFixed(1)} s sampled`, '', 'phase (innermost pipeline function on the stack)      ms      %'];
  for (const p of s.phases) lines.push(`  ${p.phase.padEnd(46)} ${String(p.ms).padStart(7)} ${p.pct.toFixed(1).padStart(6)}`);
  lines.push('', 'self time by whose code ran                            ms      %');
  for (const a of s.areas) lines.push(`  ${a.area.slice(0, 46).padEnd(46)} ${String(a.ms).padStart(7)} ${a.pct.toFixed(1).padStart(6)}`);
  lines.push('', 'self time by function                                          ms      %');
  for (const t of s.top) lines.push(`  ${`${t.fn}  ${t.where}`.slice(0, 58).padEnd(58)} ${String(t.ms).padStart(7)} ${t.pct.toFixed(1).padStart(6)}`);
  return lines.join('\n') + '\n';
}

if (require.main === module) {
  const arg = process.argv[2];
  if (!arg) {
    process.stderr.write('usage: node --import tsx bench/profile.ts DIR|FILE.cpuprofile [map|check]\n');
    process.exit(2);
  }
  const profile = arg.endsWith('.cpuprofile') ? (JSON.parse(fs.readFileSync(arg, 'utf8')) as CpuProfile) : profileScan(arg, process.argv[3] ?? 'map');
  process.stdout.write(formatSummary(summarize(profile)));
}
