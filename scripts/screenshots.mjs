#!/usr/bin/env node
// `npm run screenshots`: the README's pictures, taken in real VS Code. `npm run screenshots` builds
// first (scripts/build.mjs -> dist/); this script builds nothing.
//
// It starts code-server 4.100.3 (VS Code 1.100.3, scripts/code-server.mjs) on a temp copy of
// test/fixtures/vscode-monorepo (a workspace shaped like real code: key builders in a shared
// package, services in TypeScript, Python and Go), loads the repo root as the extension under
// development (the `payload` URL parameter, as the extension tests do: no .vsix needed), opens the
// workbench in headless Debian chromium at 1400×900 with the "Default Dark Modern" theme, waits for
// keyslot's first index (its status bar item shows the key count), and writes into images/screenshots/:
//
//   hover.png        packages/api/src/profile.ts, the mouse over a key of a CROSSSLOT MGET: the error and keyslot's hover
//   key-map.png      the "Redis Keys" view (keyslot: Show Key Map), the user entity and the untagged keys expanded
//   heatmap.png      keyslot: Show Slot Heatmap once the webview has drawn its canvas
//   problems.png     invoice.go and the Problems panel with keyslot's diagnostics of every package
//   hover-light.png  the hover again in "Default Light Modern"
//   hover-hc.png     and in "Default High Contrast" (the hash-tag colour must read in all three)
//
// Every wait is for a selector or a condition, with a timeout that turns a hang into an error naming
// the step; on failure the window as it was is saved to $TMPDIR/keyslot-screenshots-failure.png.
// code-server, chromium and the temp dirs are removed whatever happens.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, CODE_SERVER_VERSION, QUIET_USER_SETTINGS, VSCODE_VERSION, ensureChromium, ensureCodeServer, startCodeServer } from './code-server.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const fixture = join(root, 'test', 'fixtures', 'vscode-monorepo');
// KEYSLOT_SCREENSHOTS_DIR: somewhere else (the UI test in test/vscode writes to a temp dir)
const outDir = resolve(process.env.KEYSLOT_SCREENSHOTS_DIR ?? join(root, 'images', 'screenshots'));
const failureShot = join(tmpdir(), 'keyslot-screenshots-failure.png');
const VIEWPORT = { width: 1400, height: 900 };
/** how long one UI step may take before the run fails (the first index of the fixture takes well under 1 s) */
const STEP_MS = 60_000;

// the user settings of the screenshot profile: dark theme, nothing that pops up uninvited
const SETTINGS = {
  ...QUIET_USER_SETTINGS,
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.enableExperiments': false,
  'workbench.layoutControl.enabled': false,
  'workbench.editor.enablePreview': false,
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
  'editor.minimap.enabled': false,
  'editor.stickyScroll.enabled': false,
  'editor.fontSize': 14,
  'editor.hover.delay': 200,
  'editor.hover.sticky': true,
  'editor.semanticHighlighting.enabled': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
};

const log = (msg) => process.stderr.write(`screenshots: ${msg}\n`);

/** Runs `fn`, prefixing its error with `what` (the first line of it: playwright's call logs are long). */
async function step(what, fn) {
  try {
    return await fn();
  } catch (err) {
    throw new Error(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
  }
}

function checkBuild() {
  for (const f of ['client.js', 'server.js', 'heatmap.js']) {
    if (!existsSync(join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run screenshots\` (it builds first) or \`node scripts/build.mjs\``);
  }
}

/** Runs a command from the command palette by its title ("keyslot: Show Key Map"). */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: STEP_MS });
  await input.fill(`>${title}`);
  // the row that shows this title (the palette filters on it), clicked
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: STEP_MS }).catch((err) => {
    throw new Error(`the command palette has no "${title}" (${err.message.split('\n')[0]})`);
  });
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_MS });
}

/** Opens a workspace file with Quick Open (Ctrl+P) and waits until its editor tab is active. */
async function openFile(page, rel) {
  const name = rel.split('/').pop();
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: STEP_MS });
  await input.fill(rel);
  // Enter opens the focused row: wait until the filter has put this file there (recent files come first until it runs)
  const row = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).first();
  await row.waitFor({ state: 'visible', timeout: STEP_MS });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_MS });
  await page.locator(`.tabs-container .tab.active[aria-label^="${name}"]`).waitFor({ timeout: STEP_MS });
  await page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').first().waitFor({ timeout: STEP_MS });
}

/** Moves the cursor to `line` with Go to Line (Ctrl+G), which scrolls it into the middle of the editor. */
async function goToLine(page, line) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: STEP_MS });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_MS });
  await page
    .locator('.editor-group-container.active .monaco-editor .line-numbers.active-line-number', { hasText: new RegExp(`^${line}$`) })
    .waitFor({ timeout: STEP_MS });
}

