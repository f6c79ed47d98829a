#!/usr/bin/env node
// Bundles what ships: the CLI, the language server, the VS Code client and the heatmap webview
// script. Copies the tree-sitter WASM grammars next to the bundle so nothing is resolved from
// node_modules at run time.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const grammars = join(dist, 'grammars');
mkdirSync(grammars, { recursive: true });

const wasmFiles = {
  'tree-sitter.wasm': require.resolve('web-tree-sitter/tree-sitter.wasm'),
  'tree-sitter-python.wasm': require.resolve('tree-sitter-wasms/out/tree-sitter-python.wasm'),
  'tree-sitter-javascript.wasm': require.resolve('tree-sitter-wasms/out/tree-sitter-javascript.wasm'),
  'tree-sitter-typescript.wasm': require.resolve('tree-sitter-wasms/out/tree-sitter-typescript.wasm'),
  'tree-sitter-tsx.wasm': require.resolve('tree-sitter-wasms/out/tree-sitter-tsx.wasm'),
  'tree-sitter-go.wasm': require.resolve('tree-sitter-wasms/out/tree-sitter-go.wasm'),
  'tree-sitter-java.wasm': require.resolve('tree-sitter-wasms/out/tree-sitter-java.wasm'),
  'tree-sitter-kotlin.wasm': require.resolve('tree-sitter-wasms/out/tree-sitter-kotlin.wasm'),
  'tree-sitter-lua.wasm': require.resolve('@tree-sitter-grammars/tree-sitter-lua/tree-sitter-lua.wasm'),
};
for (const [name, src] of Object.entries(wasmFiles)) copyFileSync(src, join(grammars, name));

// the server's sources and grammars, hashed: an index cached by another build is not used (server/src/index/factcache.ts)
const buildHash = createHash('sha1');
const hashTree = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) hashTree(p);
    else buildHash.update(e.name).update(readFileSync(p));
  }
};
hashTree(join(root, 'server/src'));
for (const src of Object.values(wasmFiles)) buildHash.update(readFileSync(src));
const buildId = buildHash.digest('hex').slice(0, 16);

// `--production` (npm run package): minified bundles for the .vsix
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  minify: production,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // web-tree-sitter's ESM-first build asks import.meta.url for its own location
  define: { 'import.meta.url': '__keyslotImportMetaUrl', KEYSLOT_BUILD_ID: JSON.stringify(buildId) },
  banner: { js: "const __keyslotImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
  // dev-only fallbacks in parser.ts; the bundle finds its grammars in dist/grammars
  logOverride: { 'require-resolve-not-external': 'silent' },
};
await build({ ...common, entryPoints: [join(root, 'server/src/cli/main.ts')], outfile: join(dist, 'cli.js') });
await build({ ...common, entryPoints: [join(root, 'server/src/lsp/bin.ts')], outfile: join(dist, 'server.js') });
await build({ ...common, entryPoints: [join(root, 'server/src/extract/worker.ts')], outfile: join(dist, 'worker.js') });
await build({ ...common, entryPoints: [join(root, 'client/src/extension.ts')], outfile: join(dist, 'client.js'), external: ['vscode'] });
// the heatmap's script runs in the webview (a browser), loaded under the page's CSP
await build({ bundle: true, minify: production, platform: 'browser', target: 'chrome120', format: 'iife', sourcemap: false, logLevel: 'warning', entryPoints: [join(root, 'client/src/webview/heatmap.ts')], outfile: join(dist, 'heatmap.js') });
