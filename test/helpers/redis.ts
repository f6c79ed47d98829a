/**
 * Real Redis on loopback for tests: one cluster-mode node, or a 3+3 cluster (recipe in
 * /work/shared/docs/redis-facts.md), plus a minimal RESP2 client written here so tests can send
 * raw byte keys, pipeline a million commands over one socket and see server errors as values.
 */
import { after, before } from 'node:test';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// ---------------------------------------------------------------------------------------------
// RESP2 client

/** A server error reply, returned as a value (not thrown) so tests can assert on it. */
export interface RespError {
  error: string;
}
export type Reply = string | number | null | RespError | Reply[];
export type Arg = string | Buffer | Uint8Array | number;

export function isRespError(r: unknown): r is RespError {
  return typeof r === 'object' && r !== null && !Array.isArray(r) && !Buffer.isBuffer(r) && typeof (r as RespError).error === 'string';
}

function argBytes(a: Arg): Buffer | string {
  if (typeof a === 'string') return a;
  if (typeof a === 'number') return String(a);
  return Buffer.isBuffer(a) ? a : Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : String(n).length;
}

/** RESP encoding of commands (arrays of bulk strings) into one buffer; strings are sent as UTF-8. */
export function encodeCommands(commands: readonly (readonly Arg[])[]): Buffer {
  // Two passes (size, then write) so a 10k-command chunk costs one allocation.
  let size = 0;
  const conv: (Buffer | string)[][] = [];
  const lens: number[] = [];
  for (const c of commands) {
    const args = c.map(argBytes);
    conv.push(args);
    size += 3 + digits(args.length);
    for (const a of args) {
      const len = typeof a === 'string' ? Buffer.byteLength(a, 'utf8') : a.length;
      lens.push(len);
      size += 5 + digits(len) + len;
    }
  }
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  let li = 0;
  for (const args of conv) {
    off += out.write(`*${args.length}\r\n`, off, 'latin1');
    for (const a of args) {
      off += out.write(`$${lens[li++]}\r\n`, off, 'latin1');
      off += typeof a === 'string' ? out.write(a, off, 'utf8') : a.copy(out, off);
      out[off++] = 13;
      out[off++] = 10;
    }
  }
  return out;
}

const INCOMPLETE = Symbol('incomplete');
type Parsed = { value: Reply; end: number } | typeof INCOMPLETE;

/** Parses one reply at `pos`; INCOMPLETE when more bytes are needed. */
function parseReply(buf: Buffer, pos: number, buffers: boolean): Parsed {
  if (pos >= buf.length) return INCOMPLETE;
  const type = buf[pos];
  const cr = buf.indexOf(13, pos + 1);
  if (cr < 0 || cr + 1 >= buf.length) return INCOMPLETE;
  const next = cr + 2;
  switch (type) {
    case 0x2b: // +
      return { value: buf.toString('utf8', pos + 1, cr), end: next };
    case 0x2d: // -
      return { value: { error: buf.toString('utf8', pos + 1, cr) }, end: next };
    case 0x3a: // :
      return { value: Number(buf.toString('latin1', pos + 1, cr)), end: next };
    case 0x24: {
      // $
      const len = Number(buf.toString('latin1', pos + 1, cr));
      if (len < 0) return { value: null, end: next };
      if (next + len + 2 > buf.length) return INCOMPLETE;
      const value = buffers ? (Buffer.from(buf.subarray(next, next + len)) as unknown as string) : buf.toString('utf8', next, next + len);
      return { value, end: next + len + 2 };
    }
    case 0x2a: {
      // *
      const n = Number(buf.toString('latin1', pos + 1, cr));
      if (n < 0) return { value: null, end: next };
      const items: Reply[] = new Array(n);
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p, buffers);
        if (r === INCOMPLETE) return INCOMPLETE;
        items[i] = r.value;
        p = r.end;
      }
      return { value: items, end: p };
    }
    default:
      throw new Error(`RESP protocol error: byte 0x${type.toString(16)} at offset ${pos}`);
  }
}

