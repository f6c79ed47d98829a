import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as path from 'path';
import { PassThrough } from 'stream';
import { fileURLToPath, pathToFileURL } from 'url';
import { createConnection } from 'vscode-languageserver/node';
import {
  CodeAction,
  createProtocolConnection,
  Diagnostic,
  Hover,
  ProtocolConnection,
  PublishDiagnosticsParams,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { FolderIndex } from '../server/src/index/folder';
import { startServer } from '../server/src/lsp/server';
import { KEY_MAP_METHOD, KeyMapResult, KeyMapUse, SERVER_NODE_FLAGS } from '../server/src/protocol';
import type { Row } from './table';
import { notMeasured, seconds, verdict } from './table';

/*
 * Language-server figures. run.ts calls lspRows(), which runs this file as its own
 * `node --import tsx` child (a clean heap, like inprocess.ts): the real server (startServer) and a
 * protocol client in one process, joined by two PassThrough streams, so every figure includes
 * JSON-RPC framing and (de)serialisation both ways but no editor and no pipe. Every wait is for a
 * message (progress end, a publishDiagnostics, a response); the timeouts only turn a hang into an
 * error.
 *
 *   node --import tsx bench/lsp.ts DIR      prints the LspResult JSON on its last line
 *
 * Steps: index DIR (wait for the `$/progress` end, then keyslot/keyMap), pick the longest file with
 * key uses that has a two-key call whose keys share a literal tag (`sinter("{u:1}:a", "{u:1}:b")`),
 * open it, then N times toggle the braces of the second key's tag (`"{u:1}:b"` ↔ `"u:1:b"`): the
 * keys fall into different slots and a crossslot error appears on that line, or goes away. Each
 * edit is timed from sending didChange to the first publishDiagnostics for the file whose content
 * shows the change. Then hover on key uses (keyMap positions) and off them, and code actions on
 * published diagnostics, one request at a time.
 */

export interface LspContext {
  /** the workspace the other figures used */
  dir: string;
  repo: string;
  /** files keyslot scans in `dir`, for the row labels */
  files?: number;
}

export const LSP_NOT_BUILT = 'language server not built yet';

// enough edits that p99 is a percentile, not the single worst edit (the first after opening, reported as max)
const EDITS = 200;
const HOVERS_ON_KEYS = 500;
const HOVERS_OFF_KEYS = 200;
const CODE_ACTIONS = 200;
const BUDGET_EDIT_MS = 30;
const BUDGET_REQUEST_MS = 5;
// issue "The editor on real repositories": after a burst of typing, and requests sent during it
const BURST_BUDGET_MS = 150;
const BURST_REQUEST_BUDGET_MS = 20;

export interface LspResult {
  /** workspace-relative path of the edited file, its lines and key uses */
  file: { rel: string; lines: number; uses: number; line: number; edit: string };
  /** initialize → the last publishDiagnostics of the initial burst (index, analysis, first publish) */
  indexMs: number;
  keyUses: number;
  /** files with diagnostics after indexing */
  filesWithDiagnostics: number;
  /** didChange → publishDiagnostics for the file with the change, ms, one per edit */
  editMs: number[];
  /** per edit: time in FolderIndex.setText (parse + extract), reanalyze (resolve + rules), and the rest */
  extractMs: number[];
  reanalyzeMs: number[];
  /** publishDiagnostics notifications sent per edit, median (every file with findings is republished) */
  publishedPerEdit: number;
  hoverOnKeyMs: number[];
  /** hovers on key uses that answered with a hover */
  hoverOnKeyHits: number;
  hoverOffKeyMs: number[];
  codeActionMs: number[];
  /** actions returned over all code-action requests, and how many requests got a fix besides the suppression */
  codeActions: number;
  codeActionFixes: number;
  /** the burst: its last edit → the diagnostics that show it, ms */
  burstMs: number;
  /** hovers and code actions sent during the burst, ms each */
  burstHoverMs: number[];
  burstCodeActionMs: number[];
}

// ---------------------------------------------------------------------------------------------
// rows (run.ts side)

const ms = (x: number) => (x < 1 ? `${x.toFixed(2)} ms` : seconds(x));

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

export function lspRows(ctx: LspContext, log: (s: string) => void = () => undefined): Row[] {
  log('bench: language server: index, edits, hovers, code actions …');
  // the same Node flags as the shipped server (the client and `keyslot lsp` start it with them)
  const r = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', __filename, ctx.dir], { cwd: ctx.repo, encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    const why = (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').pop()!.slice(0, 120);
    log(` failed (exit ${r.status})\n${(r.stderr ?? '').slice(-1500)}\n`);
    return [
      { ...notMeasured('edit → diagnostics p99', `≤ ${BUDGET_EDIT_MS} ms`, why), verdict: r.status === 0 ? 'not measured' : 'FAIL' },
      { ...notMeasured('hover p99', `≤ ${BUDGET_REQUEST_MS} ms`, why), verdict: r.status === 0 ? 'not measured' : 'FAIL' },
      { ...notMeasured('code action p99', `≤ ${BUDGET_REQUEST_MS} ms`, why), verdict: r.status === 0 ? 'not measured' : 'FAIL' },
    ];
  }
  const x = JSON.parse(last) as LspResult;
  log(` edit p99 ${ms(percentile(x.editMs, 0.99))}, hover p99 ${ms(percentile(x.hoverOnKeyMs, 0.99))}, code action p99 ${ms(percentile(x.codeActionMs, 0.99))}\n`);
  return rowsOf(x, ctx.files);
}

