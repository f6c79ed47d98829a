#!/usr/bin/env node
// Runs every test layer (or the layers named: unit, lsp, cluster, editors, vscode) with node's own test runner.
// The cluster and lsp layers need redis-server, the editors layer Neovim: scripts/ensure-debian.mjs
// installs them (apt-get, as root) or fails - in CI a suite never skips for a missing component.
// The vscode layer runs the extension in real VS Code (code-server + headless chromium).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const all = ['unit', 'lsp', 'cluster', 'editors', 'vscode'];
const layers = process.argv.slice(2).length ? process.argv.slice(2) : all;

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run('node', ['scripts/build.mjs']);
run('npx', ['tsc', '-b']);
if (layers.includes('cluster') || layers.includes('lsp')) run('node', ['scripts/ensure-debian.mjs', 'redis-server=redis-server', 'redis-cli=redis-tools', 'openssl=openssl', '/usr/lib/python3/dist-packages/redis/__init__.py=python3-redis']);
// editors: Neovim and Emacs (eglot) as LSP clients; pre-commit running the hook
if (layers.includes('editors')) run('node', ['scripts/ensure-debian.mjs', 'nvim=neovim', 'pre-commit=pre-commit', 'emacs=emacs-nox', '/usr/share/emacs/site-lisp/elpa-src/eglot-1.9/eglot.el=elpa-eglot']);
// code-server 4.100.3 (npm, into ~/.cache/keyslot) and Debian chromium: scripts/code-server.mjs
if (layers.includes('vscode')) run('node', ['scripts/code-server.mjs', 'ensure']);
const files = layers.flatMap((l) => testFiles(join(root, 'test', l)));
run('node', ['--import', 'tsx', '--test', '--test-concurrency=1', ...files]);
