import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allCommands,
  commandInfo,
  commandKeys,
  isKnownCommand,
  isMultiShard,
  isWriteCommand,
  keyAccessOfFlags,
  numkeysIndex,
  REDIS_VERSION,
} from '../../server/src/commands/table';

const positions = (line: (string | null)[]) => commandKeys(line)?.keys.map((k) => k.argIndex);

test('table: sorted, unique, containers and subcommands consistent', () => {
  const all = allCommands();
  assert.match(REDIS_VERSION, /^\d+\.\d+\.\d+/);
  assert.ok(all.length > 200, `only ${all.length} commands`);
  const names = all.map((c) => c.name);
  assert.deepEqual(names, [...names].sort(), 'sorted by name');
  assert.equal(new Set(names).size, names.length, 'unique names');
  for (const c of all) {
    assert.equal(c.name, c.name.toLowerCase());
    assert.equal(c.movablekeys, c.flags.includes('movablekeys'), c.name);
    if (c.container) {
      assert.ok(c.name.startsWith(`${c.container}|`), c.name);
      assert.ok(commandInfo(c.container)?.subcommands?.includes(c.name), `${c.container} lists ${c.name}`);
    }
    for (const s of c.subcommands ?? []) assert.equal(commandInfo(s)?.container, c.name, s);
    for (const spec of c.keySpecs) {
      assert.ok(['index', 'keyword', 'unknown'].includes(spec.begin_search.type), c.name);
      assert.ok(['range', 'keynum', 'unknown'].includes(spec.find_keys.type), c.name);
      assert.ok(spec.flags.length > 0, c.name);
    }
  }
  assert.ok(all.some((c) => c.name === 'object|encoding'));
  assert.ok(all.some((c) => c.name === 'xinfo|stream'));
});

test('key specs agree with the legacy (first, last, step) triple for commands without movable keys', () => {
  // Two descriptions the server gives of the same thing; a cross-check of our key-spec walker.
  let checked = 0;
  for (const c of allCommands()) {
    if (c.movablekeys || c.firstKey === 0 || c.keySpecs.some((s) => s.flags.includes('not_key'))) continue;
    const base = c.container ? [c.container, c.name.split('|')[1]] : [c.name];
    for (const argc of c.arity > 0 ? [c.arity] : [-c.arity, -c.arity + c.step * 2]) {
      const line = [...base];
      while (line.length < argc) line.push(`a${line.length}`);
      const last = c.lastKey < 0 ? argc + c.lastKey : c.lastKey;
      const legacy: number[] = [];
      for (let i = c.firstKey; i <= last; i += c.step) legacy.push(i);
      const got = commandKeys(line);
      assert.ok(got, c.name);
      assert.deepEqual([...new Set(got.keys.map((k) => k.argIndex))].sort((a, b) => a - b), legacy, `${c.name} argc=${argc}`);
      assert.equal(got.incomplete, false, c.name);
      checked++;
    }
  }
  assert.ok(checked > 150, `checked only ${checked}`);
});

test('MGET: every argument is a key, read (command docs: MGET key [key ...])', () => {
  const r = commandKeys(['MGET', 'a', 'b', 'c']);
  assert.deepEqual(r?.keys.map((k) => [k.argIndex, k.access]), [
    [1, 'read'],
    [2, 'read'],
    [3, 'read'],
  ]);
  assert.equal(r?.incomplete, false);
  assert.equal(r?.command, 'mget');
});

test('access classes follow the key-spec flags', () => {
  for (const c of allCommands()) {
    for (const s of c.keySpecs) {
      const a = keyAccessOfFlags(s.flags);
      if (s.flags.includes('RM')) assert.equal(a, 'delete');
      else if (s.flags.includes('RO')) assert.equal(a, 'read');
      else assert.equal(a, 'write', `${c.name} ${s.flags}`);
    }
  }
  assert.equal(commandKeys(['DEL', 'a'])?.keys[0].access, 'delete');
  assert.equal(commandKeys(['GET', 'a'])?.keys[0].access, 'read');
  assert.equal(commandKeys(['LPOP', 'a'])?.keys[0].access, 'write'); // RW + delete flag, not RM
});

test('a null (unknown) key value still has a known position', () => {
  assert.deepEqual(commandKeys(['get', null]), { command: 'get', keys: [{ argIndex: 1, access: 'read', flags: commandInfo('get')!.keySpecs[0].flags }], incomplete: false });
});

