import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { removeWorkspaces, run, Run, where, workspace } from '../helpers/cli';
import type { GroupJson, KeyJson, MapJson } from '../../server/src/cli/output';

/*
 * The `keyslot` CLI (design.md, "Names the user sees" and "CLI JSON"), run in process through
 * main() with captured stdout/stderr, plus the real `bin/keyslot.js` and `npx keyslot`.
 *
 * Every slot below is a CLUSTER KEYSLOT answer from a real Redis 7 server: the spec examples
 * from redis-facts.md, and a few more asked of `redis-server --cluster-enabled yes` when this
 * file was written (marked "server"). Lines and columns are counted from the fixture text here.
 */

const repoRoot = path.resolve(__dirname, '..', '..');

async function mapJson(...argv: string[]): Promise<Run & { json: MapJson }> {
  const r = await run('map', '--format', 'json', ...argv);
  assert.equal(r.code, 0, `map exited ${r.code}: ${r.err}`);
  return { ...r, json: JSON.parse(r.out) as MapJson };
}

after(removeWorkspaces);

const keysOf = (j: MapJson, file?: string): KeyJson[] => j.keys.filter((k) => file === undefined || k.file === file);
const patternsOf = (j: MapJson, file?: string): string[] => keysOf(j, file).map((k) => k.pattern);

/** A small redis-py cluster module whose only key is `key`. */
const pyRedis = (key: string) => `import redis\nr = redis.RedisCluster(host="h", port=1)\nr.get("${key}")\n`;

// ---------------------------------------------------------------------------------------------
describe('keyslot slot', () => {
  // CLUSTER KEYSLOT facts (redis-facts.md)
  const spec = [
    { key: 'foo{}{bar}', slot: 8363, hashed: 'foo{}{bar}', tag: null, kind: 'empty-tag' },
    { key: 'foo{{bar}}zap', slot: 4015, hashed: '{bar', tag: '{bar', kind: 'tag' },
    { key: 'foo{bar}{zap}', slot: 5061, hashed: 'bar', tag: 'bar', kind: 'tag' },
    { key: '{user:1001}:profile', slot: 5712, hashed: 'user:1001', tag: 'user:1001', kind: 'tag' },
    { key: 'user:1001:profile', slot: 2549, hashed: 'user:1001:profile', tag: null, kind: 'whole' },
  ];

  test('text: one line per key, slot then key, in argument order', async () => {
    const r = await run('slot', ...spec.map((s) => s.key));
    assert.equal(r.code, 0);
    assert.equal(r.err, '');
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines.length, spec.length);
    spec.forEach((s, i) => {
      const [slot, key] = lines[i].trim().split(/\s+/);
      assert.equal(Number(slot), s.slot, s.key);
      assert.equal(key, s.key);
    });
    // the tag is shown for tagged keys
    assert.match(lines[2], /\{bar\}/);
    assert.match(lines[3], /\{user:1001\}/);
  });

  test('--format json: key, slot, hashed, tag, kind', async () => {
    const r = await run('slot', '--format', 'json', ...spec.map((s) => s.key));
    assert.equal(r.code, 0);
    assert.equal(r.err, '');
    assert.deepEqual(JSON.parse(r.out), spec);
    // --format=json is the same option
    const eq = await run('slot', '--format=json', 'foo{}{bar}');
    assert.equal(eq.code, 0);
    assert.deepEqual(JSON.parse(eq.out), [spec[0]]);
  });

  test('multi-byte keys are hashed as UTF-8 bytes', async () => {
    // server: CLUSTER KEYSLOT 'ключ:{用户:42}' = 13370, 'é{ü:1}x' = 12234, '😀' = 2959, 'ключ:1' = 2323
    const r = await run('slot', '--format', 'json', 'ключ:{用户:42}', 'é{ü:1}x', '😀', 'ключ:1');
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out), [
      { key: 'ключ:{用户:42}', slot: 13370, hashed: '用户:42', tag: '用户:42', kind: 'tag' },
      { key: 'é{ü:1}x', slot: 12234, hashed: 'ü:1', tag: 'ü:1', kind: 'tag' },
      { key: '😀', slot: 2959, hashed: '😀', tag: null, kind: 'whole' },
      { key: 'ключ:1', slot: 2323, hashed: 'ключ:1', tag: null, kind: 'whole' },
    ]);
    const t = await run('slot', 'ключ:{用户:42}');
    assert.match(t.out, /^\s*13370\s+ключ:\{用户:42\}/);
  });

  test('a key starting with - can follow --', async () => {
    // '-{user:1001}' hashes only 'user:1001', like '{user:1001}:profile' (5712, redis-facts.md)
    const r = await run('slot', '--format', 'json', '--', '-{user:1001}');
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { slot: number }[])[0].slot, 5712);
  });

  test('no KEY: exit 2 and a message on stderr', async () => {
    const r = await run('slot');
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(r.err, /KEY/);
  });
});

