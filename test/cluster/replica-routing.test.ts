/**
 * Read routing on a real 6-node cluster (3 primaries, 3 replicas): keyslot's verdict on where a
 * client sends its reads ('primary' | 'replica' | 'maybe-replica', server/src/clients/routing.ts)
 * against where the reads of that same client configuration are really served.
 *
 * For each ioredis / node-redis cluster configuration, one source file is written into a workspace
 * (a function that SETs a key and then GETs it back). `keyslot map` gives the `reads` of the GET;
 * `keyslot check` must warn replica-read-after-write exactly when that is not 'primary'. Then the
 * same file is loaded and its function runs N times against the cluster, keys spread over every
 * shard, and `INFO commandstats` (cmdstat_get, reset before each configuration) on every node says
 * which nodes served the GETs:
 *   primary       ⇔ no GET served by a replica
 *   replica       ⇔ every GET served by a replica (each shard has a replica here; ioredis "slave"
 *                   falls back to the primary only for a slot that lists no replica)
 *   maybe-replica ⇔ GETs served by both primaries and replicas (ioredis "all": a random node of
 *                   the slot per command, ~50/50; node-redis useReplicas: a per-shard round-robin
 *                   over primary and replica, so exactly half when each shard's count is even)
 * A stale read is shown once, made deterministic by pausing the replica's replication stream
 * (CLIENT PAUSE WRITE on the replica holds the stream from its primary), and so is the fact that a
 * keyless WAIT through a cluster client runs on some primary, not necessarily the key's: it can
 * answer "1 replica acknowledged" while the key's replica still has the old value.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../server/src/cli/main';
import { keySlot } from '../../server/src/model/slot';
import { isRespError, startCluster, waitFor, type Cluster, type ClusterMember, type Reply } from '../helpers/redis';
import { loadGenerated } from '../helpers/generated';

type Generated = { client: unknown; touch: (id: number, value: string) => Promise<unknown> };

type Verdict = 'primary' | 'replica' | 'maybe-replica';

interface Config {
  name: string;
  lib: 'ioredis' | 'node-redis';
  file: string;
  /** lines that make the client, named `client` */
  ctor: (ports: number[]) => string[];
  /** what a Redis expert expects of this configuration (and what the cluster must show) */
  expect: Verdict;
}

const ioNodes = (ports: number[]) => `const nodes = [${ports.map((p) => `{ host: "127.0.0.1", port: ${p} }`).join(', ')}];`;
const rootNodes = (ports: number[]) => `[${ports.map((p) => `{ url: "redis://127.0.0.1:${p}" }`).join(', ')}]`;

const CONFIGS: Config[] = [
  { name: 'ioredis Cluster(nodes)', lib: 'ioredis', file: 'io_default.js', expect: 'primary', ctor: (p) => [ioNodes(p), 'const client = new Redis.Cluster(nodes);'] },
  { name: 'ioredis scaleReads: "master"', lib: 'ioredis', file: 'io_master.js', expect: 'primary', ctor: (p) => [ioNodes(p), 'const client = new Redis.Cluster(nodes, { scaleReads: "master" });'] },
  { name: 'ioredis scaleReads: "slave"', lib: 'ioredis', file: 'io_slave.js', expect: 'replica', ctor: (p) => [ioNodes(p), 'const client = new Redis.Cluster(nodes, { scaleReads: "slave" });'] },
  { name: 'ioredis scaleReads: "all"', lib: 'ioredis', file: 'io_all.js', expect: 'maybe-replica', ctor: (p) => [ioNodes(p), 'const client = new Redis.Cluster(nodes, { scaleReads: "all" });'] },
  {
    name: 'ioredis opts variable {scaleReads: "slave"}',
    lib: 'ioredis',
    file: 'io_opts_var.js',
    expect: 'replica',
    ctor: (p) => [ioNodes(p), 'const opts = { scaleReads: "slave" };', 'const client = new Redis.Cluster(nodes, opts);'],
  },
  { name: 'node-redis createCluster({rootNodes})', lib: 'node-redis', file: 'nr_default.js', expect: 'primary', ctor: (p) => [`const client = createCluster({ rootNodes: ${rootNodes(p)} });`] },
  { name: 'node-redis useReplicas: false', lib: 'node-redis', file: 'nr_false.js', expect: 'primary', ctor: (p) => [`const client = createCluster({ rootNodes: ${rootNodes(p)}, useReplicas: false });`] },
  { name: 'node-redis useReplicas: true', lib: 'node-redis', file: 'nr_true.js', expect: 'maybe-replica', ctor: (p) => [`const client = createCluster({ rootNodes: ${rootNodes(p)}, useReplicas: true });`] },
];

