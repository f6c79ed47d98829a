#!/usr/bin/env node
// Makes sure the tools a test layer needs are on PATH: `node scripts/ensure-debian.mjs TOOL=PACKAGE…`
// (redis-server=redis-server nvim=neovim; a TOOL that is an absolute path is a file the package installs). Present -> exit 0; missing and root -> install the
// Debian packages; otherwise fail. A missing tool never means "skip the tests". Redis's own
// service (port 6379) is irrelevant: tests use free ports.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const WANTED = process.argv.slice(2).map((a) => a.split('='));
const TOOLS = WANTED.map(([tool]) => tool);
const PACKAGES = [...new Set(WANTED.map(([tool, pkg]) => pkg ?? tool))];

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      /* not here */
    }
  }
  return null;
}

// a TOOL that starts with `/` is a file the package installs (an Emacs library has no program on PATH)
const present = (t) => {
  if (!t.startsWith('/')) return !!onPath(t);
  try {
    accessSync(t, constants.R_OK);
    return true;
  } catch {
    return false;
  }
};
const missing = () => TOOLS.filter((t) => !present(t));

function run(cmd, args, env = {}) {
  console.error(`ensure-debian: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    console.error(`ensure-debian: ${cmd} exited with ${r.status ?? r.signal}`);
    process.exit(1);
  }
}

let absent = missing();
if (absent.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !onPath('apt-get')) {
  console.error(
    `ensure-debian: ${absent.join(' and ')} not found on PATH, and ${isRoot ? 'apt-get is not available' : 'not running as root'} to install them.\n` +
      'The tests use the real programs. Install them, e.g. as root on Debian/Ubuntu:\n' +
      `  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${PACKAGES.join(' ')}\n` +
      'or put them on PATH, then run the tests again.',
  );
  process.exit(1);
}

run('apt-get', ['update']);
run('apt-get', ['install', '-y', ...PACKAGES], { DEBIAN_FRONTEND: 'noninteractive' });

absent = missing();
if (absent.length) {
  console.error(`ensure-debian: installed ${PACKAGES.join(' ')}, but ${absent.join(' and ')} still not on PATH (${process.env.PATH}).`);
  process.exit(1);
}
