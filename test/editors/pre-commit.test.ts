import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'fs';
import * as path from 'path';
import { removeWorkspaces, workspace } from '../helpers/cli';

/*
 * The pre-commit hook (.pre-commit-hooks.yaml) run by real pre-commit (the Debian package) on a
 * fixture repository. The hook is used as published - entry, args, types, pass_filenames - except
 * `language: node` becomes `system` with the entry pointing at this checkout's built CLI: installing
 * the node environment would download keyslot's dependencies, which is npm's part, not ours.
 */
after(removeWorkspaces);

const REPO = path.join(__dirname, '..', '..');
const APP = 'from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nrc.mget("price:A100", "price:B200")\n';

test('pre-commit runs the keyslot hook: a commit with a CROSSSLOT call fails with the finding, the fixed one passes', () => {
  const hook = readHook(fs.readFileSync(path.join(REPO, '.pre-commit-hooks.yaml'), 'utf8'));
  assert.equal(hook.id, 'keyslot');
  assert.equal(hook.entry, 'keyslot check');
  const local = { ...hook, language: 'system', entry: `${process.execPath} ${path.join(REPO, 'bin', 'keyslot.js')} check` };
  const dir = workspace({ 'app.py': APP, 'README.md': 'not code\n', '.pre-commit-config.yaml': JSON.stringify({ repos: [{ repo: 'local', hooks: [local] }] }) /* JSON is YAML */ });
  const env = { ...process.env, PRE_COMMIT_HOME: path.join(dir, '.pre-commit-home'), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, env, encoding: 'utf8' });
  assert.equal(git('init', '-q').status, 0);
  git('add', 'app.py', 'README.md', '.pre-commit-config.yaml');
  const failing = spawnSync('pre-commit', ['run', '--all-files'], { cwd: dir, env, encoding: 'utf8' });
  assert.equal(failing.status, 1, failing.stdout + failing.stderr);
  assert.match(failing.stdout, /keyslot \(Redis Cluster key design\)\.+Failed/);
  assert.match(failing.stdout, /app\.py:3:\d+: error crossslot MGET fails on a cluster/);
  fs.writeFileSync(path.join(dir, 'app.py'), APP.replace('"price:B200"', '"price:A100"'));
  git('add', 'app.py');
  const passing = spawnSync('pre-commit', ['run', '--all-files'], { cwd: dir, env, encoding: 'utf8' });
  assert.equal(passing.status, 0, passing.stdout + passing.stderr);
  assert.match(passing.stdout, /keyslot \(Redis Cluster key design\)\.+Passed/);
  // only markdown changed: the hook's types keep it from running at all
  fs.writeFileSync(path.join(dir, 'app.py'), APP);
  fs.writeFileSync(path.join(dir, 'README.md'), 'still not code\n');
  git('add', 'README.md');
  const skipped = spawnSync('pre-commit', ['run', '--files', 'README.md'], { cwd: dir, env, encoding: 'utf8' });
  assert.equal(skipped.status, 0, skipped.stdout);
  assert.match(skipped.stdout, /keyslot \(Redis Cluster key design\)\.+\(no files to check\)Skipped/);
});

/** The one hook of .pre-commit-hooks.yaml: `key: value` lines, values plain scalars or `[a, b]` lists. */
function readHook(yaml: string): Record<string, unknown> {
  const hook: Record<string, unknown> = {};
  for (const line of yaml.split('\n')) {
    const m = /^(?:- |  )(\w+): (.*)$/.exec(line);
    if (!m) continue;
    const v = m[2].trim();
    hook[m[1]] = v.startsWith('[') ? v.slice(1, -1).split(',').map((x) => x.trim()) : v === 'true' ? true : v === 'false' ? false : v;
  }
  return hook;
}
