#!/usr/bin/env node
// `npm start`: keyslot in real VS Code in the browser. Packages the extension (npm run package ->
// dist/keyslot.vsix), installs it into code-server 4.100.3 (scripts/code-server.mjs; installed once
// into ~/.cache/keyslot or $KEYSLOT_CACHE) with a persistent extensions and user-data dir there, and
// serves examples/shop on http://127.0.0.1:8080 (or $KEYSLOT_PORT), loopback only, until Ctrl+C.
// `npm start` builds first (scripts/build.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_SERVER_VERSION, VSCODE_VERSION, cacheDir, ensureCodeServer, installVsix, startCodeServer } from './code-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const vsix = join(root, 'dist', 'keyslot.vsix');
const folder = join(root, 'examples', 'shop');
const port = Number(process.env.KEYSLOT_PORT ?? 8080);

function fail(message) {
  process.stderr.write(`start: ${message}\n`);
  process.exit(1);
}

if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(`KEYSLOT_PORT=${process.env.KEYSLOT_PORT} is not a port number`);

try {
  await ensureCodeServer();

  rmSync(vsix, { force: true }); // never install a stale package
  const packaged = spawnSync('npm', ['run', 'package'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (packaged.error) throw packaged.error;
  if (packaged.status !== 0) fail(`npm run package failed (exit ${packaged.status ?? packaged.signal})`);
  if (!existsSync(vsix)) fail(`npm run package did not write ${vsix}`);

  const extensionsDir = join(cacheDir(), 'extensions');
  const userDataDir = join(cacheDir(), 'user-data');
  process.stderr.write(`start: installing ${vsix} into ${extensionsDir}\n`);
  await installVsix(vsix, extensionsDir);

  const server = await startCodeServer({ folder, extensionsDir, userDataDir, port });
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\nstart: ${signal}, stopping code-server\n`);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  server.process.once('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`start: code-server exited (${code ?? signal}):\n${server.output()}\n`);
    process.exit(1);
  });

  process.stdout.write(
    `\nkeyslot in VS Code ${VSCODE_VERSION} (code-server ${CODE_SERVER_VERSION}), examples/shop open:\n\n` +
      `  ${server.url}/?folder=${encodeURIComponent(folder)}\n\n` +
      'Open a .py, .ts, .go, .java or .lua file and hover a Redis key. Ctrl+C stops the server.\n',
  );
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