interface Waiter {
  replies: Reply[];
  expected: number;
  resolve(r: Reply[]): void;
  reject(e: Error): void;
}

export interface RespClientOptions {
  /** Bulk strings come back as Buffers (typed as string) instead of UTF-8 text. */
  buffers?: boolean;
}

export class RespClient {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiters: Waiter[] = [];
  private closed: Error | null = null;

  private constructor(
    private readonly socket: net.Socket,
    private readonly buffers: boolean,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1', opts: RespClientOptions = {}): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RespClient(socket, !!opts.buffers));
      });
    });
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = e;
    for (const w of this.waiters.splice(0)) w.reject(e);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let pos = 0;
    while (pos < this.buf.length) {
      const r = parseReply(this.buf, pos, this.buffers);
      if (r === INCOMPLETE) break;
      pos = r.end;
      const w = this.waiters[0];
      if (!w) {
        this.fail(new Error('RESP reply with no pending command'));
        this.socket.destroy();
        return;
      }
      w.replies.push(r.value);
      if (w.replies.length === w.expected) {
        this.waiters.shift();
        w.resolve(w.replies);
      }
    }
    this.buf = pos === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
  }

  private expect(n: number): Promise<Reply[]> {
    if (this.closed) return Promise.reject(this.closed);
    if (n === 0) return Promise.resolve([]);
    const p = new Promise<Reply[]>((resolve, reject) => this.waiters.push({ replies: [], expected: n, resolve, reject }));
    p.catch(() => {}); // awaited later; a close before then must not be an unhandled rejection
    return p;
  }

  private write(data: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.write(data)) resolve();
      else this.socket.once('drain', resolve);
    });
  }

  async send(args: readonly Arg[]): Promise<Reply> {
    const p = this.expect(1);
    await this.write(encodeCommands([args]));
    return (await p)[0];
  }

  /**
   * Sends many commands and returns their replies in order. Writes chunks of `chunkSize` commands
   * and keeps at most `window` chunks unanswered, so neither side buffers the whole batch.
   */
  async pipeline(commands: Iterable<readonly Arg[]>, chunkSize = 10_000, window = 4): Promise<Reply[]> {
    const inFlight: Promise<Reply[]>[] = [];
    const out: Reply[] = [];
    let pending: (readonly Arg[])[] = [];
    const flush = async () => {
      inFlight.push(this.expect(pending.length));
      const data = encodeCommands(pending);
      pending = [];
      await this.write(data);
      if (inFlight.length >= window) for (const r of await inFlight.shift()!) out.push(r);
    };
    for (const c of commands) {
      pending.push(c);
      if (pending.length >= chunkSize) await flush();
    }
    if (pending.length) await flush();
    for (const p of inFlight) for (const r of await p) out.push(r);
    return out;
  }

  close(): void {
    this.fail(new Error('client closed'));
    this.socket.destroy();
  }
}

/** Converts a RESP2 flat key/value array (how maps arrive in RESP2) to an object. */
export function pairs(reply: Reply): Record<string, Reply> {
  if (!Array.isArray(reply) || reply.length % 2) throw new Error(`not a flat map: ${JSON.stringify(reply)}`);
  const o: Record<string, Reply> = {};
  for (let i = 0; i < reply.length; i += 2) o[String(reply[i])] = reply[i + 1];
  return o;
}

// ---------------------------------------------------------------------------------------------
// Processes

const live = new Set<{ child: ChildProcess; dir: string }>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  const killAll = () => {
    for (const p of live) {
      try {
        p.child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
      rmSync(p.dir, { recursive: true, force: true });
    }
    live.clear();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll();
      process.kill(process.pid, sig); // default action now that our listener is gone
    });
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A free port p whose cluster-bus port p+10000 is free too, and not in `avoid`. */
export async function freePortPair(avoid: Set<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const p = await ephemeralPort();
    const bus = p + 10000;
    if (bus > 65535 || avoid.has(p) || avoid.has(bus)) continue;
    if (await bindable(bus)) return p;
  }
  throw new Error('no free port pair (p, p+10000) found');
}

