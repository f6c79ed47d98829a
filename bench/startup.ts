import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { createProtocolConnection, PublishDiagnosticsParams, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { SERVER_NODE_FLAGS, STATUS_METHOD, StatusParams } from '../server/src/protocol';
import { REPO } from './measure';
import type { Row } from './table';
import { seconds, verdict } from './table';

/*
 * Start-up as an editor sees it (issue "The editor on real repositories": first diagnostics for the
 * open file ≤ 1 s after activation on a 3,000-file workspace). The built server (dist/server.js) is
 * started as its own process over stdio, as the extension starts it; the client sends initialize,
 * initialized and the open file's didOpen at once, as VS Code does when it restores a window, and
 * times from spawning the process to
 *   - the initialize response,
 *   - the first publishDiagnostics for the open file (the server publishes an open file once it is
 *     analysed, with an empty list when it has no findings),
 *   - the status 'ready' that follows the whole folder's index.
 * Every wait is for a message; the timeout only turns a hang into an error.
 *
 *   node --import tsx bench/startup.ts DIR REL [RUNS [CACHE_DIR]]    prints the StartupResult JSON per run
 */

export interface StartupResult {
  initializeMs: number;
  openDiagnosticsMs: number;
  /** diagnostics in that first publish for the open file */
  openDiagnostics: number;
  readyMs: number;
  files: number;
}

const TIMEOUT_MS = 120_000;
export const BUDGET_OPEN_FILE_MS = 1000;

/** `cacheDir`: where the server keeps its index between starts; null: no cache (a first start). */
export async function measureStartup(dir: string, rel: string, cacheDir: string | null): Promise<StartupResult> {
  const server = path.join(REPO, 'dist', 'server.js');
  if (!fs.existsSync(server)) throw new Error(`${server} is not built (node scripts/build.mjs)`);
  const uri = pathToFileURL(path.join(dir, rel)).href;
  const text = fs.readFileSync(path.join(dir, rel), 'utf8');
  const t0 = performance.now();
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...(process.env.KEYSLOT_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const since = () => performance.now() - t0;
  try {
    const result = await new Promise<StartupResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics and ready within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
      child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
      const r: Partial<StartupResult> = {};
      const done = () => {
        if (r.openDiagnosticsMs === undefined || r.readyMs === undefined) return;
        clearTimeout(timer);
        resolve(r as StartupResult);
      };
      conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
      conn.onRequest('window/workDoneProgress/create', () => null);
      conn.onRequest('client/registerCapability', () => null);
      conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
        if (p.uri !== uri || r.openDiagnosticsMs !== undefined) return;
        r.openDiagnosticsMs = since();
        r.openDiagnostics = p.diagnostics.length;
        done();
      });
      conn.onNotification(STATUS_METHOD, (s: StatusParams) => {
        if (s.state !== 'ready' || r.readyMs !== undefined) return;
        r.readyMs = since();
        r.files = s.files;
        done();
      });
      conn.listen();
      const root = pathToFileURL(dir).href;
      conn
        .sendRequest('initialize', {
          processId: process.pid,
          rootUri: root,
          workspaceFolders: [{ uri: root, name: path.basename(dir) }],
          initializationOptions: { cacheDir },
          capabilities: { workspace: { configuration: true, workspaceFolders: true }, window: { workDoneProgress: true }, textDocument: { publishDiagnostics: {} } },
        })
        .then(() => {
          r.initializeMs = since();
          void conn.sendNotification('initialized', {});
          void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: languageId(rel), version: 1, text } });
        }, reject);
    });
    // a clean exit, so a server run with --cpu-prof (NODE_OPTIONS) writes its profile
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await conn.sendRequest('shutdown');
    void conn.sendNotification('exit');
    await exited;
    return result;
  } finally {
    conn.dispose();
    if (child.exitCode === null) child.kill();
  }
}

function languageId(rel: string): string {
  const ext = path.extname(rel).slice(1);
  return ({ ts: 'typescript', tsx: 'typescriptreact', js: 'javascript', py: 'python', go: 'go', java: 'java', kt: 'kotlin', lua: 'lua' } as Record<string, string>)[ext] ?? ext;
}

/**
 * Start-up figures for one folder: a first start (no cache) and a start after one (the index of
 * the first kept in a fresh cache folder), `runs` each, medians.
 */
export async function startupRows(label: string, dir: string, rel: string, runs: number, log: (s: string) => void = () => undefined): Promise<Row[]> {
  log(`bench: language server start-up on ${label} …`);
  const cold: StartupResult[] = [];
  const warm: StartupResult[] = [];
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyslot-bench-cache-'));
  try {
    for (let i = 0; i < runs; i++) cold.push(await measureStartup(dir, rel, null));
    await measureStartup(dir, rel, cacheDir); // fills the cache
    for (let i = 0; i < runs; i++) warm.push(await measureStartup(dir, rel, cacheDir));
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  log(' done\n');
  const med = (xs: StartupResult[], pick: (x: StartupResult) => number) => {
    const s = xs.map(pick).sort((a, b) => a - b);
    return s[Math.floor((s.length - 1) / 2)];
  };
  const row = (when: string, xs: StartupResult[]): Row[] => {
    const open = med(xs, (x) => x.openDiagnosticsMs);
    return [
      {
        figure: `LSP ${when} → diagnostics of the open file (${label}, ${rel})`,
        value: seconds(open),
        baseline: `${xs.map((x) => seconds(x.openDiagnosticsMs)).join(', ')}; initialize ${seconds(med(xs, (x) => x.initializeMs))}`,
        ratio: '',
        budget: `≤ ${seconds(BUDGET_OPEN_FILE_MS)}`,
        verdict: verdict(open <= BUDGET_OPEN_FILE_MS),
      },
      { figure: `LSP ${when} → whole folder indexed (${label})`, value: seconds(med(xs, (x) => x.readyMs)), baseline: `${xs[0].files.toLocaleString('en-US')} files`, ratio: '', budget: '', verdict: '' },
    ];
  };
  return [...row('first start', cold), ...row('start with the last index cached', warm)];
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  const [dir, rel, runs = '1', cacheDir] = process.argv.slice(2);
  if (!dir || !rel) {
    process.stderr.write('usage: node --import tsx bench/startup.ts DIR REL [RUNS [CACHE_DIR]]\n');
    process.exit(2);
  }
  void (async () => {
    for (let i = 0; i < Number(runs); i++) process.stdout.write(JSON.stringify(await measureStartup(path.resolve(dir), rel, cacheDir ?? null)) + '\n');
  })().catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