/** The status bar item of keyslot once an index has finished: "$(key) N  $(error) E  $(warning) W". */
async function waitForIndex(page) {
  const item = page.locator('.statusbar-item[id$="keyslot.status"]');
  await item.locator('.codicon-key').waitFor({ timeout: STEP_MS });
  return (await item.innerText()).replace(/\s+/g, ' ').trim();
}

async function shoot(page, name, options = {}) {
  const file = join(outDir, name);
  // animations: 'disabled' ends the hover's and the list's fade-ins instead of catching them halfway
  await page.screenshot({ path: file, animations: 'disabled', ...options });
  log(`wrote ${relative(root, file)}`);
}

/** Resolves once no CSS animation or transition runs in `locator`'s element or below it. */
async function settled(locator) {
  await locator.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished.catch(() => {}))));
}

/** Moves the mouse to the status bar's empty middle, where it opens no hover. */
async function parkMouse(page) {
  await page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height - 5);
}

/**
 * Drags the workbench sash that lies along `edge` ('right' or 'top') of `part` (a locator of a
 * workbench part) until that edge is at `to` (x for 'right', y for 'top'), and waits for the layout.
 */
async function dragEdge(page, part, edge, to) {
  const box = await part.boundingBox();
  if (!box) throw new Error(`${part} is not on screen`);
  const vertical = edge === 'right';
  const at = vertical ? box.x + box.width : box.y;
  if (Math.abs(at - to) < 2) return;
  const sashes = page.locator(`.monaco-grid-view .monaco-sash.${vertical ? 'vertical' : 'horizontal'}`);
  let sash;
  for (let i = 0; i < (await sashes.count()); i++) {
    const b = await sashes.nth(i).boundingBox();
    if (!b) continue;
    const centre = vertical ? b.x + b.width / 2 : b.y + b.height / 2;
    const length = vertical ? b.height : b.width;
    if (Math.abs(centre - at) <= 4 && length > (vertical ? box.height : box.width) / 2) sash = b;
  }
  if (!sash) throw new Error(`no sash along the ${edge} edge of ${part}`);
  const [x, y] = [sash.x + sash.width / 2, sash.y + sash.height / 2];
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(vertical ? to : x, vertical ? y : to, { steps: 8 });
  await page.mouse.up();
  await part.evaluate(
    (el, [vert, target]) =>
      new Promise((done) => {
        const ok = () => {
          const r = el.getBoundingClientRect();
          return Math.abs((vert ? r.right : r.top) - target) < 4;
        };
        if (ok()) return done();
        const observer = new ResizeObserver(() => ok() && (observer.disconnect(), done()));
        observer.observe(el);
      }),
    [vertical, to],
  );
}

/**
 * A hover opens at most 250 px tall (VS Code's initial size) and scrolls the rest: drag its north
 * edge up, as a user would, until the whole text shows (or the space above runs out).
 */
async function growHover(page, hover) {
  const content = hover.locator('.monaco-hover-content');
  const overflow = () => content.evaluate((el) => el.scrollHeight - el.clientHeight);
  const missing = await overflow();
  if (missing <= 0) return;
  const sash = page.locator('.monaco-resizable-hover', { has: hover }).locator('.monaco-sash.orthogonal-edge-north');
  const box = await sash.boundingBox();
  if (!box) return;
  const x = box.x + box.width / 3;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, Math.max(40, y - missing - 8), { steps: 10 });
  await page.mouse.up();
  await page.waitForFunction((el) => el.scrollHeight - el.clientHeight < 2, await content.elementHandle(), { timeout: STEP_MS }).catch(() => {
    log('warning: the hover still scrolls after resizing it');
  });
  await settled(hover);
}

async function hoverShot(page, name = 'hover.png') {
  await step('opening profile.ts', () => openFile(page, 'packages/api/src/profile.ts'));
  // line 5: redis.mget(profileKey(userId), settingsKey(userId)), a CROSSSLOT error (the keys' text around userId differs)
  await goToLine(page, 5);
  const editor = page.locator('.editor-group-container.active .monaco-editor');
  // keyslot's diagnostics have arrived once the error squiggle is drawn
  await step('the error squiggle', () => editor.locator('.view-overlays .squiggly-error').first().waitFor({ timeout: STEP_MS }));
  const key = editor.locator('.view-line', { hasText: 'settingsKey(userId)' }).locator('span', { hasText: /^settingsKey$/ }).first();
  await key.waitFor({ timeout: STEP_MS });
  const box = await key.boundingBox();
  if (!box) throw new Error('settingsKey has no box on screen');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // one hover with keyslot's error (the marker part) and its key description
  const hover = page.locator('.monaco-hover', { hasText: 'Redis key' }).filter({ visible: true }).first();
  await step('the hover', () => hover.waitFor({ state: 'visible', timeout: STEP_MS }));
  await hover.locator('text=/user:/').first().waitFor({ timeout: STEP_MS });
  await step("keyslot's error in the hover", () => hover.locator('.marker', { hasText: 'keyslot' }).first().waitFor({ timeout: STEP_MS }));
  await settled(hover);
  await growHover(page, hover);
  await shoot(page, name);
  await page.keyboard.press('Escape');
  await parkMouse(page);
  await hover.waitFor({ state: 'hidden', timeout: STEP_MS });
}

