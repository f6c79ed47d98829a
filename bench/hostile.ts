import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { createProtocolConnection, PublishDiagnosticsParams, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { SERVER_NODE_FLAGS } from '../server/src/protocol';
import { ensureRipgrep, KEYSLOT_BIN, runNode, runProgram } from './measure';
import { machineDescription, ratio, renderTable, Row, seconds, verdict } from './table';

/*
 * `npm run bench:hostile`: `keyslot check` on single hostile files (issue "Reliability"), each
 * next to rg reading the same file (the floor of reading it), and the language server with such
 * files open next to the same server without them, with the budgets from the issue. The files
 * are generated here, in scratch folders that are removed afterwards.
 */

interface Case {
  name: string;
  budgetMs: number;
  files: Record<string, string>;
}

const MB = 1024 * 1024;

const CASES: Case[] = [
  {
    // a call, then a comment to the end of a 1 MB line: once a regex retried at each `-` (3.4 s per 100 kB)
    name: '1 MB line: a call and a comment of dashes',
    budgetMs: 1000,
    files: { 'app.py': `from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nrc.mget("a", "b")  # ${'-'.repeat(MB - 120)}\n` },
  },
  {
    name: '1 MB line: a call and a comment with keyslot-ignore at its end',
    budgetMs: 1000,
    files: { 'app.py': `from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nrc.mget("a", "b")  # ${'-/'.repeat((MB - 160) / 2)} keyslot-ignore crossslot\n` },
  },
  {
    name: '3,500-deep nested literal (Python)',
    budgetMs: 2000,
    files: { 'deep.py': `from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nx = ${'[\n'.repeat(3500)}1${'\n]'.repeat(3500)}\nrc.mget("a", "b")\n` },
  },
];

const APP = 'from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nrc.mget("price:A100", "price:B200")\n';

/**
 * The shipped server in its own process, on a folder with app.py: opens `opened` files, then
 * toggles app.py's cross-slot call 10 times; each edit is timed to the publish that shows it.
 * Peak RSS from /proc (VmHWM) at the end.
 */
async function editsWith(opened: Record<string, string>): Promise<{ p50: number; max: number; rssMb: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyslot-hostile-lsp-'));
  fs.writeFileSync(path.join(dir, 'app.py'), APP);
  for (const [rel, text] of Object.entries(opened)) fs.writeFileSync(path.join(dir, rel), text);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, KEYSLOT_BIN, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const waiters: ((p: PublishDiagnosticsParams) => void)[] = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => waiters.splice(0).forEach((w) => w(p)));
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  conn.listen();
  const uri = (rel: string) => pathToFileURL(path.join(dir, rel)).href;
  const publishOf = (rel: string, pred: (p: PublishDiagnosticsParams) => boolean) =>
    new Promise<void>((resolve) => {
      const wait = (p: PublishDiagnosticsParams) => (p.uri === uri(rel) && pred(p) ? resolve() : waiters.push(wait));
      waiters.push(wait);
    });
  const crossslot = (p: PublishDiagnosticsParams) => p.diagnostics.some((d) => d.code === 'crossslot');
  try {
    await conn.sendRequest('initialize', { processId: null, rootUri: pathToFileURL(dir).href, capabilities: {} });
    const first = publishOf('app.py', crossslot);
    await conn.sendNotification('initialized', {});
    await first;
    for (const [rel, text] of Object.entries(opened)) await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(rel), languageId: 'python', version: 1, text } });
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri('app.py'), languageId: 'python', version: 1, text: APP } });
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const fixed = i % 2 === 0;
      const shown = publishOf('app.py', (p) => crossslot(p) !== fixed);
      const t0 = performance.now();
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri('app.py'), version: i + 2 }, contentChanges: [{ text: fixed ? APP.replace('"price:B200"', '"price:A100"') : APP }] });
      await shown;
      times.push(performance.now() - t0);
    }
    const rssKb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? NaN);
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(times.length / 2)], max: times[times.length - 1], rssMb: rssKb / 1024 };
  } finally {
    conn.dispose();
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function lspRows(): Promise<Row[]> {
  const base = await editsWith({});
  const big = `# ${'x'.repeat(16 * MB)}\n`;
  const deep = `x = ${'[\n'.repeat(1800)}1${'\n]'.repeat(1800)}\n`;
  const hostile = await editsWith({ 'big.py': big, 'deep.py': deep });
  return [
    { figure: 'server: edit → diagnostics, a 16 MB and a 1,800-deep file open (max of 10)', value: seconds(hostile.max), baseline: `without them ${seconds(base.max)}`, ratio: ratio(hostile.max / base.max), budget: '≤ 1.00 s', verdict: verdict(hostile.max <= 1000) },
    { figure: 'server: peak RSS with them open', value: `${hostile.rssMb.toFixed(0)} MB`, baseline: `without them ${base.rssMb.toFixed(0)} MB`, ratio: ratio(hostile.rssMb / base.rssMb), budget: '≤ 1024 MB', verdict: verdict(hostile.rssMb <= 1024) },
  ];
}

async function main(): Promise<void> {
  const rg = ensureRipgrep();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'keyslot-hostile-'));
  const rows: Row[] = [];
  try {
    for (const c of CASES) {
      const dir = path.join(scratch, c.name.replace(/\W+/g, '-'));
      fs.mkdirSync(dir);
      for (const [rel, text] of Object.entries(c.files)) fs.writeFileSync(path.join(dir, rel), text);
      const out = path.join(scratch, 'out');
      const floor = runProgram(rg, ['--no-config', '-c', 'redis', dir], { label: `rg ${c.name}`, stdoutFile: out, okCodes: [0, 1] });
      const k = runNode([KEYSLOT_BIN, 'check', dir, '--format', 'json'], { label: `keyslot ${c.name}`, stdoutFile: out, okCodes: [0, 1], allowFailure: true });
      rows.push({
        figure: `check: ${c.name}`,
        value: k.failure ? `failed: ${k.failure}` : seconds(k.wallMs),
        baseline: `rg ${seconds(floor.wallMs)}`,
        ratio: ratio(k.wallMs / Math.max(floor.wallMs, 1)),
        budget: `≤ ${seconds(c.budgetMs)}`,
        verdict: verdict(!k.failure && k.wallMs <= c.budgetMs),
      });
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  rows.push(...(await lspRows()));
  process.stdout.write(`${machineDescription()}\n\n${renderTable(rows)}`);
}

void main();
