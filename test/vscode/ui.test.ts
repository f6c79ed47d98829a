import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/*
 * The UI pass: scripts/screenshots.mjs drives the real workbench in code-server on the multi-package
 * fixture (hover a key until
 * the hover shows "Redis key", open the Redis Keys view, open the heatmap until its canvas is
 * drawn, open the Problems panel); each step fails the script when the UI does not show what it
 * waits for. Here it writes to a temp dir; `npm run screenshots` refreshes the README's images.
 */
const root = path.resolve(__dirname, '..', '..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'keyslot-ui-'));
after(() => fs.rmSync(out, { recursive: true, force: true }));

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): [number, number] {
  const b = fs.readFileSync(file);
  assert.equal(b.subarray(1, 4).toString('latin1'), 'PNG', `${file} is a PNG`);
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

test('hover, key map, heatmap and problems show up in the workbench', { timeout: 300_000 }, () => {
  const r = spawnSync('node', [path.join(root, 'scripts', 'screenshots.mjs')], { env: { ...process.env, KEYSLOT_SCREENSHOTS_DIR: out }, encoding: 'utf8' });
  assert.equal(r.status, 0, `screenshots.mjs failed:\n${r.stdout}\n${r.stderr}`);
  for (const name of ['hover.png', 'key-map.png', 'heatmap.png', 'problems.png', 'hover-light.png', 'hover-hc.png']) assert.deepEqual(pngSize(path.join(out, name)), [1400, 900], name);
});
