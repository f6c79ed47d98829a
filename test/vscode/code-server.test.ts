import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';

/*
 * The extension in real VS Code: code-server 4.100.3 (VS Code 1.100.3 with a Node extension host)
 * in headless Debian chromium, as /work/shared/docs/real-editors.md describes. The repo root is
 * loaded as the extension under development, a copy of test/fixtures/vscode-ws is the open
 * workspace, and the mocha suites in test/vscode/suite (compiled by `tsc -b` to
 * out/vscode-test/suite) run inside the extension host; their exit code is this test's verdict.
 * Then the same for test/fixtures/vscode-monorepo, a workspace shaped like real code, and the
 * suites in test/vscode/suite/monorepo.
 * scripts/code-server.mjs installs code-server and chromium when missing - never a skip.
 */
const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'out', 'vscode-test', 'suite', 'index.js');
// workbench chatter that says nothing about the extension (kept in the failure message, not printed)
const NOISE = /^(Resolving connection token|Resolved connection token|Creating a socket|Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|\[Service Worker\] registered|ChatSessionStore:)/;
const workspaces: string[] = [];

before(async () => {
  const cs = await import('../../scripts/code-server.mjs');
  await cs.ensureCodeServer();
  await cs.ensureChromium();
});

after(() => {
  for (const ws of workspaces) fs.rmSync(ws, { recursive: true, force: true });
});

/** Runs the suites for one fixture workspace (a temp copy of it) in code-server; fails with their log. */
async function runSuites(fixture: string, env: Record<string, string>): Promise<void> {
  assert.ok(fs.existsSync(entry), `${entry} is missing: run npx tsc -b`);
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), `keyslot-${fixture}-`));
  workspaces.push(ws);
  fs.cpSync(path.join(root, 'test', 'fixtures', fixture), ws, { recursive: true });
  const cs = await import('../../scripts/code-server.mjs');
  const lines: string[] = [];
  const code = await cs.runExtensionTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: entry,
    folder: ws,
    timeoutMs: 240_000,
    env,
    onLog: (type, args) => {
      const line = format(...args);
      lines.push(line);
      if (!NOISE.test(line)) process.stdout.write(`${type === 'error' ? '[error] ' : ''}${line}\n`);
    },
  });
  assert.equal(code, 0, `the extension tests failed on ${fixture} (exit code ${code}):\n${lines.join('\n')}`);
}

test('the extension test suites pass in VS Code 1.100.3 (code-server)', { timeout: 300_000 }, () => runSuites('vscode-ws', {}));

test('the multi-package suite passes in VS Code 1.100.3 (code-server)', { timeout: 300_000 }, () => runSuites('vscode-monorepo', { KEYSLOT_VSCODE_WORKSPACE: 'monorepo' }));