/** Polls `check` until it returns a truthy value or the deadline passes; an error with `fatal: true` stops at once. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      if ((e as { fatal?: boolean }).fatal) throw e;
      lastErr = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface RedisNode {
  host: string;
  port: number;
  dir: string;
  /** One command on the node's shared connection. */
  send(args: Arg[]): Promise<Reply>;
  /** Many commands on the shared connection, replies in order. */
  pipeline(commands: Iterable<readonly Arg[]>): Promise<Reply[]>;
  /** A new connection (e.g. for READONLY or binary replies); closed by stop(). */
  connect(opts?: RespClientOptions): Promise<RespClient>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** default true */
  cluster?: boolean;
  /** extra redis-server arguments */
  args?: string[];
  /** parent directory for the node's directory (default: a new temp dir of its own) */
  parentDir?: string;
  /** port to use; default a free one (with a free bus port when cluster) */
  port?: number;
}

async function tail(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

async function startOnce(opts: StartOptions, port: number): Promise<RedisNode> {
  const host = '127.0.0.1';
  const cluster = opts.cluster ?? true;
  const dir = await mkdtemp(join(opts.parentDir ?? tmpdir(), `keyslot-redis-${port}-`));
  const log = join(dir, 'redis.log');
  const args = [
    '--port', String(port), '--bind', host, '--dir', dir, '--logfile', log,
    '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'no',
    ...(cluster ? ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'] : []),
    ...(opts.args ?? []),
  ];
  hookExit();
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const entry = { child, dir };
  live.add(entry);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const clients: RespClient[] = [];

  const stop = async () => {
    for (const c of clients.splice(0)) c.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    live.delete(entry);
    await rm(dir, { recursive: true, force: true });
  };

  // Ready when it answers PING; fail fast if the process dies (e.g. the port was taken meanwhile).
  let died: Error | null = null;
  void exited.then((code) => (died ??= new Error(`exited with code ${code}`)));
  void spawnError.then(
    (e) => (died ??= (e as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(`redis-server not on PATH (run node scripts/ensure-debian.mjs redis-server=redis-server): ${e.message}`) : e),
  );
  let main: RespClient;
  try {
    main = await waitFor(
      `redis-server on port ${port} to answer PING`,
      async () => {
        if (died) throw Object.assign(died, { fatal: true });
        const c = await RespClient.connect(port, host);
        try {
          // Must be our process answering, not another server that holds the port.
          const pid = infoField(await c.send(['INFO', 'server']), 'process_id');
          if (pid === String(child.pid) && (await c.send(['PING'])) === 'PONG') return c;
        } catch (e) {
          c.close();
          throw e;
        }
        c.close();
        return undefined;
      },
    );
  } catch (e) {
    const logText = stderr + (await tail(log)); // before stop() removes the directory
    await stop();
    throw Object.assign(new Error(`redis-server on port ${port}: ${(e as Error).message}\n${logText}`), {
      portInUse: /Address already in use/i.test(logText),
    });
  }
  clients.push(main);
  return {
    host,
    port,
    dir,
    send: (a) => main.send(a),
    pipeline: (cmds) => main.pipeline(cmds),
    connect: async (o) => {
      const c = await RespClient.connect(port, host, o);
      clients.push(c);
      return c;
    },
    stop,
  };
}

/** Starts one redis-server (cluster mode unless `cluster: false`) on a free loopback port. */
export async function startRedis(opts: StartOptions = {}, avoid?: Set<number>): Promise<RedisNode> {
  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? (opts.cluster === false ? await ephemeralPort() : await freePortPair(avoid));
    try {
      return await startOnce(opts, port);
    } catch (e) {
      // Another process can grab the port between our probe and redis binding it.
      if (opts.port !== undefined || attempt >= 3 || !(e as { portInUse?: boolean }).portInUse) throw e;
    }
  }
}

/** One cluster-mode node with no slots assigned (CLUSTER KEYSLOT and COMMAND work on it). */
export function startClusterNode(opts: Omit<StartOptions, 'cluster'> = {}): Promise<RedisNode> {
  return startRedis({ ...opts, cluster: true });
}

/**
 * One cluster-mode node for the whole test file: started in `before`, stopped in `after`.
 * Call at the top level of a test file; the returned function gives the running node.
 */
export function useClusterNode(opts: Omit<StartOptions, 'cluster'> = {}): () => RedisNode {
  let node: RedisNode | undefined;
  before(async () => {
    node = await startClusterNode(opts);
  });
  after(async () => {
    await node?.stop();
  });
  return () => {
    if (!node) throw new Error('the Redis node is not started yet (use it inside a test)');
    return node;
  };
}

export interface ClusterMember extends RedisNode {
  id: string;
  role: 'primary' | 'replica';
  /** for a replica: its primary's node id */
  primaryId: string | null;
  /** inclusive slot ranges served (empty for replicas) */
  slots: [number, number][];
}

export interface Cluster {
  nodes: ClusterMember[];
  primaries: ClusterMember[];
  replicas: ClusterMember[];
  /** the primary serving `slot` */
  primaryForSlot(slot: number): ClusterMember;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function infoField(info: Reply, field: string): string | undefined {
  if (typeof info !== 'string') return undefined;
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return m?.[1].trim();
}

/** Starts a local cluster: `primaries` primaries with `replicasPerPrimary` replicas each. */
export async function startCluster({ primaries = 3, replicasPerPrimary = 1, timeoutMs = 60_000 } = {}): Promise<Cluster> {
  const total = primaries * (1 + replicasPerPrimary);
  const parentDir = await mkdtemp(join(tmpdir(), 'keyslot-cluster-'));
  const nodes: RedisNode[] = [];
  const stopAll = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await rm(parentDir, { recursive: true, force: true });
  };
  try {
    const used = new Set<number>();
    for (let i = 0; i < total; i++) {
      // Sequential so each port pair is chosen knowing the ones already taken.
      const n = await startRedis({ parentDir, args: ['--repl-diskless-sync-delay', '0'] }, used);
      used.add(n.port).add(n.port + 10000);
      nodes.push(n);
    }
    await run(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', String(replicasPerPrimary), '--cluster-yes'],
      timeoutMs,
    );
    await waitFor(
      'cluster_state:ok on every node',
      async () => {
        for (const n of nodes) {
          const info = await n.send(['CLUSTER', 'INFO']);
          if (infoField(info, 'cluster_state') !== 'ok' || infoField(info, 'cluster_known_nodes') !== String(total)) return false;
          if (infoField(info, 'cluster_slots_assigned') !== '16384') return false;
        }
        return true;
      },
      timeoutMs,
    );
    const members: ClusterMember[] = [];
    for (const n of nodes) {
      const text = await n.send(['CLUSTER', 'NODES']);
      const me = String(text)
        .split('\n')
        .find((l) => l.split(' ')[2]?.split(',').includes('myself'));
      if (!me) throw new Error(`no myself line in CLUSTER NODES of ${n.port}`);
      const f = me.split(' ');
      const isReplica = f[2].split(',').includes('slave');
      const slots: [number, number][] = f
        .slice(8)
        .filter((s) => /^\d+(-\d+)?$/.test(s))
        .map((s) => {
          const [a, b] = s.split('-').map(Number);
          return [a, b ?? a];
        });
      members.push({ ...n, id: f[0], role: isReplica ? 'replica' : 'primary', primaryId: isReplica ? f[3] : null, slots });
    }
    const replicaList = members.filter((m) => m.role === 'replica');
    await waitFor(
      'master_link_status:up on every replica',
      async () => {
        for (const r of replicaList) if (infoField(await r.send(['INFO', 'replication']), 'master_link_status') !== 'up') return false;
        return true;
      },
      timeoutMs,
    );
    const primaryList = members.filter((m) => m.role === 'primary');
    return {
      nodes: members,
      primaries: primaryList,
      replicas: replicaList,
      primaryForSlot(slot) {
        const p = primaryList.find((m) => m.slots.some(([a, b]) => slot >= a && slot <= b));
        if (!p) throw new Error(`no primary serves slot ${slot}`);
        return p;
      },
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