test('keynum: null or non-numeric numkeys is incomplete; 0 means no keys', () => {
  for (const bad of [null, 'x', '2.0', ' 2', '+2', '-1', '02']) {
    const r = commandKeys(['EVAL', 'return 1', bad, 'a', 'b']);
    assert.equal(r?.incomplete, true, String(bad));
    assert.deepEqual(r?.keys, [], String(bad));
  }
  const z = commandKeys(['ZUNIONSTORE', 'dst', null, 'a', 'b']);
  assert.equal(z?.incomplete, true);
  assert.deepEqual(z?.keys.map((k) => [k.argIndex, k.access]), [[1, 'write']], 'the destination does not depend on numkeys');
  assert.deepEqual(commandKeys(['EVAL', 's', '0', 'x']), { command: 'eval', keys: [], incomplete: false });
  assert.deepEqual(positions(['EVAL', 's', '2', 'a', 'b', 'arg']), [3, 4]);
  assert.deepEqual(positions(['evalsha', 'sha', '1', 'a', 'arg']), [3]);
  assert.deepEqual(commandKeys(['EVAL', 's', '5', 'a'])?.keys, [], 'numkeys beyond the line: no keys (Redis rejects it)');
  assert.equal(numkeysIndex('eval'), 2);
  assert.equal(numkeysIndex('LMPOP'), 1);
  assert.equal(numkeysIndex('get'), undefined);
});

test('keyword begin_search: case-insensitive, absent keyword = no keys, null before it = incomplete', () => {
  const base = ['GEORADIUS', 'k', '1', '2', '3', 'm'];
  assert.deepEqual(positions([...base, 'store', 'd']), [1, 7]);
  assert.deepEqual(commandKeys([...base, 'STOREDIST', 'd'])?.keys.map((k) => k.access), ['read', 'write']);
  const none = commandKeys([...base, 'ASC']);
  assert.deepEqual([none?.keys.length, none?.incomplete], [1, false]);
  const unknown = commandKeys([...base, null, 'x']);
  assert.equal(unknown?.incomplete, true);
  // XREAD: keyword STREAMS, then half of the rest are keys
  assert.deepEqual(positions(['XREAD', 'COUNT', '1', 'STREAMS', 'a', 'b', '0', '0']), [4, 5]);
  assert.equal(commandKeys(['XREAD', 'COUNT', null, 'STREAMS', 'a', '0'])?.incomplete, true);
  assert.equal(commandKeys(['XREAD', 'STREAMS', 'a', '0'])?.incomplete, false);
});

test('SORT (specs say unknown): STORE found like Redis sortGetKeys; BY/GET or a null option is incomplete', () => {
  const sort = commandKeys(['SORT', 'k', 'LIMIT', '0', '10', 'STORE', 'dst']);
  assert.deepEqual(sort?.keys.map((k) => [k.argIndex, k.access]), [
    [1, 'read'],
    [6, 'write'],
  ]);
  assert.equal(sort?.incomplete, false);
  assert.deepEqual(positions(['SORT', 'k', 'STORE', 'a', 'STORE', 'b']), [1, 5], 'the last STORE wins');
  assert.equal(commandKeys(['SORT', 'k', 'BY', 'w_*', 'STORE', 'd'])?.incomplete, true);
  assert.equal(commandKeys(['SORT', 'k', null, 'd'])?.incomplete, true);
  assert.deepEqual(positions(['SORT_RO', 'k', 'ALPHA']), [1]);
});

test('MIGRATE: its KEYS spec is flagged incomplete, which counts only when KEYS is there', () => {
  assert.equal(commandKeys(['MIGRATE', 'h', '1', '', '0', '5', 'KEYS', 'a'])?.incomplete, true);
  const single = commandKeys(['MIGRATE', 'h', '1', 'k', '0', '5']);
  assert.deepEqual([single?.keys.map((k) => k.argIndex), single?.incomplete], [[3], false]);
});

test('subcommands and case-insensitivity', () => {
  const r = commandKeys(['oBjEcT', 'EnCoDiNg', 'k']);
  assert.equal(r?.command, 'object|encoding');
  assert.deepEqual(r?.keys.map((k) => k.argIndex), [2]);
  assert.equal(commandKeys(['XINFO', 'stream', 'k'])?.command, 'xinfo|stream');
  assert.deepEqual(commandKeys(['OBJECT', null, 'k']), { command: 'object', keys: [], incomplete: true });
  assert.equal(commandKeys(['OBJECT', 'nosuchsub', 'k']), undefined);
  assert.equal(commandKeys(['NOSUCHCOMMAND', 'k']), undefined);
  assert.equal(commandKeys([null, 'k']), undefined);
  assert.equal(commandKeys([]), undefined);
  assert.deepEqual(commandKeys(['OBJECT']), { command: 'object', keys: [], incomplete: false });
  for (const n of ['object|encoding', 'OBJECT|ENCODING', 'object encoding', 'Get']) assert.ok(isKnownCommand(n), n);
  assert.equal(isKnownCommand('nosuch'), false);
  assert.equal(commandInfo('XINFO|STREAM')?.name, 'xinfo|stream');
});

