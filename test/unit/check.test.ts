import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'node:child_process';
import type { DiagnosticJson, MapJson } from '../../server/src/cli/output';
import { removeWorkspaces, run, where, workspace } from '../helpers/cli';

/*
 * `keyslot check`: the text, JSON and SARIF forms, --fail-on and exit codes, keyslot.config.json,
 * suppression comments. Slots below are CLUSTER KEYSLOT answers of a real server
 * (redis-facts.md; price:A100 566 and price:B200 186 as in examples/shop/README.md).
 */
after(removeWorkspaces);

const APP = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def prices():
    return rc.mget("price:A100", "price:B200")


def friends(a, b):
    return rc.sinter(f"{{user:{a}}}:friends", f"{{user:{b}}}:friends")


def profile(uid):
    return rc.mget(f"{{user:{uid}}}:profile", f"{{user:{uid}}}:settings")
`;

const json = (out: string) => JSON.parse(out) as MapJson;
const codes = (d: DiagnosticJson[]) => d.map((x) => `${x.line} ${x.severity} ${x.code}`);

describe('keyslot check', () => {
  test('text: path:line:col: severity code message, related places under it, a summary; exit 1 on an error', async () => {
    const dir = workspace({ 'app.py': APP });
    const r = await run('check', dir);
    assert.equal(r.code, 1, r.err);
    const b200 = where(APP, '"price:B200"');
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines[0], new RegExp(`^app\\.py:${b200.line}:${b200.column}: error crossslot .*slot 566.*slot 186`));
    const a100 = where(APP, '"price:A100"');
    assert.equal(lines[1].trim(), `app.py:${a100.line}:${a100.column}: note: \`price:A100\` is in slot 566`);
    const possible = where(APP, 'f"{{user:{a}}}:friends"');
    assert.match(lines[2], new RegExp(`^app\\.py:${possible.line}:${possible.column}: warning crossslot-possible .*\`a\` and \`b\``));
    assert.match(lines[lines.length - 1], /^1 error, 1 warning, 0 info in 1 file \(6 key uses, 3 groups, 1 files scanned\)$/);
  });

  test('--fail-on decides the exit code; --format json carries the diagnostics with related places', async () => {
    const onlyWarning = workspace({ 'app.py': APP.replace('"price:B200"', '"price:A100"') });
    assert.equal((await run('check', onlyWarning)).code, 0);
    assert.equal((await run('check', onlyWarning, '--fail-on', 'warning')).code, 1);
    assert.equal((await run('check', onlyWarning, '--fail-on=never')).code, 0);
    const dir = workspace({ 'app.py': APP });
    assert.equal((await run('check', dir, '--fail-on', 'never')).code, 0);
    const r = await run('check', dir, '--format', 'json');
    assert.equal(r.code, 1);
    const j = json(r.out);
    const d = j.diagnostics.find((x) => x.code === 'crossslot')!;
    const b200 = where(APP, '"price:B200"');
    assert.deepEqual({ line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn }, { ...b200, endLine: b200.line, endColumn: b200.column + '"price:B200"'.length });
    assert.deepEqual(d.related.map((x) => [x.line, x.column]), [[where(APP, '"price:A100"').line, where(APP, '"price:A100"').column]]);
    // the fine group says why it is fine: same tag over the same variable
    const fine = j.groups.find((g) => g.line === where(APP, 'f"{{user:{uid}}}:profile"').line)!;
    assert.equal(fine.sameSlot, 'yes');
    assert.match(fine.reason, /tag `\{user:\$\{uid\}\}` over the same `uid`/);
    for (const bad of [['--fail-on', 'info'], ['--format', 'xml'], ['--bogus']]) {
      const u = await run('check', dir, ...bad);
      assert.equal(u.code, 2, bad.join(' '));
      assert.match(u.err, /^keyslot: /);
    }
  });

  test('--format sarif validates against the SARIF 2.1.0 schema and has what code scanning needs', async () => {
    const dir = workspace({ 'src/app.py': APP, 'seed.redis': 'MSET {}:a 1 purchase:{1001} 2\nSET employee:{1001} 3\n' });
    const r = await run('check', dir, '--format', 'sarif');
    assert.equal(r.code, 1);
    const log = JSON.parse(r.out);
    // the schema ships as draft-04; ajv 8 reads it once the draft-04 `id` and meta reference are dropped
    const { $schema: _meta, id: _id, ...schema } = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    const valid: boolean = validate(log);
    assert.ok(valid, ajv.errorsText(validate.errors));
    // the validator can fail: a bad level is caught
    assert.equal(validate({ ...log, runs: [{ ...log.runs[0], results: [{ ...log.runs[0].results[0], level: 'fatal' }] }] }), false);
    const run0 = log.runs[0];
    const results = run0.results as { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } } }[]; partialFingerprints: Record<string, string> }[];
    assert.deepEqual(results.map((x) => `${x.locations[0].physicalLocation.artifactLocation.uri} ${x.ruleId} ${x.level}`).sort(), [
      'seed.redis bare-tag warning',
      'seed.redis crossslot error',
      'seed.redis empty-tag warning',
      'src/app.py crossslot error',
      'src/app.py crossslot-possible warning',
    ]);
    for (const x of results) {
      assert.equal(x.locations[0].physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.match(x.partialFingerprints.primaryLocationLineHash, /^[0-9a-f]{32}$/);
    }
    const ids = run0.tool.driver.rules.map((x: { id: string }) => x.id);
    for (const x of results) assert.ok(ids.includes(x.ruleId));
    for (const rule of run0.tool.driver.rules) assert.ok(rule.shortDescription.text && rule.fullDescription.text && rule.help.text, rule.id);
  });

  test('keyslot-ignore on the line or the line above silences that code only', async () => {
    const src = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)
rc.mget("price:A100", "price:B200")  # keyslot-ignore crossslot
# keyslot-ignore crossslot
rc.mget("price:A100", "price:B200")
# keyslot-ignore bare-tag
rc.mget("price:A100", "price:B200")
rc.mget("price:A100",
        "price:B200")  # keyslot-ignore
`;
    const r = await run('check', workspace({ 'app.py': src }), '--format', 'json');
    assert.deepEqual(codes(json(r.out).diagnostics), ['7 error crossslot']);
    const js = `const Redis = require("ioredis");
const cluster = new Redis.Cluster([]);
// keyslot-ignore crossslot, bare-tag
cluster.mget("price:A100", "price:B200");
cluster.mget("price:A100", "price:B200"); /* keyslot-ignore crossslot */
const unrelated = 1;
cluster.mget("price:A100", "price:B200");
`;
    const lua = `redis.call('GET', KEYS[1])
-- keyslot-ignore script-undeclared-key
redis.call('INCR', 'stats:transfers')
redis.call('INCR', 'stats:other')
`;
    const r2 = await run('check', workspace({ 'app.js': js, 'x.lua': lua }), '--format', 'json');
    assert.deepEqual(
      json(r2.out).diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`),
      ['app.js:7 crossslot', 'x.lua:4 script-undeclared-key'],
    );
  });

  test('--write-baseline records the findings; --baseline then reports only new ones, matched by line text when lines move', async () => {
    const dir = workspace({ 'app.py': APP });
    const file = path.join(dir, 'keyslot-baseline.json');
    const wrote = await run('check', dir, '--write-baseline', file);
    assert.equal(wrote.code, 0, 'writing a baseline is the adoption step, not a failure');
    assert.match(wrote.err, /wrote 2 findings to the baseline/);
    const recorded = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(
      recorded.findings.map((e: { code: string; file: string; line: number }) => `${e.file}:${e.line} ${e.code}`),
      [`app.py:${where(APP, '"price:B200"').line} crossslot`, `app.py:${where(APP, 'f"{{user:{a}}}:friends"').line} crossslot-possible`],
    );
    assert.equal((await run('check', dir, '--baseline', file)).code, 0, 'nothing new');

    // lines move (a header above), the recorded call is copied once, a new cross-slot call appears
    const mget = '    return rc.mget("price:A100", "price:B200")\n';
    const changed = '# header\n# more header\n' + APP.replace(mget, mget + '\n\ndef copy():\n' + mget) + '\n\ndef union():\n    return rc.sunion("price:B200", "price:A100")\n';
    fs.writeFileSync(path.join(dir, 'app.py'), changed);
    const r = await run('check', dir, '--baseline', file, '--format', 'json');
    assert.equal(r.code, 1, r.err);
    const lines = changed.split('\n');
    const reported = json(r.out).diagnostics.map((d) => `${d.code} ${lines[d.line - 1].trim()}`);
    assert.deepEqual(reported.sort(), ['crossslot return rc.mget("price:A100", "price:B200")', 'crossslot return rc.sunion("price:B200", "price:A100")'], 'the copy is one more than the baseline holds; the moved ones stay matched');
    assert.match(r.err, /2 findings in the baseline not shown/);

    // a fixed finding leaves a stale entry, said on stderr
    fs.writeFileSync(path.join(dir, 'app.py'), changed.replace('f"{{user:{a}}}:friends", f"{{user:{b}}}:friends"', 'f"{{user:{a}}}:friends", f"{{user:{a}}}:fans"'));
    const fixed = await run('check', dir, '--baseline', file);
    assert.match(fixed.err, /1 finding in the baseline not shown; 1 baseline entry is gone/);

    for (const [text, reason] of [
      [null, /no such file \(make one with --write-baseline\)/],
      ['{', /is not JSON/],
      [JSON.stringify({ findings: [] }), /is not a keyslot baseline/],
      [JSON.stringify({ format: 'keyslot-baseline', version: 2, findings: [] }), /baseline version 2; this keyslot reads version 1/],
      [JSON.stringify({ format: 'keyslot-baseline', version: 1, findings: [{ code: 'crossslot' }] }), /finding 1 has no "fingerprint"/],
    ] as const) {
      const bad = path.join(dir, 'bad-baseline.json');
      fs.rmSync(bad, { force: true });
      if (text !== null) fs.writeFileSync(bad, text);
      const b = await run('check', dir, '--baseline', bad);
      assert.equal(b.code, 2, String(text));
      assert.match(b.err, reason);
      assert.equal(b.out, '', 'nothing half-done on stdout');
    }
    assert.equal((await run('map', dir, '--baseline', file)).code, 2, 'map has no findings to gate');
  });

  test('lone CR line endings: the calls after a comment are found, and lines are counted as the LSP counts them', async () => {
    const lines = ['from redis.cluster import RedisCluster', 'rc = RedisCluster(host="h", port=1)', '# prices', 'rc.mget("price:A100", "price:B200")', ''];
    for (const eol of ['\r', '\r\n', '\n']) {
      const r = await run('check', workspace({ 'app.py': lines.join(eol) }), '--format', 'json');
      const d = json(r.out).diagnostics;
      assert.deepEqual(d.map((x) => `${x.line}:${x.column} ${x.code}`), ['4:23 crossslot'], JSON.stringify(eol));
    }
  });

  test('a path named on the command line that cannot be read is exit 2 with the reason, not an empty passing report', () => {
    const dir = workspace({ 'app.py': APP });
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, 'app.py'), 0o000);
    // root reads anything: as root (CI), the CLI runs as nobody, as anyone else it runs as itself
    const bin = path.join(__dirname, '..', '..', 'bin', 'keyslot.js');
    const asRoot = process.getuid?.() === 0;
    const r = asRoot ? spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, bin, 'check', path.join(dir, 'app.py')], { encoding: 'utf8' }) : spawnSync(process.execPath, [bin, 'check', path.join(dir, 'app.py')], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /cannot read .*app\.py \(EACCES\)/);
  });

  test('a linked file is read; a linked folder is not walked, and stderr says so', async () => {
    const dir = workspace({ 'real/app.py': APP });
    fs.mkdirSync(path.join(dir, 'scan'));
    fs.symlinkSync(path.join(dir, 'real', 'app.py'), path.join(dir, 'scan', 'linked.py'));
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'scan', 'linked-dir'));
    const r = await run('check', path.join(dir, 'scan'), '--format', 'json');
    assert.deepEqual([...new Set(json(r.out).diagnostics.map((d) => d.file))], ['linked.py']);
    assert.match(r.err, /1 skipped as links to folders, not followed \(linked-dir\)/);
  });

  test('keyslot.config.json: severity per code, topology, hot-tag threshold, excludes; bad config is exit 2 with the reason', async () => {
    const dir = workspace({
      'app.py': APP,
      'gen/skip.py': APP,
      'stats.py': 'from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nrc.get("{global}:hits")\nrc.get("{global}:misses")\nrc.get("{global}:hits")\n',
      'keyslot.config.json': JSON.stringify({ exclude: ['gen/**'], severity: { crossslot: 'warning', 'crossslot-possible': 'off' }, topology: { primaries: 1 }, hotTag: { threshold: 1 } }),
    });
    const r = await run('check', dir, '--format', 'json');
    assert.equal(r.code, 0, 'the only error was turned into a warning');
    const j = json(r.out);
    assert.equal(j.files, 2, 'gen/ is excluded by the config');
    // threshold 1: the fixed tag {global} holds two patterns; {user:${uid}} holds two as well, but one user per slot is no hotspot
    assert.deepEqual(
      j.diagnostics.map((d) => `${d.file}:${d.line} ${d.severity} ${d.code}`),
      [`app.py:${where(APP, '"price:B200"').line} warning crossslot`, 'stats.py:3 warning hot-tag'],
    );
    for (const [config, reason] of [
      ['{', /not valid JSON/],
      [JSON.stringify({ severity: { crossslot: 'loud' } }), /severity of "crossslot" must be error, warning, info or off/],
      [JSON.stringify({ severity: { 'no-such-code': 'off' } }), /unknown code "no-such-code"/],
      [JSON.stringify({ topology: { nodes: [{ name: 'a', slots: ['0-100'] }] } }), /slots 101-16383 belong to no primary/],
      [JSON.stringify({ hotTag: { threshold: 0 } }), /hotTag.threshold/],
      [JSON.stringify({ excludes: [] }), /unknown setting "excludes"/],
      [JSON.stringify({ cluster: 'redis://app:hunter2@10.0.0.5:6379' }), /"cluster": the address carries a password: keep it out of settings/],
      [JSON.stringify({ target: 'elasticache' }), /"target" must be one of oss-cluster, enterprise-proxy, .*standalone, not "elasticache"/],
      ['null', /expected an object/],
      [JSON.stringify({ clients: [] }), /"clients" takes only "extraNames"/],
      ['{"severity": {"__proto__": "off"}}', /unknown code "__proto__"/],
      [JSON.stringify({ exclude: ['('.repeat(70_000)] }), /"exclude" glob 1 .* is left out/],
      [JSON.stringify({ target: 'dragonfly', dragonflyLockTags: { delimiter: '::' } }), /"dragonflyLockTags.delimiter" must be one printable ASCII character/],
      [JSON.stringify({ target: 'dragonfly', dragonflyLockTags: { skipEndDelimiters: -1 } }), /"dragonflyLockTags.skipEndDelimiters" must be a whole number/],
      [JSON.stringify({ target: 'dragonfly', dragonflyLockTags: { delim: ':' } }), /"dragonflyLockTags" takes only "delimiter", "skipEndDelimiters", "prefix"/],
      [JSON.stringify({ dragonflyLockTags: { delimiter: ':' } }), /"dragonflyLockTags" applies with "target": "dragonfly" only/],
      [JSON.stringify({ hashingPolicy: ['(?<tag>.*)'] }), /"hashingPolicy" applies with "target": "enterprise-proxy" only/],
      [JSON.stringify({ target: 'enterprise-proxy', hashingPolicy: ['user:(.*)'] }), /"hashingPolicy" rule 1 \("user:\(\.\*\)"\) has no `\(\?<tag>…\)` group/],
      [JSON.stringify({ target: 'enterprise-proxy', hashingPolicy: ['(?<tag>[a-'] }), /"hashingPolicy" rule 1 .* is not a regular expression keyslot can read/],
      [JSON.stringify({ target: 'enterprise-proxy', hashingPolicy: [] }), /"hashingPolicy" takes 1 to 32 rules, not 0/],
      [JSON.stringify({ target: 'enterprise-proxy', hashingPolicy: ['(?<tag>.*)', 'x'.repeat(257)] }), /"hashingPolicy" rule 2 is longer than 256 characters/],
      [JSON.stringify({ target: 'enterprise-proxy', hashingPolicy: '(?<tag>.*)' }), /"hashingPolicy" must be a list of regular expressions/],
    ] as const) {
      const bad = await run('check', workspace({ 'app.py': APP, 'keyslot.config.json': config }));
      assert.equal(bad.code, 2, config);
      assert.match(bad.err, reason);
      assert.equal(bad.out, '', 'nothing half-done on stdout');
    }
    const missing = await run('check', dir, '--config', path.join(dir, 'nope.json'));
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no such config file/);
    const folder = await run('check', dir, '--config', path.join(dir, 'gen'));
    assert.equal(folder.code, 2);
    assert.match(folder.err, /cannot be read \(it is a directory\)/);
    // a byte order mark (Windows editors write one) is not an error
    const bom = workspace({ 'app.py': APP, 'keyslot.config.json': '\uFEFF' + JSON.stringify({ severity: { crossslot: 'warning' } }) });
    assert.equal((await run('check', bom)).code, 0, 'read, and crossslot is a warning');
  });

  test('Dragonfly lock tags decide the slots, and no `{…}` tag fix is offered for them', async () => {
    const code = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def profile(uid):
    return rc.mget(f"user:{uid}:profile", f"user:{uid}:settings")


def carts():
    return rc.mget("cart:9:items", "wish:9:items")
`;
    const diagnostics = async (config: object) => {
      const r = await run('check', workspace({ 'app.py': code, 'keyslot.config.json': JSON.stringify(config) }), '--format', 'json');
      return (JSON.parse(r.out) as MapJson).diagnostics ?? [];
    };
    // Redis's rule: both calls cross slots, and the tag fix is offered
    const redis = await diagnostics({ target: 'dragonfly' });
    assert.deepEqual(redis.map((d) => [d.code, d.line]), [['crossslot', 6], ['crossslot', 10]]);
    assert.ok(redis[0].fix, `a tag fix: ${JSON.stringify(redis[0])}`);
    // --locktag_delimiter=: hashes what is between the first two colons: `${uid}` and `9`, one slot each call
    assert.deepEqual(await diagnostics({ target: 'dragonfly', dragonflyLockTags: { delimiter: ':' } }), []);
    // with a prefix the keys do not start with, they are hashed whole again; the fix would write braces, so there is none
    const prefixed = await diagnostics({ target: 'dragonfly', dragonflyLockTags: { delimiter: ':', prefix: 'app:' } });
    assert.deepEqual(prefixed.map((d) => [d.code, d.line]), [['crossslot', 6], ['crossslot', 10]]);
    assert.equal(prefixed[0].fix, undefined);
    assert.match(prefixed[0].noFix ?? '', /Dragonfly lock tags \(--locktag_delimiter=: --locktag_prefix=app:\)/);
    assert.match(prefixed[0].message, /give the keys one lock tag \(what Dragonfly hashes: the text between the first `:` and the next `:`, in keys that start with `app:`\)/);
  });

  test("Spring's cache annotations keep keys in Redis only where the project's cache is a RedisCacheManager", async () => {
    const service = `package shop;
import org.springframework.cache.annotation.Cacheable;
public class Prices {
    @Cacheable("prices")
    public long price(String sku) { return 0; }
}
`;
    const config = `package shop;
import org.springframework.data.redis.cache.RedisCacheManager;
public class Caching {
    public RedisCacheManager cacheManager(org.springframework.data.redis.connection.RedisConnectionFactory f) { return RedisCacheManager.create(f); }
}
`;
    const keys = async (files: Record<string, string>) => {
      const r = await run('check', workspace(files), '--format', 'json');
      return ((JSON.parse(r.out) as MapJson).keys ?? []).map((k) => `${k.command} ${k.pattern}`);
    };
    // a cache of another provider (Caffeine, the in-memory default) keeps nothing in Redis
    assert.deepEqual(await keys({ 'Prices.java': service }), []);
    // with a RedisCacheManager: the default prefix is the cache name and `::`, the key the only parameter
    assert.deepEqual(await keys({ 'Prices.java': service, 'Caching.java': config }), ['GET prices::${sku}', 'SET prices::${sku}']);
    // disableKeyPrefix(): the key alone
    const bare = config.replace('RedisCacheManager.create(f)', 'RedisCacheManager.builder(f).cacheDefaults(org.springframework.data.redis.cache.RedisCacheConfiguration.defaultCacheConfig().disableKeyPrefix()).build()');
    assert.deepEqual(await keys({ 'Prices.java': service, 'Caching.java': bare }), ['GET ${sku}', 'SET ${sku}']);
  });
});