export function rowsOf(x: LspResult, files?: number): Row[] {
  const n = (v: number) => v.toLocaleString('en-US');
  const ws = files ? `${n(files)}-file workspace` : 'workspace';
  const p50 = (xs: number[]) => percentile(xs, 0.5);
  const p99 = (xs: number[]) => percentile(xs, 0.99);
  const med = (xs: number[]) => percentile(xs, 0.5);
  const editP99 = p99(x.editMs);
  const rest = x.editMs.map((t, i) => t - x.extractMs[i] - x.reanalyzeMs[i]);
  const request = (figure: string, xs: number[], baseline: string): Row => ({
    figure,
    value: `p99 ${ms(p99(xs))}`,
    baseline: `p50 ${ms(p50(xs))}, max ${ms(Math.max(...xs))}${baseline}`,
    ratio: '',
    budget: `≤ ${BUDGET_REQUEST_MS} ms`,
    verdict: verdict(p99(xs) <= BUDGET_REQUEST_MS),
  });
  return [
    { figure: `LSP: index ${ws} (to first diagnostics)`, value: seconds(x.indexMs), baseline: `${n(x.keyUses)} key uses, ${n(x.filesWithDiagnostics)} files with diagnostics`, ratio: '', budget: '', verdict: '' },
    {
      figure: `edit → diagnostics p99 of ${x.editMs.length} edits, ${n(x.file.lines)}-line file`,
      value: ms(editP99),
      baseline: `p50 ${ms(p50(x.editMs))}, max ${ms(Math.max(...x.editMs))} (first edit ${ms(x.editMs[0])}); ${x.file.rel}:${x.file.line} (${x.file.edit}), ${n(x.file.uses)} key uses`,
      ratio: '',
      budget: `≤ ${BUDGET_EDIT_MS} ms`,
      verdict: verdict(editP99 <= BUDGET_EDIT_MS),
    },
    {
      figure: '  of which (median): extract / reanalyze / publish',
      value: `${ms(med(x.extractMs))} / ${ms(med(x.reanalyzeMs))} / ${ms(med(rest))}`,
      baseline: `${n(x.publishedPerEdit)} files republished per edit`,
      ratio: '',
      budget: '',
      verdict: '',
    },
    request(`hover p99, ${n(x.hoverOnKeyMs.length)} on key uses`, x.hoverOnKeyMs, `; ${n(x.hoverOnKeyHits)} answered`),
    request(`hover p99, ${n(x.hoverOffKeyMs.length)} off keys`, x.hoverOffKeyMs, ''),
    request(`code action p99, ${n(x.codeActionMs.length)} on diagnostics`, x.codeActionMs, `; ${n(x.codeActions)} actions, ${n(x.codeActionFixes)} with a fix`),
    {
      figure: `burst: last of ${BURST_EDITS} back-to-back edits → diagnostics`,
      value: ms(x.burstMs),
      baseline: `one edit alone: p50 ${ms(p50(x.editMs))}`,
      ratio: '',
      budget: `≤ ${BURST_BUDGET_MS} ms`,
      verdict: verdict(x.burstMs <= BURST_BUDGET_MS),
    },
    { ...request(`  hover during the burst, ${n(x.burstHoverMs.length)}`, x.burstHoverMs, ''), budget: `≤ ${BURST_REQUEST_BUDGET_MS} ms`, verdict: verdict(p99(x.burstHoverMs) <= BURST_REQUEST_BUDGET_MS) },
    { ...request(`  code action during the burst, ${n(x.burstCodeActionMs.length)}`, x.burstCodeActionMs, ''), budget: `≤ ${BURST_REQUEST_BUDGET_MS} ms`, verdict: verdict(p99(x.burstCodeActionMs) <= BURST_REQUEST_BUDGET_MS) },
  ];
}

