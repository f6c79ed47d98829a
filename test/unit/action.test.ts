import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'fs';
import * as path from 'path';
import { removeWorkspaces, workspace } from '../helpers/cli';

/*
 * The GitHub Action (action.yml, composite): its one step runs scripts/action.sh with the inputs
 * as KEYSLOT_* variables. Here that script runs as the runner would run it, on a fixture, with
 * this checkout as the action (GITHUB_ACTION_PATH; dist/ is built by the test runner).
 */
after(removeWorkspaces);

const REPO = path.join(__dirname, '..', '..');
const APP = 'from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nrc.mget("price:A100", "price:B200")\n';

function runAction(cwd: string, inputs: Record<string, string>) {
  // what the runner passes: every input, defaults included (action.yml), under its env name
  const action = fs.readFileSync(path.join(REPO, 'action.yml'), 'utf8');
  const env: Record<string, string> = {};
  for (const [name, variable] of [['paths', 'KEYSLOT_PATHS'], ['fail-on', 'KEYSLOT_FAIL_ON'], ['format', 'KEYSLOT_FORMAT'], ['baseline', 'KEYSLOT_BASELINE'], ['sarif-file', 'KEYSLOT_SARIF']]) {
    assert.match(action, new RegExp(`\\n  ${name}:\\n`), `action.yml declares the input ${name}`);
    assert.match(action, new RegExp(`${variable}: \\$\\{\\{ inputs\\.${name} \\}\\}`), `action.yml passes ${name} as ${variable}`);
    const def = new RegExp(`\\n  ${name}:\\n[^]*?default: "?([^"\\n]*)"?\\n`).exec(action)![1];
    env[variable] = inputs[name] ?? def;
  }
  return spawnSync('bash', [path.join(REPO, 'scripts', 'action.sh')], { cwd, env: { ...process.env, ...env, GITHUB_ACTION_PATH: REPO }, encoding: 'utf8' });
}

test('the action annotates the findings, fails the step at fail-on, writes SARIF when asked, and honours a baseline', () => {
  const dir = workspace({ 'app.py': APP });
  const r = runAction(dir, {});
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^::error file=app\.py,line=3,col=\d+,endLine=3,endColumn=\d+,title=keyslot crossslot::MGET fails on a cluster/m);
  assert.equal(runAction(dir, { 'fail-on': 'never' }).status, 0);
  const sarif = path.join(dir, 'keyslot.sarif');
  assert.equal(runAction(dir, { 'sarif-file': sarif }).status, 1);
  assert.equal(JSON.parse(fs.readFileSync(sarif, 'utf8')).runs[0].results[0].ruleId, 'crossslot');
  const base = path.join(dir, 'baseline.json');
  assert.equal(spawnSync(process.execPath, [path.join(REPO, 'bin', 'keyslot.js'), 'check', '.', '--write-baseline', base], { cwd: dir }).status, 0);
  const gated = runAction(dir, { baseline: base });
  assert.equal(gated.status, 0, gated.stdout + gated.stderr);
  assert.equal(gated.stdout, '');
});
