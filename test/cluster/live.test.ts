import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { keySlot } from '../../server/src/model/slot';
import type { LiveReport } from '../../server/src/live/live';
import { READ_ONLY, ReadOnlyClient } from '../../server/src/live/live';
import { removeWorkspaces, run, workspace } from '../helpers/cli';
import { commandCalls, commandsSent, useCluster, type Arg, type Reply } from '../helpers/redis';

/*
 * `keyslot live` on a real 6-node cluster (3 primaries, 3 replicas) seeded with the keys of a small
 * application's patterns, keys no code writes, and one hot tag: the topology as the cluster has
 * it, the sampled keys per pattern with their TTLs, the keys no pattern explains, the patterns with
 * no key, the hot slot attributed to the code line that writes it - and, on every node, no command
 * outside the read-only list (INFO commandstats before and after).
 */
after(removeWorkspaces);

const cluster = useCluster();

const send = (key: string, args: Arg[]): Promise<Reply> => cluster().primaryForSlot(keySlot(key)).send(args);

const APP = `from redis.cluster import RedisCluster

rc = RedisCluster(host="localhost", port=7000)


def profile(uid):
    return rc.get(f"user:{uid}:profile")


def cart(uid):
    return rc.hgetall(f"{{cart:{uid}}}:items")


def feed(n):
    return rc.lrange(f"{{feed}}:page:{n}", 0, -1)


def session(sid):
    return rc.get(f"session:{sid}")
`;

test('keyslot live: topology, keys per pattern, keys no pattern explains, the hot slot and its code line; only reads', async () => {
  for (let u = 1; u <= 20; u++) await send(`user:${u}:profile`, ['SET', `user:${u}:profile`, `p${u}`, 'EX', 3600]);
  for (let u = 1; u <= 10; u++) await send(`{cart:${u}}:items`, ['HSET', `{cart:${u}}:items`, 'sku', '1']);
  for (let n = 1; n <= 60; n++) await send(`{feed}:page:${n}`, ['RPUSH', `{feed}:page:${n}`, 'a', 'b']);
  for (let n = 1; n <= 5; n++) await send(`legacy:thing:${n}`, ['SET', `legacy:thing:${n}`, 'x']);
  // the replicas have every write before the commands are counted (WAIT on the connections that wrote)
  for (const p of cluster().primaries) assert.equal(Number(await p.send(['WAIT', 1, 10_000])), 1);
  const dir = workspace({ 'app.py': APP, 'requirements.txt': 'redis==5.0.4\n' });
  const seed = `${cluster().primaries[0].host}:${cluster().primaries[0].port}`;

  const before = await commandCalls(cluster());
  const r = await run('live', dir, '--cluster', seed, '--format', 'json');
  const after = await commandCalls(cluster());
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as LiveReport;

  // read-only: on every node, the only commands whose counts moved are on the list (and this test's own INFO)
  const sent = commandsSent(before, after);
  assert.ok(sent.size > 0);
  for (const c of sent) assert.ok(READ_ONLY.has(c), `${c} was sent`);

  // the topology as the cluster has it
  const primaries = report.nodes.filter((n) => n.slots.length);
  assert.equal(primaries.length, 3, JSON.stringify(report.nodes));
  assert.equal(report.nodes.length, 6);
  assert.ok(primaries.every((n) => n.role === 'primary'));
  assert.deepEqual(primaries.map((n) => n.slots).flat().sort((a, b) => a[0] - b[0]), cluster().primaries.flatMap((p) => p.slots).sort((a, b) => a[0] - b[0]));
  assert.equal(report.sampled, 95);

  const by = (p: string) => report.patterns.find((x) => x.pattern === p)!;
  assert.equal(by('user:${uid}:profile').sampled, 20);
  assert.ok(by('user:${uid}:profile').ttl.min! > 3_500_000 && by('user:${uid}:profile').ttl.none === 0);
  assert.equal(by('{cart:${uid}}:items').sampled, 10);
  assert.equal(by('{cart:${uid}}:items').ttl.none, 10);
  // a fixed tag: all its keys in one slot, counted there
  assert.deepEqual(by('{feed}:page:${n}').slot, { slot: keySlot('{feed}'), node: report.nodes.find((n) => n.role === 'primary' && n.slots.some(([a, b]) => keySlot('{feed}') >= a && keySlot('{feed}') <= b))!.address, keys: 60 });
  assert.deepEqual(report.unexplained, { count: 5, examples: [1, 2, 3, 4, 5].map((n) => `legacy:thing:${n}`) });
  assert.deepEqual(report.unused, ['session:${sid}']);
  // the hot slot, and the line of code that writes it
  const hot = report.hotSlots[0];
  assert.equal(hot.slot, keySlot('{feed}'));
  assert.equal(hot.keys, 60);
  assert.deepEqual(hot.code, [{ file: 'app.py', line: APP.split('\n').findIndex((l) => l.includes('{{feed}}')) + 1 }]);
});

test('the read-only client refuses any other command before it is sent', async () => {
  const c = await ReadOnlyClient.connect(`${cluster().primaries[0].host}:${cluster().primaries[0].port}`);
  try {
    const before = await cluster().primaries[0].send(['DBSIZE']);
    await assert.rejects(c.send(['SET', 'x', '1']), /refused to send SET/);
    await assert.rejects(c.send(['FLUSHALL']), /refused to send FLUSHALL/);
    await assert.rejects(c.send(['CLUSTER', 'RESET']), /refused to send CLUSTER RESET/);
    await assert.rejects(c.pipeline([['SCAN', '0'], ['DEL', 'x']]), /refused to send DEL/);
    assert.deepEqual(await cluster().primaries[0].send(['DBSIZE']), before);
  } finally {
    c.close();
  }
});

test('a node that is down is reported as not read, and the report covers the others', async () => {
  const down = cluster().replicas[0];
  await down.stop();
  const dir = workspace({ 'app.py': APP, 'requirements.txt': 'redis==5.0.4\n' });
  const r = await run('live', dir, '--cluster', `${cluster().primaries[0].host}:${cluster().primaries[0].port}`, '--format', 'json');
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as LiveReport;
  assert.deepEqual(report.unreachable.map((u) => u.node), [`${down.host}:${down.port}`]);
  // the primaries were all read: the keys of the first test are all there
  assert.equal(report.sampled, 95);
});