// ---------------------------------------------------------------------------------------------
describe('usage errors', () => {
  test('no command: exit 2', async () => {
    const r = await run();
    assert.equal(r.code, 2);
    assert.ok((r.out + r.err).includes('Usage'), 'says how to use it');
  });

  test('unknown command: exit 2, named on stderr', async () => {
    const r = await run('frobnicate');
    assert.equal(r.code, 2);
    assert.match(r.err, /frobnicate/);
    assert.equal(r.out, '');
  });

  test('unknown option: exit 2, named on stderr', async () => {
    for (const argv of [
      ['map', '--bogus'],
      ['slot', '-x', 'k'],
    ]) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.ok(r.err.includes(argv[1]), `${argv.join(' ')}: ${r.err}`);
      assert.equal(r.out, '');
    }
  });

  test('an option that only starts like a known one is unknown, not taken as that option', async () => {
    // `--exclude-dir legacy` must not silently become `--exclude legacy`, nor `--formatx` be `--format`
    const empty = workspace({});
    const failures: string[] = [];
    for (const argv of [
      ['map', '--exclude-dir', 'legacy', empty],
      ['map', '--client-names', 'x', empty],
      ['slot', '--formatx=json', 'k'],
    ]) {
      const r = await run(...argv);
      if (r.code !== 2 || !r.err.includes(argv[1].split('=')[0])) failures.push(`${argv.join(' ')} -> exit ${r.code}, stderr ${JSON.stringify(r.err)}`);
    }
    assert.deepEqual(failures, []);
  });

  test('--format xml: exit 2 for slot and map', async () => {
    for (const argv of [
      ['slot', '--format', 'xml', 'k'],
      ['map', '--format', 'xml', '.'],
      ['map', '--format=xml', '.'],
    ]) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, /xml/);
      assert.equal(r.out, '');
    }
  });

  test('--format without a value: exit 2', async () => {
    const r = await run('slot', 'k', '--format');
    assert.equal(r.code, 2);
    assert.match(r.err, /--format/);
  });

  test('map of a missing path: exit 2, the path named on stderr', async () => {
    const missing = path.join(os.tmpdir(), 'keyslot-no-such-dir-' + process.pid, 'x');
    for (const p of ['/no/such/path', missing]) {
      const r = await run('map', p);
      assert.equal(r.code, 2);
      assert.ok(r.err.includes(p), r.err);
      assert.equal(r.out, '');
    }
  });

  test('--help: exit 0 with usage on stdout', async () => {
    for (const h of ['--help', '-h', 'help']) {
      const r = await run(h);
      assert.equal(r.code, 0, h);
      assert.match(r.out, /Usage/);
      assert.match(r.out, /keyslot slot KEY/);
      assert.match(r.out, /keyslot map/);
      assert.equal(r.err, '');
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('keyslot map --format json', () => {
  const svc = [
    'import redis',
    'r = redis.RedisCluster(host="h", port=1)',
    'r.mget("{user:1001}:profile", "{user:1001}:settings")',
    'r.get("user:1001:profile")',
    '',
  ].join('\n');

  test('keys, positions, slots and the MGET group', async () => {
    const dir = workspace({ 'app/svc.py': svc, 'README.md': '# not code: r.get("{user:1001}:profile")\n' });
    const { json, err } = await mapJson(dir);
    assert.equal(err, '');
    assert.equal(json.version, 1);
    assert.equal(json.files, 1, 'one source file; README.md is not scanned');
    assert.equal(json.root, dir, 'root is the folder given');
    assert.ok(Array.isArray(json.diagnostics));

    assert.equal(json.keys.length, 3, JSON.stringify(json.keys, null, 1));
    const [profile, settings, plain] = json.keys;

    const expectKey = (k: KeyJson, literal: string, pattern: string, tag: string | null, slot: number, command: string) => {
      const at = where(svc, literal);
      assert.equal(k.file, 'app/svc.py', 'relative to the root, with /');
      assert.equal(k.line, at.line, `${pattern} line`);
      assert.equal(k.column, at.column, `${pattern} column (the key argument as written, quote included)`);
      assert.equal(k.endLine, at.line);
      assert.equal(k.endColumn, at.column + literal.length, 'end is just past the closing quote');
      assert.equal(k.language, 'python');
      assert.equal(k.command, command);
      assert.equal(k.access, 'read');
      assert.equal(k.pattern, pattern);
      assert.equal(k.tag, tag);
      assert.equal(k.slot, slot);
      assert.equal(k.client, 'r');
    };
    expectKey(profile, '"{user:1001}:profile"', '{user:1001}:profile', 'user:1001', 5712, 'MGET');
    expectKey(settings, '"{user:1001}:settings"', '{user:1001}:settings', 'user:1001', 5712, 'MGET');
    expectKey(plain, '"user:1001:profile"', 'user:1001:profile', null, 2549, 'GET');

    assert.ok(profile.group, 'MGET keys belong to a group');
    assert.equal(profile.group, settings.group, 'both MGET keys in the same group');
    assert.equal(plain.group, null, 'a single-key GET is in no group');

    assert.equal(json.groups.length, 1);
    const g = json.groups[0] as GroupJson;
    assert.equal(g.id, profile.group);
    assert.equal(g.kind, 'command');
    assert.equal(g.command, 'MGET');
    assert.equal(g.sameSlot, 'yes');
    assert.equal(g.file, 'app/svc.py');
    assert.equal(g.line, where(svc, 'r.mget(').line);
    assert.equal(g.library, 'redis-py');
  });

  test('text output lists the keys by tag with their slots', async () => {
    const dir = workspace({ 'app/svc.py': svc });
    const r = await run('map', dir);
    assert.equal(r.code, 0);
    assert.equal(r.err, '');
    assert.match(r.out, /\{user:1001\}\s+slot 5712\s+\(2 uses\)/);
    const at = where(svc, '"user:1001:profile"');
    assert.ok(r.out.includes(`app/svc.py:${at.line}:${at.column}`), r.out);
    assert.match(r.out, /2549\s+GET\s+read\s+user:1001:profile/);
  });

  test('paths are relative to the root with / even for nested folders, and root is the folder given', async () => {
    const dir = workspace({ 'a/b/c/deep.py': pyRedis('{user:1001}:profile') });
    const { json } = await mapJson(dir);
    assert.equal(fs.realpathSync(json.root), fs.realpathSync(dir));
    assert.deepEqual(
      json.keys.map((k) => [k.file, k.slot]),
      [['a/b/c/deep.py', 5712]],
    );
    for (const k of json.keys) assert.ok(!k.file.includes('\\') && !path.isAbsolute(k.file));
  });
});

// ---------------------------------------------------------------------------------------------
describe('look-alikes are not Redis keys', () => {
  const noRedisPy = [
    'import os',
    'import requests',
    'cache = {}',
    'cache.get("user:1")',
    'requests.get("http://x/user:1")',
    'os.environ.get("KEY")',
    '',
  ].join('\n');
  const noRedisJs = ['const m = new Map();', 'm.get("user:1");', 'localStorage.getItem("user:1");', ''].join('\n');

  test('python dict / requests / os.environ and JS Map / localStorage: zero keys', async () => {
    const dir = workspace({ 'lookalike.py': noRedisPy, 'lookalike.js': noRedisJs });
    const { json, err } = await mapJson(dir);
    assert.equal(err, '');
    assert.equal(json.files, 2, 'both files were scanned');
    assert.deepEqual(json.keys, []);
    assert.deepEqual(json.groups, []);
  });

  test('the same look-alikes next to a real client: only the client call is a key', async () => {
    const mixed = ['import redis', noRedisPy, 'r = redis.RedisCluster(host="h", port=1)', 'r.get("user:1001:profile")', ''].join('\n');
    const dir = workspace({ 'mixed.py': mixed });
    const { json } = await mapJson(dir);
    assert.deepEqual(
      json.keys.map((k) => [k.pattern, k.command, k.slot, k.line]),
      [['user:1001:profile', 'GET', 2549, where(mixed, 'r.get(').line]],
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe('bad input is skipped or parsed as far as possible, reported once, and the scan goes on', () => {
  test('binary, too large, minified, syntax error, invalid UTF-8, unreadable', async () => {
    const ioredis = (key: string) => `const Redis = require("ioredis");\nconst c = new Redis.Cluster([{ host: "h", port: 1 }]);\nc.get("${key}");\n`;
    const big = ioredis('{big:1}:k') + '// padding padding padding padding padding padding padding\n'.repeat(20000);
    assert.ok(Buffer.byteLength(big) > 1024 * 1024);
    const syntax = [
      'import redis',
      'r = redis.RedisCluster(host="h", port=1)',
      'def broken(:',
      '    pass',
      'r.get("{order:7}:total")',
      '',
    ].join('\n');
    const invPrefix = 'import redis\nr = redis.RedisCluster(host="h", port=1)\nx = "';
    const invSuffix = '"; r.get("{user:1001}:settings")\n';
    const inv = Buffer.concat([Buffer.from(invPrefix), Buffer.from([0xff, 0xfe]), Buffer.from(invSuffix)]);
    const dir = workspace({
      'a_ok.py': pyRedis('{user:1001}:profile'),
      'bin.py': Buffer.concat([Buffer.from('import redis\nr = redis.RedisCluster(host="h", port=1)\n'), Buffer.from([0, 0, 1, 2, 0]), Buffer.from('\nr.get("{bin:1}:k")\n')]),
      'big.js': big,
      'x.min.js': ioredis('{min:1}:k').replace(/\n/g, ''),
      'bad.py': syntax,
      'inv.py': inv,
      'locked.py': pyRedis('{locked:1}:k'),
      'z_ok.py': pyRedis('user:1001:profile'),
    });
    const locked = path.join(dir, 'locked.py');
    fs.chmodSync(locked, 0o000);
    let chmodBlocks = true;
    try {
      fs.closeSync(fs.openSync(locked, 'r'));
      chmodBlocks = false; // running as root (or with CAP_DAC_OVERRIDE): mode 000 does not stop reads
    } catch {
      // EACCES as expected
    }

    const { json, err } = await mapJson(dir);

    // the scan went on: the good files before and after the bad ones, and the recoverable ones
    const byFile = new Map<string, string[]>();
    for (const k of json.keys) byFile.set(k.file, [...(byFile.get(k.file) ?? []), `${k.pattern}=${k.slot}`]);
    assert.deepEqual(byFile.get('a_ok.py'), ['{user:1001}:profile=5712']);
    assert.deepEqual(byFile.get('z_ok.py'), ['user:1001:profile=2549']);
    // tree-sitter recovers after `def broken(:`; server: CLUSTER KEYSLOT {order:7}:total = 6368
    assert.deepEqual(byFile.get('bad.py'), ['{order:7}:total=6368']);
    const badKey = keysOf(json, 'bad.py')[0];
    assert.deepEqual([badKey.line, badKey.column], Object.values(where(syntax, '"{order:7}:total"')));
    // invalid bytes become U+FFFD (one UTF-16 unit each); the call after them on the same line is found
    assert.deepEqual(byFile.get('inv.py'), ['{user:1001}:settings=5712']);
    const invKey = keysOf(json, 'inv.py')[0];
    assert.equal(invKey.line, 3);
    assert.equal(invKey.column, `x = "\u{fffd}\u{fffd}"; r.get(`.length + 1);
    // skipped files yield nothing
    for (const f of ['bin.py', 'big.js', 'x.min.js']) assert.equal(byFile.get(f), undefined, f);
    if (chmodBlocks) assert.equal(byFile.get('locked.py'), undefined);

    // files counts what was scanned: a_ok, bad, inv, z_ok (+ locked when it could be read)
    assert.equal(json.files, chmodBlocks ? 4 : 5);

    // one summary line on stderr, every problem file named exactly once
    assert.ok(err.endsWith('\n'));
    const lines = err.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one stderr line, got:\n${err}`);
    const line = lines[0];
    assert.match(line, /^keyslot: /);
    const named = ['bin.py', 'big.js', 'x.min.js', 'bad.py', 'inv.py'];
    if (chmodBlocks) named.push('locked.py');
    else {
      // as root chmod 000 does not block reads, so there is nothing unreadable to report
      assert.ok(!line.includes('locked.py'), line);
    }
    const count = (needle: string) => line.split(needle).length - 1;
    for (const f of named) assert.equal(count(f), 1, `${f} named once in: ${line}`);
    assert.equal(count('bad.py'), 1);
    for (const good of ['a_ok.py', 'z_ok.py']) assert.equal(count(good), 0, good);
    assert.match(line, /binary[^;]*bin\.py/);
    assert.match(line, /1 MiB[^;]*big\.js/);
    assert.match(line, /minified[^;]*x\.min\.js/);
    assert.match(line, /syntax error[^;]*bad\.py/);
    assert.match(line, /UTF-8[^;]*inv\.py/);
    if (chmodBlocks) assert.match(line, /unreadable[^;]*locked\.py/);
  });

  test('a file of exactly 1 MiB is still read; one byte more is skipped', async () => {
    const head = pyRedis('{user:1001}:profile');
    const pad = (n: number) => head + '#'.repeat(n - Buffer.byteLength(head) - 1) + '\n';
    const dir = workspace({ 'at_limit.py': pad(1024 * 1024), 'over_limit.py': pad(1024 * 1024 + 1) });
    assert.equal(fs.statSync(path.join(dir, 'at_limit.py')).size, 1024 * 1024);
    const { json, err } = await mapJson(dir);
    assert.deepEqual(
      json.keys.map((k) => k.file),
      ['at_limit.py'],
    );
    assert.equal(err.trimEnd().split('\n').length, 1);
    assert.ok(err.includes('over_limit.py') && !err.includes('at_limit.py'), err);
  });
});

// ---------------------------------------------------------------------------------------------
describe('which files are scanned', () => {
  const files = {
    '.gitignore': 'ignored/\n',
    'ignored/svc.py': pyRedis('{ign:1}:k'),
    'node_modules/lib/index.py': pyRedis('{nm:1}:k'),
    'node_modules/lib/index.js': 'const Redis = require("ioredis");\nconst c = new Redis.Cluster([]);\nc.get("{nm:2}:k");\n',
    'legacy/old.py': pyRedis('{legacy:1}:k'),
    'legacy/deeper/older.py': pyRedis('{legacy:2}:k'),
    'src/.gitignore': '*.gen.py\n',
    'src/app.gen.py': pyRedis('{gen:1}:k'),
    'src/app.py': pyRedis('{user:1001}:profile'),
  };

  test('.gitignore (root and nested) and node_modules are skipped; everything else is scanned', async () => {
    const dir = workspace(files);
    const { json } = await mapJson(dir);
    assert.deepEqual(patternsOf(json).sort(), ['{legacy:1}:k', '{legacy:2}:k', '{user:1001}:profile']);
    assert.deepEqual(json.keys.map((k) => k.file).sort(), ['legacy/deeper/older.py', 'legacy/old.py', 'src/app.py']);
    assert.equal(json.files, 3);
  });

  test("--exclude 'legacy/**' drops the legacy folder", async () => {
    const dir = workspace(files);
    const { json } = await mapJson('--exclude', 'legacy/**', dir);
    assert.deepEqual(
      json.keys.map((k) => [k.file, k.pattern, k.slot]),
      [['src/app.py', '{user:1001}:profile', 5712]],
    );
    assert.equal(json.files, 1);
    // the = form and repeated excludes
    const two = await mapJson('--exclude=legacy/deeper/**', '--exclude', 'src/**', dir);
    assert.deepEqual(patternsOf(two.json), ['{legacy:1}:k']);
  });

  test('a .gitignore above the folder given (inside the same git repository) still applies', async () => {
    // git, ripgrep and eslint all honour ignore files of parent folders up to the repository root
    const dir = workspace({ '.gitignore': 'gen/\n', 'pkg/gen/out.py': pyRedis('{gen:2}:k'), 'pkg/app.py': pyRedis('{user:1001}:profile') });
    fs.mkdirSync(path.join(dir, '.git'));
    const whole = await mapJson(dir);
    assert.deepEqual(patternsOf(whole.json), ['{user:1001}:profile'], 'ignored when the repository root is scanned');
    const sub = await mapJson(path.join(dir, 'pkg'));
    assert.deepEqual(patternsOf(sub.json), ['{user:1001}:profile'], 'and when only pkg/ is scanned');
  });

  test('the ignored folder is really Redis code: scanned when given on its own', async () => {
    // guards the tests above against passing because the fixture finds nothing anyway
    const dir = workspace({ 'svc.py': files['ignored/svc.py'] });
    const { json } = await mapJson(dir);
    assert.deepEqual(patternsOf(json), ['{ign:1}:k']);
  });
});

// ---------------------------------------------------------------------------------------------
describe('.redis files', () => {
  test('MSET keys share a command group; MULTI … EXEC is a transaction', async () => {
    const text = ['MSET {user:1001}:a 1 {user:1001}:b 2', 'MULTI', 'SET x 1', 'SET y 2', 'EXEC', ''].join('\n');
    const dir = workspace({ 'seed.redis': text });
    const { json, err } = await mapJson(dir);
    assert.equal(err, '');
    assert.equal(json.files, 1);
    // server: CLUSTER KEYSLOT {user:1001}:a = 5712, x = 16287, y = 12222
    assert.deepEqual(
      json.keys.map((k) => [k.command, k.pattern, k.slot, k.access, k.language, k.line, k.column]),
      [
        ['MSET', '{user:1001}:a', 5712, 'write', 'redis', 1, where(text, '{user:1001}:a').column],
        ['MSET', '{user:1001}:b', 5712, 'write', 'redis', 1, where(text, '{user:1001}:b').column],
        ['SET', 'x', 16287, 'write', 'redis', 3, 5],
        ['SET', 'y', 12222, 'write', 'redis', 4, 5],
      ],
    );
    const [a, b, x, y] = json.keys;
    assert.ok(a.group && a.group === b.group);
    assert.ok(x.group && x.group === y.group && x.group !== a.group);
    const mset = json.groups.find((g) => g.id === a.group);
    const tx = json.groups.find((g) => g.id === x.group);
    assert.ok(mset && tx, JSON.stringify(json.groups));
    assert.deepEqual([mset.kind, mset.command, mset.sameSlot, mset.line], ['command', 'MSET', 'yes', 1]);
    // x and y are in different slots: the transaction would get CROSSSLOT
    assert.deepEqual([tx.kind, tx.sameSlot, tx.line], ['transaction', 'no', 2]);
    assert.equal(json.groups.length, 2);
  });
});

// ---------------------------------------------------------------------------------------------
describe('the installed command', () => {
  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'pipe' });
    assert.ok(fs.existsSync(path.join(repoRoot, 'dist', 'cli.js')));
  });

  test('node bin/keyslot.js slot … as a real process', () => {
    const r = spawnSync(process.execPath, ['bin/keyslot.js', 'slot', '--format', 'json', 'foo{}{bar}', 'foo{{bar}}zap', 'ключ:{用户:42}'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(
      (JSON.parse(r.stdout) as { key: string; slot: number }[]).map((x) => [x.key, x.slot]),
      [
        ['foo{}{bar}', 8363],
        ['foo{{bar}}zap', 4015],
        ['ключ:{用户:42}', 13370],
      ],
    );
    // the exit code reaches the shell
    const bad = spawnSync(process.execPath, ['bin/keyslot.js', 'slot'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /KEY/);
    // and the bundle finds its tree-sitter grammars (map parses Python)
    const dir = workspace({ 'svc.py': pyRedis('{user:1001}:profile') });
    const m = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'keyslot.js'), 'map', '--format', 'json', dir], { cwd: os.tmpdir(), encoding: 'utf8' });
    assert.equal(m.status, 0, m.stderr);
    assert.deepEqual(
      (JSON.parse(m.stdout) as MapJson).keys.map((k) => [k.file, k.pattern, k.slot]),
      [['svc.py', '{user:1001}:profile', 5712]],
    );
  });

  test("npx keyslot slot 'foo{}{bar}' '{user:1001}:profile' in the checkout", () => {
    // --no: never install anything from the registry; the package's own bin must be used
    const r = spawnSync('npx', ['--no', 'keyslot', 'slot', 'foo{}{bar}', '{user:1001}:profile'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stdout);
    assert.match(lines[0], /^\s*8363\s+foo\{\}\{bar\}/);
    assert.match(lines[1], /^\s*5712\s+\{user:1001\}:profile/);
  });
});
