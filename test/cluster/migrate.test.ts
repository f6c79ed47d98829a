import { after, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { keySlot } from '../../server/src/model/slot';
import { removeWorkspaces, run, workspace } from '../helpers/cli';
import { useCluster, type Arg, type Reply } from '../helpers/redis';

/*
 * `keyslot migrate` on a real 6-node cluster (3 primaries, 3 replicas) with seeded data of every
 * type - strings with and without TTLs, hashes, sets, sorted sets, lists, streams - under names a
 * tag fix changed. The dry run writes nothing; --apply copies every key to its new name (on the
 * primary of the new slot) with its value and TTL, and a run stopped half-way (--limit) is
 * finished by running again; --unlink removes the old names only where the new name holds the data.
 */
after(removeWorkspaces);

const cluster = useCluster();

const send = (key: string, args: Arg[]): Promise<Reply> => cluster().primaryForSlot(keySlot(key)).send(args);

const USERS = [1001, 1002, 1003, 1004, 1005];

async function seed(): Promise<void> {
  for (const u of USERS) {
    await send(`user:${u}:profile`, ['SET', `user:${u}:profile`, `name-${u}`, 'PX', 600_000]);
    await send(`user:${u}:settings`, ['HSET', `user:${u}:settings`, 'lang', 'en', 'tz', `UTC+${u % 12}`]);
    await send(`user:${u}:tags`, ['SADD', `user:${u}:tags`, 'a', 'b', `t${u}`]);
    await send(`user:${u}:scores`, ['ZADD', `user:${u}:scores`, 1, 'x', 2, `y${u}`]);
    await send(`user:${u}:feed`, ['RPUSH', `user:${u}:feed`, 'p1', 'p2']);
    await send(`user:${u}:events`, ['XADD', `user:${u}:events`, '*', 'kind', 'login']);
  }
  // a key that looks like the pattern's glob but not like the pattern: left alone
  await send('user:1001:profile:old', ['SET', 'user:1001:profile:old', 'x']);
}

const KINDS = ['profile', 'settings', 'tags', 'scores', 'feed', 'events'];
const PLAN = { version: 1, migrations: KINDS.map((k) => ({ from: `user:\${uid}:${k}`, to: `{user:\${uid}}:${k}` })) };

test('keyslot migrate: a dry run counts, --apply moves every key with its TTL (resumable), --unlink removes the old names', async () => {
  await seed();
  const dir = workspace({ 'keyslot.migrations.json': JSON.stringify(PLAN) });
  const seedNode = `${cluster().primaries[0].host}:${cluster().primaries[0].port}`;
  const migrate = async (...args: string[]) => {
    const r = await run('migrate', '--cluster', seedNode, '--plan', path.join(dir, 'keyslot.migrations.json'), '--format', 'json', ...args);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out) as { patterns: { from: string; keys: number; bytes: number; migrated: number; copied: number; unlinked: number }[] };
  };
  const totals = (x: Awaited<ReturnType<typeof migrate>>) => x.patterns.reduce((t, p) => ({ keys: t.keys + p.keys, migrated: t.migrated + p.migrated, copied: t.copied + p.copied, unlinked: t.unlinked + p.unlinked }), { keys: 0, migrated: 0, copied: 0, unlinked: 0 });
  const oldKeys = USERS.flatMap((u) => KINDS.map((k) => `user:${u}:${k}`));
  const newOf = (k: string) => k.replace(/^user:(\d+):/, '{user:$1}:');
  // each type read back whole (a DUMP is not comparable: a set's order changes when it is rebuilt)
  const READ: Record<string, (k: string) => Arg[]> = {
    profile: (k) => ['GET', k],
    settings: (k) => ['HGETALL', k],
    tags: (k) => ['SMEMBERS', k],
    scores: (k) => ['ZRANGE', k, 0, -1, 'WITHSCORES'],
    feed: (k) => ['LRANGE', k, 0, -1],
    events: (k) => ['XRANGE', k, '-', '+'],
  };
  const valueOf = async (k: string) => {
    const kind = k.slice(k.lastIndexOf(':') + 1);
    const v = await send(k, READ[kind](k));
    return JSON.stringify(kind === 'tags' || kind === 'settings' ? (v as string[]).slice().sort() : v) + ` ${await send(k, ['TYPE', k])}`;
  };
  const before = new Map<string, string>();
  for (const k of oldKeys) before.set(k, await valueOf(k));

  // 1. dry run: every key counted, with its size, nothing written
  const dry = await migrate();
  assert.deepEqual(totals(dry), { keys: 30, migrated: 0, copied: 0, unlinked: 0 });
  assert.ok(dry.patterns.every((p) => p.bytes > 0));
  for (const k of oldKeys) assert.equal(await send(newOf(k), ['EXISTS', newOf(k)]), 0, `dry run wrote ${newOf(k)}`);

  // 2. a run stopped after 7 keys, then run again: everything arrives once
  assert.equal(totals(await migrate('--apply', '--limit', '7')).copied, 7);
  const rest = totals(await migrate('--apply'));
  assert.deepEqual({ migrated: rest.migrated, copied: rest.copied }, { migrated: 7, copied: 23 });
  for (const k of oldKeys) {
    const n = newOf(k);
    assert.equal(await valueOf(n), before.get(k), `${n} holds what ${k} held`);
    assert.equal(await send(k, ['EXISTS', k]), 1, 'the old name stays until --unlink');
  }
  const ttl = (await send(newOf('user:1001:profile'), ['PTTL', newOf('user:1001:profile')])) as number;
  assert.ok(ttl > 500_000 && ttl <= 600_000, `the TTL came along: ${ttl} ms`);
  assert.equal(await send(newOf('user:1001:settings'), ['PTTL', newOf('user:1001:settings')]), -1, 'no TTL stays no TTL');
  // the new names of one user share a slot: the point of the tag
  assert.equal(new Set(KINDS.map((k) => keySlot(`{user:1001}:${k}`))).size, 1);
  assert.equal(totals(await migrate('--apply')).copied, 0, 'idempotent');

  // 3. --unlink: the old names go, the new ones stay, the look-alike is untouched
  assert.equal(totals(await migrate('--apply', '--unlink')).unlinked, 30);
  for (const k of oldKeys) {
    assert.equal(await send(k, ['EXISTS', k]), 0);
    assert.equal(await send(newOf(k), ['EXISTS', newOf(k)]), 1);
  }
  assert.equal(await send('user:1001:profile:old', ['EXISTS', 'user:1001:profile:old']), 1);
});