/** The workbench in another theme, picked as a user would ("Preferences: Color Theme"); its body class to wait for. */
async function useTheme(page, theme, bodyClass) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: STEP_MS });
  await input.fill('>Preferences: Color Theme');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Preferences: Color Theme' }).first().click();
  // the same box, now listing the themes
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Default Dark Modern' }).first().waitFor({ timeout: STEP_MS });
  await input.fill(theme);
  // the picker previews the focused theme; Enter keeps it
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: theme }).first().waitFor({ timeout: STEP_MS });
  await page.keyboard.press('Enter');
  // the theme's kind is a class of the workbench element (vs, vs-dark, hc-black, hc-light)
  await page.waitForFunction((cls) => document.querySelector('.monaco-workbench')?.classList.contains(cls), bodyClass, { timeout: STEP_MS }).catch(async (err) => {
    throw new Error(`the workbench is not in a ${bodyClass} theme (classes: ${await page.evaluate(() => document.querySelector('.monaco-workbench')?.className)}): ${err.message.split('\n')[0]}`);
  });
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_MS });
}

async function keyMapShot(page) {
  await runCommand(page, 'keyslot: Show Key Map');
  const tree = page.locator('[id="workbench.view.extension.keyslot"] .monaco-list').first();
  await tree.waitFor({ state: 'visible', timeout: STEP_MS });
  await tree.locator('.monaco-list-row[aria-level="1"]').first().waitFor({ timeout: STEP_MS });
  // room for the descriptions ("3 patterns", "slot 9113 · 2 reads …")
  const sidebar = page.locator('.part.sidebar');
  await dragEdge(page, sidebar, 'right', (await sidebar.boundingBox()).x + 470);
  // the user entity (one tag shape, whatever the variable), the untagged keys, and the first key pattern of the first
  const group = (label) => tree.locator('.monaco-list-row[aria-level="1"]').filter({ has: page.locator('.label-name', { hasText: label }) });
  const expand = async (row) => {
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
    await row.and(page.locator('[aria-expanded="true"]')).waitFor({ timeout: STEP_MS });
  };
  for (const label of ['{user:${…}}', 'no hash tag']) {
    const row = group(label);
    await row.waitFor({ timeout: STEP_MS });
    await expand(row);
  }
  // list rows are positioned absolutely: the row under a group is the one with the next data-index
  const index = Number(await group('{user:${…}}').getAttribute('data-index'));
  await expand(tree.locator(`.monaco-list-row[aria-level="2"][data-index="${index + 1}"]`));
  await tree.locator('.monaco-list-row[aria-level="3"]').first().waitFor({ timeout: STEP_MS });
  await parkMouse(page);
  await settled(tree);
  await shoot(page, 'key-map.png');
}

async function heatmapShot(page) {
  await runCommand(page, 'View: Close All Editors');
  await page.locator('.editor-group-container .tabs-container .tab').first().waitFor({ state: 'detached', timeout: STEP_MS });
  await runCommand(page, 'keyslot: Show Slot Heatmap');
  // the webview: an iframe.webview of the workbench holding the page's iframe#active-frame
  const grid = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame').locator('#grid');
  await grid.waitFor({ state: 'visible', timeout: STEP_MS });
  const frame = await (await grid.elementHandle()).ownerFrame();
  await frame.waitForFunction(
    () => {
      const s = document.getElementById('summary')?.textContent ?? '';
      const canvas = document.getElementById('grid');
      if (s === '' || s.startsWith('Waiting') || !canvas) return false;
      // drawn: some pixel differs from the first (an empty canvas is transparent everywhere)
      const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 4; i < px.length; i += 4) if (px[i] !== px[0] || px[i + 1] !== px[1] || px[i + 2] !== px[2] || px[i + 3] !== px[3]) return true;
      return false;
    },
    null,
    { timeout: STEP_MS },
  );
  // the mouse on the busiest slot, so the line under the grid names its keys
  const summary = await frame.locator('#summary').innerText();
  const busiest = /busiest slot, (\d+)/.exec(summary)?.[1];
  if (busiest !== undefined) {
    const slot = Number(busiest);
    const { width, height } = await grid.boundingBox();
    await grid.hover({ position: { x: ((slot % 128) + 0.5) * (width / 128), y: (Math.floor(slot / 128) + 0.5) * (height / 128) } });
    await frame.locator('#detail', { hasText: new RegExp(`^Slot ${slot}\\b`) }).waitFor({ timeout: STEP_MS });
  }
  await shoot(page, 'heatmap.png');
  await parkMouse(page);
}