test('tips and flags: multi_shard and write', () => {
  // redis-facts.md: request_policy:multi_shard on DEL, EXISTS, MGET, MSET, TOUCH, UNLINK
  for (const c of ['del', 'EXISTS', 'mget', 'mset', 'touch', 'unlink']) assert.ok(isMultiShard(c), c);
  for (const c of ['get', 'sunionstore', 'eval']) assert.equal(isMultiShard(c), false, c);
  assert.ok(isWriteCommand('SET'));
  assert.ok(isWriteCommand('object') === false);
  assert.equal(isWriteCommand('get'), false);
  assert.equal(isWriteCommand('nosuch'), false);
});

test('variable flags: SET with GET reads, BITFIELD with only GET is read-only', () => {
  assert.deepEqual(commandKeys(['SET', 'k', 'v'])?.keys[0].flags, ['OW', 'update']);
  assert.deepEqual(commandKeys(['SET', 'k', 'v', 'get'])?.keys[0].flags, ['RW', 'access', 'update']);
  assert.equal(commandKeys(['BITFIELD', 'k', 'GET', 'u8', '0'])?.keys[0].access, 'read');
  assert.equal(commandKeys(['BITFIELD', 'k', 'GET', 'u8', '0', 'INCRBY', 'u8', '0', '1'])?.keys[0].access, 'write');
  const unknown = commandKeys(['BITFIELD', 'k', null, 'u8', '0']);
  assert.equal(unknown?.keys[0].access, 'write');
  assert.ok(unknown?.keys[0].flags.includes('variable_flags'));
});

test('not_key specs (shard channels) are left out unless asked for', () => {
  assert.deepEqual(commandKeys(['SPUBLISH', 'ch', 'msg'])?.keys, []);
  assert.deepEqual(commandKeys(['SPUBLISH', 'ch', 'msg'], { includeNotKeys: true })?.keys.map((k) => k.argIndex), [1]);
  assert.deepEqual(commandKeys(['SSUBSCRIBE', 'a', 'b'], { includeNotKeys: true })?.keys.map((k) => k.argIndex), [1, 2]);
});

test('commands of Redis 7.4-8.x and Valkey 9, from their command specs: keys where the docs put them', () => {
  // positions read from the command docs (redis.io/docs/latest/commands, valkey.io/commands), not from the table
  const cases: [(string | null)[], number[]][] = [
    [['MSETEX', '2', 'a', '1', 'b', '2', 'EX', '60'], [2, 4]], // MSETEX numkeys key value [key value …] [NX|XX] [EX …]
    [['MSETEX', '1', 'a', '1', 'KEEPTTL'], [2]],
    [['LMOVEM', 'src', 'dst', 'LEFT', 'RIGHT', 'COUNT', '2'], [1, 2]],
    [['BLMOVEM', 'src', 'dst', 'LEFT', 'RIGHT', '0', 'EXACTLY', '2'], [1, 2]],
    [['HSETEX', 'h', 'FNX', 'EX', '10', 'FIELDS', '2', 'f1', 'v1', 'f2', 'v2'], [1]],
    [['HGETEX', 'h', 'PERSIST', 'FIELDS', '1', 'f'], [1]],
    [['HGETDEL', 'h', 'FIELDS', '2', 'f1', 'f2'], [1]],
    [['HEXPIRE', 'h', '10', 'NX', 'FIELDS', '1', 'f'], [1]],
    [['HTTL', 'h', 'FIELDS', '1', 'f'], [1]],
    [['DELIFEQ', 'lock', 'token'], [1]],
    [['DELEX', 'lock', 'IFEQ', 'token'], [1]],
    [['DIGEST', 'k'], [1]],
    [['XACKDEL', 's', 'g', 'KEEPREF', 'IDS', '1', '0-1'], [1]],
    [['XDELEX', 's', 'IDS', '1', '0-1'], [1]],
  ];
  for (const [line, keys] of cases) {
    assert.ok(isKnownCommand(line[0]!), `${line[0]} is known`);
    assert.deepEqual(positions(line), keys, line.join(' '));
  }
  // as the servers' flags say: DELIFEQ removes its key, HGETDEL writes, HTTL reads; MSETEX is split per slot by cluster clients
  assert.equal(commandKeys(['DELIFEQ', 'lock', 'token'])?.keys[0].access, 'delete');
  assert.equal(isWriteCommand('hgetdel'), true);
  assert.equal(isWriteCommand('httl'), false);
  assert.ok(isMultiShard('msetex'));
  // the live server's table stays what that server says: these are added, not mixed in
  assert.ok(allCommands().every((c) => !['msetex', 'hsetex', 'delifeq', 'lmovem'].includes(c.name)));
});
