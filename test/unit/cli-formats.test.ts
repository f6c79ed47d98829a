import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'node:child_process';
import { removeWorkspaces, run, where, workspace } from '../helpers/cli';

/*
 * CLI manners and the review/CI formats of `keyslot check`. The schemas below are written from
 * each format's documentation (reviewdog's rdjson proto, GitLab's Code Quality report, GitHub's
 * workflow commands), not from keyslot's output.
 */
after(removeWorkspaces);

/** One certain crossslot error and one crossslot-possible warning (slots: redis-facts.md). */
const APP = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)
rc.mget("price:A100", "price:B200")


def friends(a, b):
    return rc.sinter(f"{{user:{a}}}:friends", f"{{user:{b}}}:friends")
`;

// reviewdog Diagnostic Format: https://github.com/reviewdog/reviewdog/tree/master/proto/rdf
const RDJSON_SCHEMA = {
  type: 'object',
  required: ['diagnostics'],
  properties: {
    source: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, url: { type: 'string' } } },
    severity: { enum: ['UNKNOWN_SEVERITY', 'ERROR', 'WARNING', 'INFO'] },
    diagnostics: {
      type: 'array',
      items: {
        type: 'object',
        required: ['message', 'location'],
        additionalProperties: false,
        properties: {
          message: { type: 'string' },
          severity: { enum: ['UNKNOWN_SEVERITY', 'ERROR', 'WARNING', 'INFO'] },
          code: { type: 'object', required: ['value'], properties: { value: { type: 'string' }, url: { type: 'string' } }, additionalProperties: false },
          location: {
            type: 'object',
            required: ['path'],
            properties: {
              path: { type: 'string' },
              range: { type: 'object', required: ['start'], properties: { start: { $ref: '#/$defs/position' }, end: { $ref: '#/$defs/position' } } },
            },
          },
          related_locations: { type: 'array', items: { type: 'object', properties: { message: { type: 'string' }, location: { type: 'object', required: ['path'] } } } },
        },
      },
    },
  },
  $defs: { position: { type: 'object', required: ['line'], properties: { line: { type: 'integer', minimum: 1 }, column: { type: 'integer', minimum: 1 } }, additionalProperties: false } },
};

// GitLab Code Quality: https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
const GITLAB_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['description', 'check_name', 'fingerprint', 'severity', 'location'],
    properties: {
      description: { type: 'string' },
      check_name: { type: 'string' },
      fingerprint: { type: 'string', minLength: 1 },
      severity: { enum: ['info', 'minor', 'major', 'critical', 'blocker'] },
      location: { type: 'object', required: ['path', 'lines'], properties: { path: { type: 'string' }, lines: { type: 'object', required: ['begin'], properties: { begin: { type: 'integer', minimum: 1 } } } } },
    },
  },
};

describe('keyslot check: formats for review and CI', () => {
  test('github: one workflow command per finding, with file, lines and columns, escaped as the docs say', async () => {
    const dir = workspace({ 'a,b:c.py': APP });
    const r = await run('check', dir, '--format', 'github');
    assert.equal(r.code, 1);
    const b200 = where(APP, '"price:B200"');
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], new RegExp(`^::error file=a%2Cb%3Ac\\.py,line=${b200.line},col=${b200.column},endLine=${b200.line},endColumn=${b200.column + 12},title=keyslot crossslot::MGET fails on a cluster`));
    assert.match(lines[1], /^::warning file=a%2Cb%3Ac\.py,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=keyslot crossslot-possible::/);
  });

  test('rdjson and gitlab validate against their documented formats; fingerprints are unique', async () => {
    const dir = workspace({ 'app.py': APP });
    const ajv = new Ajv({ allErrors: true });
    const rd = JSON.parse((await run('check', dir, '--format', 'rdjson')).out);
    assert.ok(ajv.validate(RDJSON_SCHEMA, rd), ajv.errorsText());
    assert.deepEqual(rd.diagnostics.map((d: { code: { value: string }; severity: string }) => `${d.code.value} ${d.severity}`), ['crossslot ERROR', 'crossslot-possible WARNING']);
    const gl = JSON.parse((await run('check', dir, '--format', 'gitlab')).out);
    assert.ok(ajv.validate(GITLAB_SCHEMA, gl), ajv.errorsText());
    assert.equal(new Set(gl.map((i: { fingerprint: string }) => i.fingerprint)).size, gl.length);
    assert.deepEqual(gl.map((i: { severity: string; location: { lines: { begin: number } } }) => `${i.severity} ${i.location.lines.begin}`), [`major ${where(APP, '"price:B200"').line}`, `minor ${where(APP, 'f"{{user:{a}}}').line}`]);
  });

  test('junit: a failing case per finding, a passing case when there is none; XML special characters escaped', async () => {
    const failing = (await run('check', workspace({ 'app.py': APP }), '--format', 'junit')).out;
    assert.match(failing, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="keyslot" tests="2" failures="2">/);
    assert.equal((failing.match(/<testcase /g) ?? []).length, 2);
    assert.equal((failing.match(/<failure type="crossslot(-possible)?" message="[^"<>]*">/g) ?? []).length, 2);
    assert.ok(!/[<>]"price/.test(failing));
    const clean = await run('check', workspace({ 'app.py': APP.replace('"price:B200"', '"price:A100"').replace('{b}', '{a}') }), '--format', 'junit');
    assert.equal(clean.code, 0);
    assert.match(clean.out, /tests="1" failures="0">\n  <testsuite [^\n]*>\n    <testcase classname="keyslot" name="keyslot check"\/>/);
  });
});

describe('keyslot check: manners', () => {
  test('--help on every subcommand; --quiet leaves only the findings; colour only when asked or on a terminal', async () => {
    for (const cmd of ['check', 'map', 'slot']) {
      const h = await run(cmd, '--help');
      assert.equal(h.code, 0, cmd);
      assert.match(h.out, /^keyslot [\d.]+ - /);
    }
    const dir = workspace({ 'app.py': APP, 'blob.py': Buffer.from([0, 1, 2, 0]) });
    const loud = await run('check', dir);
    assert.match(loud.out, /error, 1 warning/);
    assert.match(loud.err, /skipped as binary/);
    const quiet = await run('check', dir, '--quiet');
    assert.equal(quiet.err, '');
    assert.equal(quiet.out.trimEnd().split('\n').filter((l) => !l.startsWith('    ')).length, 2, 'two findings, no summary');
    const saved = { ...process.env };
    try {
      process.env.FORCE_COLOR = '1';
      assert.match((await run('check', dir)).out, /\x1b\[1;31merror\x1b\[0m crossslot/);
      delete process.env.FORCE_COLOR;
      process.env.NO_COLOR = '1';
      assert.ok(!(await run('check', dir)).out.includes('\x1b['));
    } finally {
      process.env = saved;
    }
  });

  test('a gate that reads nothing fails (exit 2) unless --allow-empty; a folder named explicitly is scanned even where a .gitignore above ignores it', async () => {
    const dir = workspace({ '.gitignore': 'scratch/\n', 'scratch/app.py': APP, 'docs/readme.txt': 'no code' });
    fs.mkdirSync(path.join(dir, '.git'));
    const empty = await run('check', path.join(dir, 'docs'));
    assert.equal(empty.code, 2);
    assert.match(empty.err, /no files to check in .*docs \(--allow-empty if that is expected\)/);
    assert.equal((await run('check', path.join(dir, 'docs'), '--allow-empty')).code, 0);
    assert.equal((await run('check', dir, '--format', 'json')).code, 2, 'the whole repository: scratch/ is ignored, nothing else to check');
    const named = await run('check', path.join(dir, 'scratch'), '--format', 'json');
    assert.equal(named.code, 1, named.err);
    assert.equal(JSON.parse(named.out).diagnostics[0].file, 'app.py');
  });
});

describe('keyslot check --stdin-filename', () => {
  test('checks standard input as that file, with the rest of its workspace (a builder in another file), and reports only its findings', () => {
    const dir = workspace({ 'keys.py': 'def profile_key(uid):\n    return f"user:{uid}:profile"\n', 'other.py': APP, 'app.py': '# the saved text has no calls\n' });
    const buffer = 'from redis.cluster import RedisCluster\nfrom keys import profile_key\nrc = RedisCluster(host="h", port=1)\nrc.mget(profile_key(1), "price:B200")\n';
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'keyslot.js'), 'check', '--stdin-filename', 'app.py', '--format', 'json'], { cwd: dir, input: buffer, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const d = JSON.parse(r.stdout).diagnostics as { file: string; line: number; message: string }[];
    assert.deepEqual(d.map((x) => `${x.file}:${x.line}`), ['app.py:4'], 'the buffer, not the saved file; not other.py');
    assert.match(d[0].message, /`user:1:profile`/);
    const outside = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'keyslot.js'), 'check', '--stdin-filename', '../elsewhere.py'], { cwd: dir, input: buffer, encoding: 'utf8' });
    assert.equal(outside.status, 2);
    assert.match(outside.stderr, /must name a supported source file inside/);
  });
});