async function problemsShot(page) {
  await runCommand(page, 'View: Close All Editors');
  await page.locator('.editor-group-container .tabs-container .tab').first().waitFor({ state: 'detached', timeout: STEP_MS });
  // the whole width for the panel's table: no sidebar
  await runCommand(page, 'View: Close Primary Side Bar');
  await page.locator('.part.sidebar').waitFor({ state: 'hidden', timeout: STEP_MS });
  // the Problems panel lists every package's file; the editor shows the billing service's SUNIONSTORE
  await openFile(page, 'services/billing/invoice.go');
  await page.keyboard.press('Control+Shift+M');
  const panel = page.locator('.part.panel');
  const markers = panel.locator('.markers-panel .monaco-list');
  await markers.waitFor({ state: 'visible', timeout: STEP_MS });
  await markers.locator('.monaco-list-row', { hasText: 'keyslot' }).first().waitFor({ timeout: STEP_MS });
  await markers.locator('.monaco-list-row', { hasText: 'invoice.go' }).first().waitFor({ timeout: STEP_MS });
  // the panel over the lower 60 % of the window; the editor above shows the SUNIONSTORE of line 27
  await dragEdge(page, panel, 'top', Math.round(VIEWPORT.height * 0.4));
  await page.locator('.editor-group-container .monaco-editor .view-lines').first().click({ position: { x: 200, y: 10 } });
  await goToLine(page, 27);
  await parkMouse(page);
  await settled(panel);
  await shoot(page, 'problems.png');
}

async function main() {
  const started = Date.now();
  checkBuild();
  await ensureCodeServer();
  const executablePath = await ensureChromium();
  const { chromium } = await import('playwright-core');

  const tmp = mkdtempSync(join(tmpdir(), 'keyslot-screenshots-'));
  let server;
  let context;
  let page;
  try {
    const ws = join(tmp, 'monorepo');
    cpSync(fixture, ws, { recursive: true });
    const userDataDir = join(tmp, 'user-data');
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2) + '\n');
    log(`code-server ${CODE_SERVER_VERSION} (VS Code ${VSCODE_VERSION}) on a copy of ${relative(root, fixture)}`);
    // EXTENSIONS_GALLERY {}: no marketplace requests; the extensions dir is an empty temp dir
    server = await startCodeServer({ folder: ws, userDataDir, env: { EXTENSIONS_GALLERY: '{}' } });
    context = await chromium.launchPersistentContext(join(tmp, 'chromium'), {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: VIEWPORT,
      colorScheme: 'dark',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => log(`[page error] ${err.message}`));
    // the repo root as the extension under development, from the server's file system
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${root}`]];
    await page.goto(`${server.url}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await step('the workbench did not load', () => page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: STEP_MS }));
    // the extension activates on workspaceContains:**/*.py etc. and indexes the whole folder
    const status = await step('keyslot did not finish indexing (no "$(key) N" status bar item)', () => waitForIndex(page));
    log(`indexed: status bar "${status}"`);
    await step('the explorer did not show the workspace', () => page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'packages' }).first().waitFor({ timeout: STEP_MS }));

    mkdirSync(outDir, { recursive: true });
    await step('hover.png', () => hoverShot(page));
    await step('key-map.png', () => keyMapShot(page));
    await step('heatmap.png', () => heatmapShot(page));
    await step('problems.png', () => problemsShot(page));
    await step('hiding the panel and closing the editors', async () => {
      await runCommand(page, 'View: Hide Panel');
      await runCommand(page, 'View: Close All Editors');
      await page.locator('.editor-group-container .tabs-container .tab').first().waitFor({ state: 'detached', timeout: STEP_MS });
    });
    await step('the Light theme', () => useTheme(page, 'Default Light Modern', 'vs'));
    await step('hover-light.png', () => hoverShot(page, 'hover-light.png'));
    await step('the High Contrast theme', () => useTheme(page, 'Default High Contrast', 'hc-black'));
    await step('hover-hc.png', () => hoverShot(page, 'hover-hc.png'));
    log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    if (page) {
      await page.screenshot({ path: failureShot }).then(
        () => log(`the window at the failure: ${failureShot}`),
        () => {},
      );
    }
    if (server) log(`code-server's last output:\n${server.output().split('\n').slice(-30).join('\n')}`);
    throw err;
  } finally {
    await context?.close().catch(() => {});
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (err) {
  log(`failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
