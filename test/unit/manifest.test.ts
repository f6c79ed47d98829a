import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODES, DOCS_BASE, docsUrl } from '../../server/src/rules/finding';
import { DEFAULT_SETTINGS, EDITOR_LANGUAGES, EDITOR_SETTING_KEYS, parseSettings } from '../../server/src/protocol';

/*
 * package.json (the extension manifest) against server/src/protocol.ts, the one source of truth:
 * a setting, a code or a language added on one side and forgotten on the other fails here.
 */
const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const properties: Record<string, { default?: unknown; properties?: Record<string, { enum?: string[] }> }> = manifest.contributes.configuration.properties;

function at(o: unknown, dotted: string): unknown {
  return dotted.split('.').reduce((v, k) => (v as Record<string, unknown>)?.[k], o);
}

test('every setting of the protocol is declared, with the same default, and nothing else is', () => {
  const declared = Object.keys(properties).sort();
  assert.deepEqual(declared, [...EDITOR_SETTING_KEYS.map((k) => `keyslot.${k}`), 'keyslot.trace.server'].sort());
  for (const key of EDITOR_SETTING_KEYS) assert.deepEqual(properties[`keyslot.${key}`].default, at(DEFAULT_SETTINGS, key), key);
  // the EDITOR_SETTING_KEYS leaves cover DEFAULT_SETTINGS entirely
  const leaves = (o: Record<string, unknown>, prefix = ''): string[] =>
    Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) && k !== 'severity' && k !== 'topology' ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
  assert.deepEqual(leaves(DEFAULT_SETTINGS as unknown as Record<string, unknown>).sort(), [...EDITOR_SETTING_KEYS].sort());
});

test('the declared defaults are settings the server accepts', () => {
  const nested: Record<string, unknown> = {};
  for (const key of EDITOR_SETTING_KEYS) {
    const path = key.split('.');
    let o = nested;
    for (const p of path.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
    o[path[path.length - 1]] = properties[`keyslot.${key}`].default;
  }
  const { settings, errors } = parseSettings(nested, 'package.json defaults');
  assert.deepEqual(errors, []);
  assert.deepEqual(settings, DEFAULT_SETTINGS);
});

test('keyslot.severity offers every diagnostic code, each with error, warning, info and off', () => {
  const codes = properties['keyslot.severity'].properties!;
  assert.deepEqual(Object.keys(codes).sort(), Object.keys(CODES).sort());
  for (const [code, schema] of Object.entries(codes)) assert.deepEqual(schema.enum, ['error', 'warning', 'info', 'off'], code);
});

test('every diagnostic code links to its page in docs/codes, and every page belongs to a code', () => {
  const pages = readdirSync(join(root, 'docs', 'codes')).sort();
  assert.deepEqual(pages, Object.keys(CODES).map((c) => `${c}.md`).sort());
  for (const code of Object.keys(CODES) as (keyof typeof CODES)[]) {
    const url = docsUrl(code);
    assert.ok(url.startsWith(DOCS_BASE), url);
    // the link names the file in this repository that the page is
    const text = readFileSync(join(root, 'docs', 'codes', url.slice(DOCS_BASE.length)), 'utf8');
    for (const heading of ['## Why it matters', '## Example', '## How to fix it', '## How to silence it']) assert.ok(text.includes(heading), `${code}: ${heading}`);
    assert.ok(text.includes(`keyslot-ignore ${code}`), `${code}: how to silence one place`);
  }
});

test('the extension activates on every language the client sends, and the files it points to exist', () => {
  const events: string[] = manifest.activationEvents;
  for (const lang of EDITOR_LANGUAGES) assert.ok(events.includes(`onLanguage:${lang}`), lang);
  assert.ok(events.some((e) => e.startsWith('workspaceContains:')));
  for (const file of [manifest.main, manifest.icon, ...manifest.contributes.grammars.map((g: { path: string }) => g.path), ...manifest.contributes.languages.map((l: { configuration: string }) => l.configuration)])
    assert.ok(existsSync(join(root, file)), `${file} exists (run the build for dist/)`);
  const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
  for (const file of [manifest.main, 'dist/server.js', 'dist/heatmap.js', manifest.icon]) assert.ok(ignore.includes(`!${file.replace(/^\.\//, '')}`), `${file} is in the .vsix allowlist`);
});

test('the .vsix holds the bundles, grammars, syntaxes and docs, and no sources, tests, maps or dependencies', () => {
  const r = spawnSync('npx', ['--no', 'vsce', 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = r.stdout.split('\n').filter(Boolean).sort();
  const wasm = readdirSync(join(root, 'dist', 'grammars')).map((f) => `dist/grammars/${f}`);
  const expected = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/client.js', 'dist/server.js', 'dist/heatmap.js', ...wasm];
  // README images are packaged so its relative links work in the extension's details page
  const readmeImages = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
  for (const f of [...expected, ...readmeImages]) assert.ok(files.includes(f), `${f} is packaged`);
  const unwanted = files.filter((f) => /\.(ts|map|mjs)$|^(test|node_modules|server|client|scripts|bench|examples|out)\//.test(f) || (f.startsWith('images/screenshots/') && !readmeImages.includes(f)));
  assert.deepEqual(unwanted, []);
});
