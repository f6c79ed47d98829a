/**
 * Real Redis on loopback for tests: one cluster-mode node, or a 3+3 cluster (recipe in
 * /work/shared/docs/redis-facts.md), and the minimal RESP2 client (server/src/live/resp.ts) with
 * which tests send raw byte keys, pipeline a million commands over one socket and see server
 * errors as values.
 */
import { after, before } from 'node:test';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// ---------------------------------------------------------------------------------------------
// RESP2 client: server/src/live/resp.ts (keyslot migrate talks to servers with it too)

export { encodeCommands, isRespError, RespClient } from '../../server/src/live/resp';
export type { Arg, Reply, RespClientOptions, RespError } from '../../server/src/live/resp';
import { RespClient } from '../../server/src/live/resp';
import type { Arg, Reply, RespClientOptions } from '../../server/src/live/resp';

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

/**
 * A 6-node cluster (3 primaries, 3 replicas) for the whole test file: started in `before`, stopped
 * in `after`. Call at the top level of a test file; the returned function gives the running cluster.
 */
export function useCluster(): () => Cluster {
  let cluster: Cluster | undefined;
  before(async () => {
    cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
  });
  after(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!cluster) throw new Error('the cluster is not started yet (use it inside a test)');
    return cluster;
  };
}

/** Calls per command on every node of a cluster (INFO commandstats), keyed `port command`. */
export async function commandCalls(cluster: Cluster): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const n of cluster.nodes) {
    const info = String(await n.send(['INFO', 'commandstats']));
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(`${n.port} ${m[1]}`, Number(m[2]));
  }
  return out;
}

/**
 * The commands whose counts moved between two commandCalls snapshots, as `CLUSTER SHARDS`, `SCAN` …;
 * without REPLCONF and PING, replication's own traffic between primaries and replicas.
 */
export function commandsSent(before: Map<string, number>, after: Map<string, number>): Set<string> {
  return new Set(
    [...after]
      .filter(([k, calls]) => calls !== (before.get(k) ?? 0))
      .map(([k]) => k.split(' ')[1].toUpperCase().replace('|', ' '))
      .filter((c) => c !== 'REPLCONF' && c !== 'PING'),
  );
}
