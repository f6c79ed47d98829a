#!/usr/bin/env node
// Bundles what ships: the CLI / language server (one Node bundle) and, once it exists, the VS Code
// client. Copies the tree-sitter WASM grammars next to the bundle so nothing is resolved from
// node_modules at run time.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
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
  'tree-sitter-lua.wasm': require.resolve('@tree-sitter-grammars/tree-sitter-lua/tree-sitter-lua.wasm'),
};
for (const [name, src] of Object.entries(wasmFiles)) copyFileSync(src, join(grammars, name));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // web-tree-sitter's ESM-first build asks import.meta.url for its own location
  define: { 'import.meta.url': '__keyslotImportMetaUrl' },
  banner: { js: "const __keyslotImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
  // dev-only fallbacks in parser.ts; the bundle finds its grammars in dist/grammars
  logOverride: { 'require-resolve-not-external': 'silent' },
};
await build({ ...common, entryPoints: [join(root, 'server/src/cli/main.ts')], outfile: join(dist, 'cli.js') });
await build({ ...common, entryPoints: [join(root, 'server/src/lsp/bin.ts')], outfile: join(dist, 'server.js') });
if (existsSync(join(root, 'client/src/extension.ts'))) {
  await build({ ...common, entryPoints: [join(root, 'client/src/extension.ts')], outfile: join(dist, 'client.js'), external: ['vscode'] });
}