// ---------------------------------------------------------------------------------------------
// the measurement (child side)

const now = () => performance.now();

/** Protocol client + in-process server over two streams; waits are on messages only. */
class Harness {
  readonly conn: ProtocolConnection;
  /** every publishDiagnostics so far, in arrival order */
  readonly diagnostics: PublishDiagnosticsParams[] = [];
  /** when each of them arrived (performance.now()) */
  readonly arrivals: number[] = [];
  private waiters: { from: number; uri?: string; pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: { p: PublishDiagnosticsParams; at: number }) => void }[] = [];
  private progressEnd?: () => void;
  private progressEnded = false;
  private toServer = new PassThrough();
  private toClient = new PassThrough();

  constructor() {
    startServer(createConnection(new StreamMessageReader(this.toServer), new StreamMessageWriter(this.toClient)));
    const conn = (this.conn = createProtocolConnection(new StreamMessageReader(this.toClient), new StreamMessageWriter(this.toServer)));
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      const at = now();
      this.diagnostics.push(p);
      this.arrivals.push(at);
      const index = this.diagnostics.length - 1;
      for (const w of [...this.waiters]) {
        if (index >= w.from && (!w.uri || w.uri === p.uri) && w.pred(p)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve({ p, at });
        }
      }
    });
    conn.onNotification('$/progress', (p: { value?: { kind?: string } }) => {
      if (p.value?.kind === 'end') {
        this.progressEnded = true;
        this.progressEnd?.();
      }
    });
    conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => (i.section === 'keyslot' ? {} : i.section === 'files' ? { exclude: {} } : null)));
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.onRequest('client/registerCapability', () => null);
    conn.onNotification('window/logMessage', () => undefined);
    conn.onNotification('window/showMessage', (m: { message: string }) => void process.stderr.write(`server: ${m.message}\n`));
    conn.listen();
  }

  async initialize(root: string): Promise<void> {
    const uri = pathToFileURL(root).href;
    await this.conn.sendRequest('initialize', {
      processId: null,
      rootUri: uri,
      workspaceFolders: [{ uri, name: path.basename(root) }],
      capabilities: {
        workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true, workspaceEdit: { documentChanges: true, changeAnnotationSupport: {} } },
        window: { workDoneProgress: true },
        textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, publishDiagnostics: { relatedInformation: true }, synchronization: { didSave: false } },
      },
    });
    await this.conn.sendNotification('initialized', {});
  }

  /** The `$/progress` end of the initial indexing. */
  progressDone(timeoutMs: number): Promise<void> {
    if (this.progressEnded) return Promise.resolve();
    return guard(new Promise<void>((resolve) => (this.progressEnd = resolve)), timeoutMs, 'the indexing progress to end');
  }

  /** The first publishDiagnostics at index ≥ `from` (for `uri`) that satisfies `pred`, and when it arrived. */
  next(from: number, uri: string | undefined, pred: (p: PublishDiagnosticsParams) => boolean, timeoutMs: number, what: string): Promise<{ p: PublishDiagnosticsParams; at: number }> {
    for (let i = from; i < this.diagnostics.length; i++) {
      const p = this.diagnostics[i];
      if ((!uri || p.uri === uri) && pred(p)) return Promise.resolve({ p, at: now() });
    }
    return guard(new Promise((resolve) => this.waiters.push({ from, uri, pred, resolve })), timeoutMs, what);
  }

  /** The latest diagnostics of every file that has any. */
  latest(): Map<string, Diagnostic[]> {
    const m = new Map<string, Diagnostic[]>();
    for (const p of this.diagnostics) m.set(p.uri, p.diagnostics);
    for (const [k, v] of m) if (!v.length) m.delete(k);
    return m;
  }

  close(): void {
    this.conn.dispose();
    this.toServer.end();
    this.toClient.end();
  }
}