test('keyslot migrate refuses a bad plan or no cluster with exit 2 and the reason', async () => {
  const dir = workspace({ 'bad.json': JSON.stringify({ version: 1, migrations: [{ from: 'user:${uid}:a', to: '{user:${id}}:a' }] }) });
  const seedNode = `${cluster().primaries[0].host}:${cluster().primaries[0].port}`;
  const bad = await run('migrate', '--cluster', seedNode, '--plan', path.join(dir, 'bad.json'));
  assert.equal(bad.code, 2);
  assert.match(bad.err, /must name the same \$\{…\} parts/);
  const missing = await run('migrate', '--cluster', seedNode, '--plan', path.join(dir, 'nope.json'));
  assert.match(missing.err, /no such file/);
  assert.equal((await run('migrate', '--plan', path.join(dir, 'bad.json'))).code, 2);
  fs.writeFileSync(path.join(dir, 'ok.json'), JSON.stringify(PLAN));
  const closed = await run('migrate', '--cluster', '127.0.0.1:1', '--plan', path.join(dir, 'ok.json'));
  assert.equal(closed.code, 2);
  assert.match(closed.err, /cannot connect to 127\.0\.0\.1:1/);
});

test('keyslot migrate --script: the plan as a Node script (ioredis) that dry-runs, copies with TTLs, resumes and unlinks the same way', async () => {
  const ids = [7001, 7002, 7003];
  for (const id of ids) {
    await send(`acct:${id}:balance`, ['SET', `acct:${id}:balance`, `${id * 10}`, 'PX', 600_000]);
    await send(`acct:${id}:ledger`, ['RPUSH', `acct:${id}:ledger`, 'open', `deposit-${id}`]);
  }
  const plan = { version: 1, migrations: ['balance', 'ledger'].map((k) => ({ from: `acct:\${id}:${k}`, to: `{acct:\${id}}:${k}` })) };
  const dir = workspace({ 'keyslot.migrations.json': JSON.stringify(plan) });
  const script = path.join(dir, 'migrate-keys.js');
  const made = await run('migrate', '--plan', path.join(dir, 'keyslot.migrations.json'), '--script', script);
  assert.equal(made.code, 0, made.err);
  assert.ok(fs.existsSync(script));
  const seedNode = `${cluster().primaries[0].host}:${cluster().primaries[0].port}`;
  // the script finds ioredis the way a project would: from node_modules
  const node = (...args: string[]) => {
    const r = spawnSync(process.execPath, [script, '--cluster', seedNode, ...args], { encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(__dirname, '..', '..', 'node_modules') } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const newKeys = ids.flatMap((id) => [`{acct:${id}}:balance`, `{acct:${id}}:ledger`]);
  const exists = async () => (await Promise.all(newKeys.map((k) => send(k, ['EXISTS', k])))).map(Number);

  assert.match(node(), /acct:\$\{id\}:balance -> \{acct:\$\{id\}\}:balance: 3 keys; 0 already there, 0 copied now/);
  assert.deepEqual(await exists(), newKeys.map(() => 0), 'a dry run writes nothing');
  assert.match(node('--apply'), /balance: 3 keys; 0 already there, 3 copied now/);
  assert.deepEqual(await exists(), newKeys.map(() => 1));
  for (const id of ids) {
    assert.equal(String(await send(`{acct:${id}}:balance`, ['GET', `{acct:${id}}:balance`])), `${id * 10}`);
    const ttl = Number(await send(`{acct:${id}}:balance`, ['PTTL', `{acct:${id}}:balance`]));
    assert.ok(ttl > 0 && ttl <= 600_000, `TTL kept: ${ttl}`);
    assert.deepEqual(((await send(`{acct:${id}}:ledger`, ['LRANGE', `{acct:${id}}:ledger`, 0, -1])) as unknown[]).map(String), ['open', `deposit-${id}`]);
  }
  // run again: nothing copied twice; then the old names go
  assert.match(node('--apply'), /balance: 3 keys; 3 already there, 0 copied now/);
  assert.match(node('--unlink'), /balance: 3 keys; 3 already there, 0 copied now, 3 old names removed/);
  assert.deepEqual((await Promise.all(ids.map((id) => send(`acct:${id}:balance`, ['EXISTS', `acct:${id}:balance`])))).map(Number), [0, 0, 0]);
});