/** The function keyslot analyses and the test runs: write a key, read it back. */
const TOUCH = ['async function touch(id, value) {', '  await client.set(`item:${id}`, value);', '  return client.get(`item:${id}`);', '}'];

function render(c: Config, ports: number[]): { text: string; getLine: number } {
  const head = ['"use strict";', c.lib === 'ioredis' ? 'const Redis = require("ioredis");' : 'const { createCluster } = require("redis");', ''];
  const lines = [...head, ...c.ctor(ports), '', ...TOUCH, '', 'module.exports = { client, touch };', ''];
  return { text: lines.join('\n'), getLine: lines.findIndex((l) => l.includes('client.get(')) + 1 };
}

interface IoCluster extends EventEmitter {
  quit(): Promise<unknown>;
}
interface NodeRedisCluster extends EventEmitter {
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
}

async function keyslot(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

interface KeyJson {
  file: string;
  line: number;
  command: string;
  pattern: string;
  access: string;
  reads: string;
}
interface DiagJson {
  file: string;
  line: number;
  code: string;
  severity: string;
  message: string;
}

/** cmdstat_get of one node: calls served, and calls rejected (MOVED from a replica without READONLY). */
async function getStats(n: ClusterMember): Promise<{ calls: number; rejected: number }> {
  const info = String(await n.send(['INFO', 'commandstats']));
  const line = /^cmdstat_get:(.*)$/m.exec(info)?.[1] ?? '';
  const field = (f: string) => Number(new RegExp(`\\b${f}=(\\d+)`).exec(line)?.[1] ?? 0);
  return { calls: field('calls'), rejected: field('rejected_calls') };
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  '));
}

const N = 200;

let cluster: Cluster | undefined;
let dir: string | undefined;
const verdicts = new Map<string, { reads: string; warned: boolean }>();

before(async () => {
  cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
  dir = await mkdtemp(join(tmpdir(), 'keyslot-replica-'));
});
after(async () => {
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const running = () => {
  if (!cluster) throw new Error('cluster not started');
  return cluster;
};

test('keyslot map and check give each client configuration a read route', { timeout: 20_000 }, async (t) => {
  const c = running();
  const ports = c.primaries.map((p) => p.port);
  await writeFile(join(dir!, 'package.json'), JSON.stringify({ name: 'keyslot-replica', private: true, dependencies: { ioredis: '6.0.0', redis: '6.3.1' } }, null, 2) + '\n');
  const getLines = new Map<string, number>();
  for (const cfg of CONFIGS) {
    const r = render(cfg, ports);
    getLines.set(cfg.file, r.getLine);
    await writeFile(join(dir!, cfg.file), r.text);
  }
  const map = await keyslot(['map', dir!, '--format', 'json']);
  assert.equal(map.code, 0, map.err);
  const keys = (JSON.parse(map.out) as { keys: KeyJson[] }).keys;
  const check = await keyslot(['check', dir!, '--format', 'json', '--fail-on', 'never']);
  assert.equal(check.code, 0, check.err);
  const diags = (JSON.parse(check.out) as { diagnostics: DiagJson[] }).diagnostics;
  for (const cfg of CONFIGS) {
    const get = keys.filter((k) => k.file === cfg.file && k.command === 'GET');
    assert.equal(get.length, 1, `${cfg.file}: one GET key (${JSON.stringify(keys.filter((k) => k.file === cfg.file))})`);
    assert.equal(get[0].line, getLines.get(cfg.file), `${cfg.file}: GET on its line`);
    assert.equal(get[0].pattern, 'item:${id}', `${cfg.file}: pattern`);
    const set = keys.filter((k) => k.file === cfg.file && k.command === 'SET');
    assert.equal(set.length, 1, `${cfg.file}: one SET key`);
    const warned = diags.filter((d) => d.file === cfg.file && d.code === 'replica-read-after-write');
    for (const d of warned) t.diagnostic(`${cfg.file}:${d.line} ${d.severity} ${d.code}: ${d.message}`);
    verdicts.set(cfg.name, { reads: get[0].reads, warned: warned.length > 0 });
    // the rule fires exactly on the GET of a non-primary client, and nothing else fires
    assert.deepEqual(
      warned.map((d) => d.line),
      get[0].reads === 'primary' ? [] : [get[0].line],
      `${cfg.file}: replica-read-after-write for reads=${get[0].reads}`,
    );
  }
  const others = diags.filter((d) => d.code !== 'replica-read-after-write');
  assert.deepEqual(others.map((d) => `${d.file}:${d.line} ${d.code}`), [], 'no other diagnostics');
});

test('each configuration, run for real, serves its GETs where keyslot says', { timeout: 30_000 }, async (t) => {
  const c = running();
  assert.equal(verdicts.size, CONFIGS.length, 'keyslot verdicts read');
  // Clients learn replicas from CLUSTER SLOTS, which lists them only once gossip has spread them.
  const t0 = Date.now();
  await waitFor(
    'every node lists one replica for every slot range in CLUSTER SLOTS',
    async () => {
      for (const n of c.nodes) {
        const slots = (await n.send(['CLUSTER', 'SLOTS'])) as Reply[];
        if (slots.length !== 3 || slots.some((r) => (r as Reply[]).length !== 4)) return false;
      }
      return true;
    },
    15_000,
  );
  t.diagnostic(`replicas listed in every node's CLUSTER SLOTS after ${Date.now() - t0} ms`);
  const ports = c.primaries.map((p) => p.port);
  // keys spread over every shard
  const ids = Array.from({ length: N }, (_, i) => i);
  const perShard = new Map<number, number>();
  for (const i of ids) {
    const p = c.primaryForSlot(keySlot(`item:${i}`)).port;
    perShard.set(p, (perShard.get(p) ?? 0) + 1);
  }
  assert.equal(perShard.size, 3, 'the keys cover all three shards');

  const rows = [['configuration', 'expert', 'keyslot', 'primary GETs', 'replica GETs', 'rejected', 'stale', 'ms']];
  const problems: string[] = [];
  for (const cfg of CONFIGS) {
    const t1 = Date.now();
    for (const n of c.nodes) assert.equal(await n.send(['CONFIG', 'RESETSTAT']), 'OK');
    const mod = loadGenerated<Generated>(render(cfg, ports).text);
    const errors: string[] = [];
    (mod.client as EventEmitter).on('error', (e: Error) => errors.push(e.message));
    if (cfg.lib === 'ioredis') {
      await new Promise<void>((resolve, reject) => {
        (mod.client as IoCluster).once('ready', () => resolve());
        (mod.client as IoCluster).once('end', () => reject(new Error(`ioredis ended before ready: ${errors.join('; ')}`)));
      });
    } else await (mod.client as NodeRedisCluster).connect();
    let stale = 0;
    try {
      for (const i of ids) {
        const value = `${cfg.file}:${i}`;
        if ((await mod.touch(i, value)) !== value) stale++;
      }
    } finally {
      if (cfg.lib === 'ioredis') await (mod.client as IoCluster).quit();
      else await (mod.client as NodeRedisCluster).close();
    }
    assert.deepEqual(errors, [], `${cfg.name}: client errors`);
    let onPrimaries = 0;
    let onReplicas = 0;
    let rejected = 0;
    const shardsWithReplicaReads = new Set<string>();
    for (const n of c.nodes) {
      const s = await getStats(n);
      rejected += s.rejected;
      if (n.role === 'primary') onPrimaries += s.calls;
      else {
        onReplicas += s.calls;
        if (s.calls) shardsWithReplicaReads.add(n.primaryId!);
      }
    }
    const v = verdicts.get(cfg.name)!;
    rows.push([cfg.name, cfg.expect, v.reads, String(onPrimaries), String(onReplicas), String(rejected), String(stale), String(Date.now() - t1)]);
    if (onPrimaries + onReplicas !== N) problems.push(`${cfg.name}: ${onPrimaries + onReplicas} GETs counted, want ${N}`);
    if (rejected) problems.push(`${cfg.name}: ${rejected} GETs rejected (a replica connection without READONLY)`);
    const observed: Verdict = onReplicas === 0 ? 'primary' : onPrimaries === 0 ? 'replica' : 'maybe-replica';
    if (observed !== cfg.expect) problems.push(`${cfg.name}: the cluster shows ${observed} (${onPrimaries} on primaries, ${onReplicas} on replicas), the expert expected ${cfg.expect}`);
    if (v.reads !== observed) problems.push(`${cfg.name}: keyslot says ${v.reads}, the cluster shows ${observed} (${onPrimaries} on primaries, ${onReplicas} on replicas)`);
    if (observed !== 'primary' && shardsWithReplicaReads.size !== 3) problems.push(`${cfg.name}: replica reads on ${shardsWithReplicaReads.size} of 3 shards`);
    if (observed === 'primary' && stale) problems.push(`${cfg.name}: ${stale} stale reads from primaries`);
  }
  for (const l of table(rows)) t.diagnostic(l);
  t.diagnostic(`${N} SET+GET per configuration, keys over 3 shards (${[...perShard.values()].join('/')}); "stale" = GET did not return the value just SET (timing-dependent, not asserted)`);
  assert.deepEqual(problems, []);
});

test('a replica read right after a write returns the old value while replication lags (made deterministic with CLIENT PAUSE WRITE)', { timeout: 15_000 }, async (t) => {
  const c = running();
  const key = 'stale:demo';
  const primary = c.primaryForSlot(keySlot(key));
  const replica = c.replicas.find((r) => r.primaryId === primary.id)!;
  assert.ok(replica, 'a replica of the key’s primary');
  const reader = await replica.connect();
  try {
    assert.equal(await reader.send(['READONLY']), 'OK');
    assert.equal(await primary.send(['SET', key, 'v1']), 'OK');
    assert.equal(await primary.send(['WAIT', 1, 5000]), 1, 'v1 acknowledged by the replica');
    assert.equal(await reader.send(['GET', key]), 'v1');
    // Replication is asynchronous; pausing writes on the replica holds the replication stream, so
    // the lag that normally lasts microseconds lasts until UNPAUSE.
    assert.equal(await replica.send(['CLIENT', 'PAUSE', 10_000, 'WRITE']), 'OK');
    let unpaused = false;
    try {
      assert.equal(await primary.send(['SET', key, 'v2']), 'OK');
      const w = await primary.send(['WAIT', 1, 200]);
      const stale = await reader.send(['GET', key]);
      t.diagnostic(`SET v2 on primary ${primary.port}; WAIT 1 200 -> ${JSON.stringify(w)}; GET on replica ${replica.port} -> ${JSON.stringify(stale)}`);
      assert.equal(w, 0, 'the paused replica has not acknowledged v2');
      assert.equal(stale, 'v1', 'the replica still serves the old value');
      assert.equal(await replica.send(['CLIENT', 'UNPAUSE']), 'OK');
      unpaused = true;
    } finally {
      if (!unpaused) await replica.send(['CLIENT', 'UNPAUSE']);
    }
    // WAIT is the cure keyslot recognises: after it, the read is fresh
    assert.equal(await primary.send(['WAIT', 1, 5000]), 1, 'v2 acknowledged after UNPAUSE');
    const fresh = await reader.send(['GET', key]);
    assert.ok(!isRespError(fresh));
    assert.equal(fresh, 'v2');
  } finally {
    reader.close();
  }
});

test('WAIT through an ioredis cluster client is not scoped to the written key: it can report success while the key’s replica lags', { timeout: 15_000 }, async (t) => {
  const c = running();
  const key = 'stale:wait';
  const primary = c.primaryForSlot(keySlot(key));
  const replica = c.replicas.find((r) => r.primaryId === primary.id)!;
  const mod = loadGenerated<Generated>(render(CONFIGS.find((x) => x.file === 'io_slave.js')!, c.primaries.map((p) => p.port)).text);
  const io = mod.client as IoCluster & { set(k: string, v: string): Promise<unknown>; get(k: string): Promise<unknown>; wait(n: number, ms: number): Promise<number> };
  await new Promise<void>((resolve, reject) => {
    io.once('ready', () => resolve());
    io.once('end', () => reject(new Error('ioredis ended before ready')));
  });
  try {
    assert.equal(await io.set(key, 'v1'), 'OK');
    assert.equal(await primary.send(['WAIT', 1, 5000]), 1, 'v1 on the replica');
    for (const n of c.nodes) assert.equal(await n.send(['CONFIG', 'RESETSTAT']), 'OK');
    assert.equal(await replica.send(['CLIENT', 'PAUSE', 10_000, 'WRITE']), 'OK');
    const replies: number[] = [];
    let unpaused = false;
    try {
      assert.equal(await io.set(key, 'v2'), 'OK');
      // the keyless WAIT goes to a random primary; on any other primary it answers at once
      for (let i = 0; i < 30 && !replies.some((r) => r >= 1); i++) replies.push(await io.wait(1, 50));
      const read = await io.get(key);
      const waitsOn = await Promise.all(
        c.primaries.map(async (p) => `${p.port}${p === primary ? '(key)' : ''}:${/^cmdstat_wait:calls=(\d+)/m.exec(String(await p.send(['INFO', 'commandstats'])))?.[1] ?? 0}`),
      );
      t.diagnostic(`SET ${key} v2 (primary ${primary.port}, its replica paused); cluster.wait(1, 50) replies ${JSON.stringify(replies)}; WAIT calls per primary ${waitsOn.join(' ')}; then GET (scaleReads slave) -> ${JSON.stringify(read)}`);
      assert.ok(replies.some((r) => r >= 1), 'a WAIT reported an acknowledging replica');
      assert.equal(read, 'v1', 'yet the read after it is stale');
      assert.equal(await replica.send(['CLIENT', 'UNPAUSE']), 'OK');
      unpaused = true;
    } finally {
      if (!unpaused) await replica.send(['CLIENT', 'UNPAUSE']);
    }
  } finally {
    await io.quit();
  }
});
