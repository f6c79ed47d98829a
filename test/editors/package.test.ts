import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { removeWorkspaces, workspace } from '../helpers/cli';

/*
 * The npm package as published: `npm pack` of this checkout holds the bundled CLI, server,
 * worker and grammars and the docs, no sources, tests or maps; installed from the tarball into a
 * clean folder (no registry: the bundles carry every dependency), `npx keyslot check` works.
 * (--ignore-scripts: the test runner built dist/ already; prepack would rebuild it minified under
 * the other tests' feet.)
 */
after(removeWorkspaces);

const REPO = path.join(__dirname, '..', '..');

test('npm pack contains what runs and nothing else; npx keyslot works from the tarball in a clean folder', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'keyslot-pack-'));
  try {
    const pack = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: REPO, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const files = info.files.map((f) => f.path);
    for (const want of ['bin/keyslot.js', 'dist/cli.js', 'dist/server.js', 'dist/worker.js', 'dist/grammars/tree-sitter-python.wasm', 'dist/grammars/tree-sitter.wasm', 'README.md', 'LICENSE', 'docs/codes/crossslot.md', 'package.json']) assert.ok(files.includes(want), `the package holds ${want}`);
    for (const f of files) assert.ok(!/^(server|client|test|bench|scripts|examples)\/|\.map$|\.ts$|\.vsix$/.test(f), `the package leaves out ${f}`);

    const app = workspace({ 'app.py': 'from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nrc.mget("price:A100", "price:B200")\n' });
    const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(out, info.filename)], { cwd: app, encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr);
    const run = spawnSync('npx', ['--no-install', 'keyslot', 'check', '.'], { cwd: app, encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /^app\.py:3:\d+: error crossslot MGET fails on a cluster/);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
