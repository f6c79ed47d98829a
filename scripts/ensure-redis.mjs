#!/usr/bin/env node
// Makes sure redis-server and redis-cli are on PATH for the cluster test layer: present -> exit 0;
// missing and root -> install the Debian packages; otherwise fail. A missing server never means
// "skip the tests". The packages' own service (port 6379) is irrelevant: tests use free ports.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const TOOLS = ['redis-server', 'redis-cli'];

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

const missing = () => TOOLS.filter((t) => !onPath(t));

function run(cmd, args, env = {}) {
  console.error(`ensure-redis: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    console.error(`ensure-redis: ${cmd} exited with ${r.status ?? r.signal}`);
    process.exit(1);
  }
}

let absent = missing();
if (absent.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !onPath('apt-get')) {
  console.error(
    `ensure-redis: ${absent.join(' and ')} not found on PATH, and ${isRoot ? 'apt-get is not available' : 'not running as root'} to install them.\n` +
      'The cluster tests need a real Redis (7.x). Install it, e.g. as root on Debian/Ubuntu:\n' +
      '  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server redis-tools\n' +
      'or put redis-server and redis-cli on PATH, then run the tests again.',
  );
  process.exit(1);
}

run('apt-get', ['update']);
run('apt-get', ['install', '-y', 'redis-server', 'redis-tools'], { DEBIAN_FRONTEND: 'noninteractive' });

absent = missing();
if (absent.length) {
  console.error(`ensure-redis: installed redis-server and redis-tools, but ${absent.join(' and ')} still not on PATH (${process.env.PATH}).`);
  process.exit(1);
}
const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
console.error(`ensure-redis: ${version}`);
