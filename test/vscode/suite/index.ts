/**
 * The extension-test entry both launchers load into a real extension host: @vscode/test-electron
 * (a downloaded VS Code) and scripts/code-server.mjs (code-server 4.100.3 in headless chromium).
 * It runs every `*.suite.js` compiled next to it with mocha; a failing test rejects, which the
 * launcher turns into a nonzero exit code. KEYSLOT_VSCODE_GREP narrows the run to matching tests.
 */
import Mocha from 'mocha';
import * as fs from 'node:fs';
import * as path from 'node:path';

function suiteFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...suiteFiles(p));
    else if (entry.name.endsWith('.suite.js')) out.push(p);
  }
  return out;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000 });
  const grep = process.env.KEYSLOT_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  const files = suiteFiles(__dirname);
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