function guard<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`bench lsp: no ${what} within ${timeoutMs / 1000} s`)), timeoutMs)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Drains queued work and its publishes: a request's answer comes after them on the one stream. */
async function flush(h: Harness): Promise<void> {
  await h.conn.sendRequest('textDocument/hover', { textDocument: { uri: 'untitled:flush' }, position: { line: 0, character: 0 } });
}

/** Two adjacent literal keys of one call that share a literal tag: `("{user:1}:a", "{user:1}:b"`. */
const SAME_TAG_PAIR = /[(,]\s*(["'`])(\{[^{}"'`$\n]+\})[^"'`{}\n]*\1\s*,\s*(["'`])\2[^"'`{}\n]*\3/;
/** A call's only two literal key arguments (after an optional command name; a Python string prefix allowed): `(f"a:{x}", "b:1", oid)`. */
const LITERAL_PAIR = /\((?:\s*["'][A-Za-z]+["']\s*,)?\s*([a-zA-Z]?(["'`])[^"'`\n]*\2)\s*,\s*([a-zA-Z]?(["'`])[^"'`\n]*\4)\s*(?:\)|,(?!\s*[a-zA-Z]?["'`]))/;

/**
 * Where the edits go: `from` at (line, start) becomes `to` on even edits and back on odd ones;
 * `crossWhenEdited` says which of the two has a crossslot diagnostic on the line.
 */
interface EditSite {
  line: number;
  start: number;
  from: string;
  to: string;
  crossWhenEdited: boolean;
  how: string;
}

/**
 * Prefers removing the braces of the second key's tag in a same-tag pair (crossslot appears);
 * else, on a line with a crossslot diagnostic, copies the first key literal over the second (it goes).
 */
function editSite(text: string, diagnostics: Diagnostic[]): EditSite | undefined {
  const lines = text.split('\n');
  for (let line = 0; line < lines.length; line++) {
    const m = SAME_TAG_PAIR.exec(lines[line]);
    if (!m) continue;
    const tag = m[2];
    const comma = m.index + m[0].indexOf(',', m[0].indexOf(tag) + tag.length);
    const start = lines[line].indexOf(m[3] + tag, comma) + 1;
    return { line, start, from: tag, to: tag.slice(1, -1), crossWhenEdited: true, how: `untag ${tag}` };
  }
  for (const d of diagnostics) {
    if (!isCross(d) || d.range.start.line !== d.range.end.line) continue;
    const line = d.range.start.line;
    const m = LITERAL_PAIR.exec(lines[line] ?? '');
    if (!m || m[1] === m[3]) continue;
    const start = lines[line].indexOf(m[3], m.index + m[0].indexOf(m[1]) + m[1].length);
    return { line, start, from: m[3], to: m[1], crossWhenEdited: false, how: `${m[3]} → ${m[1]}` };
  }
  return undefined;
}

const isCross = (d: Diagnostic) => typeof d.code === 'string' && d.code.startsWith('crossslot');
const crossOn = (p: PublishDiagnosticsParams, line: number) => p.diagnostics.some((d) => isCross(d) && d.range.start.line <= line && line <= d.range.end.line);

/** Starts the V8 profiler in this process; the function returned stops it and gives the profile. */
async function startProfile(): Promise<() => Promise<object>> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return async () => {
    const r = (await post('Profiler.stop')) as { profile: object };
    session.disconnect();
    return r.profile;
  };
}

/** A small deterministic generator, so runs pick the same positions. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function measure(root: string): Promise<LspResult> {
  const log = (s: string) => process.stderr.write(s);
  // instrumentation: where an edit's time goes (the server calls these through the prototype)
  const timing = { extract: 0, reanalyze: 0 };
  const proto = FolderIndex.prototype;
  const setText = proto.setText;
  const reanalyze = proto.reanalyze;
  proto.setText = async function (this: FolderIndex, rel: string, text: string) {
    const t0 = now();
    try {
      return await setText.call(this, rel, text);
    } finally {
      timing.extract += now() - t0;
    }
  };
  proto.reanalyze = async function (this: FolderIndex) {
    const t0 = now();
    try {
      return await reanalyze.call(this);
    } finally {
      timing.reanalyze += now() - t0;
    }
  };

  const h = new Harness();
  const t0 = now();
  await h.initialize(root);
  await h.progressDone(600_000);
  const map = await h.conn.sendRequest<KeyMapResult>(KEY_MAP_METHOD, {});
  // keyMap waits for the indexing; the initial burst was all sent before its answer
  const indexMs = (h.arrivals.length ? h.arrivals[h.arrivals.length - 1] : now()) - t0;
  const folder = map.folders[0];
  if (!folder) throw new Error('bench lsp: the server has no workspace folder');
  const uses: KeyMapUse[] = folder.patterns.flatMap((p) => p.uses);
  log(` indexed in ${seconds(indexMs)} (${uses.length} key uses);`);

  // the edited file: the longest with key uses and a same-tag two-key call to toggle
  const usesByUri = new Map<string, KeyMapUse[]>();
  for (const u of uses) usesByUri.set(u.uri, [...(usesByUri.get(u.uri) ?? []), u]);
  const texts = new Map<string, string>();
  const textOf = (uri: string) => {
    let t = texts.get(uri);
    if (t === undefined) texts.set(uri, (t = fs.readFileSync(fileURLToPath(uri), 'utf8')));
    return t;
  };
  const lineCount = (t: string) => t.split('\n').length - (t.endsWith('\n') ? 1 : 0);
  const candidates = [...usesByUri.keys()].map((uri) => ({ uri, lines: lineCount(textOf(uri)) })).sort((a, b) => b.lines - a.lines || (a.uri < b.uri ? -1 : 1));
  const latestAfterIndex = h.latest();
  let chosen: { uri: string; lines: number; site: EditSite } | undefined;
  for (const c of candidates) {
    const site = editSite(textOf(c.uri), latestAfterIndex.get(c.uri) ?? []);
    if (site) {
      chosen = { ...c, site };
      break;
    }
  }
  if (!chosen) throw new Error('no file with key uses has a two-key call to toggle between crossslot and not');
  const { uri, site } = chosen;
  const rel = path.relative(root, fileURLToPath(uri)).split(path.sep).join('/');
  // the initial burst has been published before keyMap answered; this is the chosen file's part of it
  await h.next(0, uri, () => true, 10_000, `initial diagnostics for ${rel}`);
  const filesWithDiagnostics = h.latest().size;
  const original = textOf(uri);

  // open it (same text: the server republishes only if something changed), then toggle the tag
  let mark = h.diagnostics.length;
  await h.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'plaintext', version: 1, text: original } });
  await flush(h);
  const opened = { diagnostics: h.latest().get(uri) ?? [] } as PublishDiagnosticsParams;
  if (crossOn(opened, site.line) === site.crossWhenEdited) throw new Error(`${rel}:${site.line + 1}: the crossslot diagnostic is not as expected before the edit (${site.how})`);
  const editMs: number[] = [];
  // KEYSLOT_BENCH_EDIT_PROFILE=FILE: a CPU profile of the edits alone (a .cpuprofile for Chrome DevTools)
  const profile = process.env.KEYSLOT_BENCH_EDIT_PROFILE ? await startProfile() : undefined;
  const publishedPerEdit: number[] = [];
  const extractMs: number[] = [];
  const reanalyzeMs: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const edited = i % 2 === 0; // even edits make the change, odd ones undo it
    const [was, now_] = edited ? [site.from, site.to] : [site.to, site.from];
    const range = { start: { line: site.line, character: site.start }, end: { line: site.line, character: site.start + was.length } };
    timing.extract = timing.reanalyze = 0;
    mark = h.diagnostics.length;
    const sent = now();
    await h.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: i + 2 }, contentChanges: [{ range, text: now_ }] });
    const got = await h.next(mark, uri, (p) => crossOn(p, site.line) === (edited === site.crossWhenEdited), 30_000, `diagnostics showing edit ${i + 1} of ${rel}:${site.line + 1}`);
    editMs.push(got.at - sent);
    extractMs.push(timing.extract);
    reanalyzeMs.push(timing.reanalyze);
    await flush(h);
    publishedPerEdit.push(h.diagnostics.length - mark);
  }
  // the last edit restored the tag: what is on screen is the original file again
  if (profile) fs.writeFileSync(process.env.KEYSLOT_BENCH_EDIT_PROFILE!, JSON.stringify(await profile()));
  log(` edits p50 ${ms(percentile(editMs, 0.5))};`);

  // hover on key uses: the edited file's first, then the rest of the workspace, evenly
  const mine = usesByUri.get(uri) ?? [];
  const others = uses.filter((u) => u.uri !== uri);
  const onKeys: KeyMapUse[] = mine.slice(0, HOVERS_ON_KEYS / 2);
  const step = Math.max(1, others.length / (HOVERS_ON_KEYS - onKeys.length));
  for (let k = 0; onKeys.length < HOVERS_ON_KEYS && (others.length || mine.length); k++) onKeys.push(others.length ? others[Math.floor(k * step) % others.length] : mine[k % mine.length]);
  const hoverOnKeyMs: number[] = [];
  let hoverOnKeyHits = 0;
  for (const u of onKeys) {
    const s = now();
    const r = await h.conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: u.uri }, position: { line: u.line, character: u.character } });
    hoverOnKeyMs.push(now() - s);
    if (r) hoverOnKeyHits++;
  }

  // hover off keys: lines with no key use, in the edited file and in other files with uses
  const rand = rng(7);
  const files = [...usesByUri.keys()];
  const offKeys: { uri: string; line: number; character: number }[] = [];
  for (let k = 0; offKeys.length < HOVERS_OFF_KEYS && k < HOVERS_OFF_KEYS * 20; k++) {
    const u = k % 2 === 0 ? uri : files[Math.floor(rand() * files.length)];
    const lines = textOf(u).split('\n');
    const used = new Set((usesByUri.get(u) ?? []).map((x) => x.line));
    const line = Math.floor(rand() * lines.length);
    if (used.has(line) || !lines[line].trim()) continue;
    offKeys.push({ uri: u, line, character: Math.floor(lines[line].length / 2) });
  }
  const hoverOffKeyMs: number[] = [];
  for (const p of offKeys) {
    const s = now();
    await h.conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: p.uri }, position: { line: p.line, character: p.character } });
    hoverOffKeyMs.push(now() - s);
  }

  // code actions on published diagnostics: the edited file's, then the other files', round robin
  const latest = h.latest();
  const pool: { uri: string; d: Diagnostic }[] = [...(latest.get(uri) ?? []).map((d) => ({ uri, d }))].slice(0, CODE_ACTIONS / 2);
  const rest = [...latest].filter(([u]) => u !== uri).flatMap(([u, ds]) => ds.map((d) => ({ uri: u, d })));
  const stride = Math.max(1, rest.length / (CODE_ACTIONS - pool.length));
  for (let k = 0; pool.length < CODE_ACTIONS && rest.length; k++) pool.push(rest[Math.floor(k * stride) % rest.length]);
  const codeActionMs: number[] = [];
  let codeActions = 0;
  let codeActionFixes = 0;
  for (const { uri: u, d } of pool) {
    const s = now();
    const r = await h.conn.sendRequest<CodeAction[] | null>('textDocument/codeAction', { textDocument: { uri: u }, range: d.range, context: { diagnostics: [d] } });
    codeActionMs.push(now() - s);
    codeActions += r?.length ?? 0;
    if (r?.some((a) => !a.title.startsWith('Suppress'))) codeActionFixes++;
  }
  log(` hovers and code actions done;`);

  // a burst: BURST_EDITS edits sent back to back, as typing sends them - a comment typed a character
  // at a time on a new last line, then the tag toggled - with a hover and a code action sent after
  // every BURST_PROBE_EVERY-th edit, not waited for while the burst goes on
  const burst = await typeBurst(h, uri, textOf(uri), site, rel, mine[0], latest.get(uri)?.[0]);
  log(` burst: last edit → diagnostics ${ms(burst.burstMs)}\n`);
  h.close();
  proto.setText = setText;
  proto.reanalyze = reanalyze;
  return {
    file: { rel, lines: chosen.lines, uses: mine.length, line: site.line + 1, edit: site.how },
    indexMs,
    keyUses: uses.length,
    filesWithDiagnostics,
    editMs,
    extractMs,
    reanalyzeMs,
    publishedPerEdit: percentile(publishedPerEdit, 0.5),
    hoverOnKeyMs,
    hoverOnKeyHits,
    hoverOffKeyMs,
    codeActionMs,
    codeActions,
    codeActionFixes,
    ...burst,
  };
}

const BURST_EDITS = 60;
// a hover and a code action a third and two thirds into the burst: an editor asks when the cursor
// rests and cancels what the next keystroke makes stale, so these stand for the ones that matter
const BURST_PROBE_EVERY = 20;

async function typeBurst(
  h: Harness,
  uri: string,
  text: string,
  site: EditSite,
  rel: string,
  onKey: KeyMapUse | undefined,
  diagnostic: Diagnostic | undefined,
): Promise<Pick<LspResult, 'burstMs' | 'burstHoverMs' | 'burstCodeActionMs'>> {
  const lines = text.split('\n');
  const comment = /\.(py|rb)$/.test(rel) ? '# ' : /\.lua$/.test(rel) ? '-- ' : '// ';
  // a new last line to type on: its own edit first, so the typed characters land on an empty line
  const last = lines.length;
  let version = 10_000;
  await h.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: version++ }, contentChanges: [{ range: { start: { line: last - 1, character: lines[last - 1].length }, end: { line: last - 1, character: lines[last - 1].length } }, text: '\n' }] });
  const typed = (comment + 'typing a note about the keys here, one key at a time').slice(0, BURST_EDITS - 1).padEnd(BURST_EDITS - 1, '.');
  const probes: Promise<void>[] = [];
  const burstHoverMs: number[] = [];
  const burstCodeActionMs: number[] = [];
  const probe = () => {
    const s = now();
    if (onKey) probes.push(h.conn.sendRequest('textDocument/hover', { textDocument: { uri: onKey.uri }, position: { line: onKey.line, character: onKey.character } }).then(() => void burstHoverMs.push(now() - s)));
    if (diagnostic) probes.push(h.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } }).then(() => void burstCodeActionMs.push(now() - s)));
  };
  const mark = h.diagnostics.length;
  for (let i = 0; i < typed.length; i++) {
    void h.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: version++ }, contentChanges: [{ range: { start: { line: last, character: i }, end: { line: last, character: i } }, text: typed[i] }] });
    if ((i + 1) % BURST_PROBE_EVERY === 0) probe();
  }
  // the last edit of the burst toggles the tag: the diagnostics that show it answer the whole burst
  const range = { start: { line: site.line, character: site.start }, end: { line: site.line, character: site.start + site.from.length } };
  const sent = now();
  await h.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: version++ }, contentChanges: [{ range, text: site.to }] });
  const got = await h.next(mark, uri, (p) => crossOn(p, site.line) === site.crossWhenEdited, 30_000, `diagnostics after a burst of ${BURST_EDITS} edits of ${rel}`);
  await Promise.all(probes);
  return { burstMs: got.at - sent, burstHoverMs, burstCodeActionMs };
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node --import tsx bench/lsp.ts DIR\n');
    process.exit(2);
  }
  measure(path.resolve(dir)).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      // the server's connection keeps the event loop alive
      process.exit(0);
    },
    (e: unknown) => {
      // the stack for a person, then the message alone: lspRows shows the last line in the table
      process.stderr.write(`${e instanceof Error ? `${e.stack}\n${e.message}` : String(e)}\n`);
      process.exit(1);
    },
  );
}
