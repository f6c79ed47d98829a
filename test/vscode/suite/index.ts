/**
 * The extension-test entry both launchers load into a real extension host: @vscode/test-electron
 * (a downloaded VS Code) and scripts/code-server.mjs (code-server 4.100.3 in headless chromium).
 * It runs every `*.suite.js` compiled next to it with mocha; a failing test rejects, which the
 * launcher turns into a nonzero exit code. KEYSLOT_VSCODE_GREP narrows the run to matching tests.
 * The suites next to this file are for test/fixtures/vscode-ws; those in a folder are for another
 * workspace, named by KEYSLOT_VSCODE_WORKSPACE (`monorepo`: test/fixtures/vscode-monorepo).
 */
import Mocha from 'mocha';
import * as fs from 'node:fs';
import * as path from 'node:path';

function suiteFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.suite.js'))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000 });
  const grep = process.env.KEYSLOT_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  const workspace = process.env.KEYSLOT_VSCODE_WORKSPACE;
  const files = suiteFiles(workspace ? path.join(__dirname, workspace) : __dirname);
  if (files.length === 0) return Promise.reject(new Error(`no *.suite.js files in ${__dirname}`));
  for (const file of files) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}
