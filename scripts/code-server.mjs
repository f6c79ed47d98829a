// Real VS Code on this machine: code-server 4.100.3 (VS Code 1.100.3, a real Node extension host)
// installed from npm into a cache folder, and Debian's chromium driven by playwright-core.
// See /work/shared/docs/real-editors.md. Plain Node ESM so tests and scripts/start.mjs share it.
//
//   ensureCodeServer()   -> absolute path of code-server's entry (installs it once)
//   ensureChromium()     -> '/usr/bin/chromium' (installs Debian's chromium once)
//   startCodeServer(...) -> { url, port, userDataDir, extensionsDir, stop() }
//   installVsix(vsix, extensionsDir)
//   runExtensionTests(...) -> exit code of an extension test suite run in the workbench
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';

export const CODE_SERVER_VERSION = '4.100.3';
export const VSCODE_VERSION = '1.100.3'; // the VS Code that code-server 4.100.3 is built from
const root = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
/** headless chromium without first-run chatter or background traffic (the UI pass uses the same) */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// What @vscode/ripgrep's postinstall downloads from GitHub (its lib/postinstall.js VERSION and
// the linux x64 target); the package version it caches under is read from code-server's shrinkwrap.
const RIPGREP_RELEASE = 'v13.0.0-10';
const RIPGREP_TARGET = 'x86_64-unknown-linux-musl';

const log = (msg) => process.stderr.write(`code-server: ${msg}\n`);

/** `${KEYSLOT_CACHE ?? ~/.cache/keyslot}`: code-server and the persistent extensions dir live here. */
export function cacheDir() {
  return resolve(process.env.KEYSLOT_CACHE ?? join(homedir(), '.cache', 'keyslot'));
}

export function codeServerDir() {
  return join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
}

function entryPath() {
  return join(codeServerDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function ensureDebian(pairs) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'ensure-debian.mjs'), ...pairs], { stdio: ['ignore', 2, 2] });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`scripts/ensure-debian.mjs ${pairs.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

/** Debian packages that put no program on PATH (libkrb5-dev): dpkg decides, apt-get installs. */
function ensureDebianPackages(packages) {
  const missing = packages.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      `Debian packages ${missing.join(' ')} are needed to build code-server's native modules and are not installed.\n` +
        `Install them as root: apt-get update && apt-get install -y ${missing.join(' ')}`,
    );
  }
  for (const args of [['update'], ['install', '-y', ...missing]]) {
    log(`apt-get ${args.join(' ')}`);
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
}

function tail(file, lines = 60) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Runs a command with its output appended to `logFile`; throws with the log's tail on failure. */
function runLogged(cmd, args, { cwd, env, logFile }) {
  const fd = openSync(logFile, 'a');
  try {
    writeFileSync(fd, `\n$ ${cmd} ${args.join(' ')}\n`);
    const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', fd, fd] });
    if (r.error) throw r.error;
    if (r.status !== 0) {
      throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}) in ${cwd}.\nLast lines of ${logFile}:\n${tail(logFile)}`);
    }
  } finally {
    closeSync(fd);
  }
}

/** `code-server --version`'s last line ("4.100.3 <commit> with Code 1.100.3"), or null. */
function codeServerVersion(entry) {
  const tmp = mkdtempSync(join(tmpdir(), 'keyslot-code-server-version-'));
  try {
    // XDG_CONFIG_HOME: code-server writes a default config.yaml on every start
    const env = { ...process.env, XDG_CONFIG_HOME: join(tmp, 'config'), XDG_DATA_HOME: join(tmp, 'data'), XDG_CACHE_HOME: join(tmp, 'cache') };
    const r = spawnSync(process.execPath, [entry, '--version'], { encoding: 'utf8', timeout: 60_000, env });
    return r.status === 0 ? (r.stdout.trim().split('\n').pop() ?? null) : null;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Absolute path of code-server 4.100.3's entry script (`node ENTRY …` runs it), installed with npm
 * into `${cacheDir()}/code-server-4.100.3` on first use (≈ 1 min). A marker file written after a
 * verified install makes later calls free; a half-finished install is wiped and redone.
 */
export async function ensureCodeServer() {
  const dir = codeServerDir();
  const marker = join(dir, '.installed');
  const entry = entryPath();
  if (existsSync(marker) && existsSync(entry)) return entry;

  const started = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (once; ≈ 1 min)`);
  // kerberos (a code-server dependency) builds against libkrb5; the ripgrep binary comes from Debian
  ensureDebian(['pkg-config=pkg-config', 'rg=ripgrep']);
  ensureDebianPackages(['libkrb5-dev', 'pkg-config', 'ripgrep']);

  rmSync(dir, { recursive: true, force: true });
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'keyslot-code-server', private: true }, null, 2) + '\n');
  const logFile = join(dir, 'install.log');
  const env = {
    ...process.env,
    npm_config_unsafe_perm: 'true', // as root, code-server's postinstall refuses without it
    npm_config_yes: 'true', // node-pty's postinstall runs npx
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    TMPDIR: tmp, // @vscode/ripgrep looks for its download cache here
  };

  try {
    // 1. the package tree without install scripts, so the ripgrep version is known before they run
    log('npm install --ignore-scripts');
    runLogged('npm', ['install', '--ignore-scripts', '--no-save', `code-server@${CODE_SERVER_VERSION}`], { cwd: dir, env, logFile });
    const pkgDir = join(dir, 'node_modules', 'code-server');
    const shrinkwrap = JSON.parse(readFileSync(join(pkgDir, 'lib', 'vscode', 'npm-shrinkwrap.json'), 'utf8'));
    const rgVersion = shrinkwrap.packages?.['node_modules/@vscode/ripgrep']?.version;
    if (!rgVersion) throw new Error(`no @vscode/ripgrep in ${join(pkgDir, 'lib', 'vscode', 'npm-shrinkwrap.json')}`);

    // 2. @vscode/ripgrep downloads ripgrep from GitHub unless its cache holds the tarball: put Debian's rg there
    const rgCache = join(tmp, `vscode-ripgrep-cache-${rgVersion}`);
    mkdirSync(rgCache, { recursive: true });
    const tarball = `ripgrep-${RIPGREP_RELEASE}-${RIPGREP_TARGET}.tar.gz`;
    log(`ripgrep: ${tarball} from /usr/bin/rg into ${rgCache}`);
    runLogged('tar', ['-czf', join(rgCache, tarball), '-C', '/usr/bin', 'rg'], { cwd: dir, env, logFile });

    // 3. the install scripts: native modules (node-gyp against nodedir), code-server's postinstall
    //    (npm install in lib/vscode and lib/vscode/extensions)
    log('npm rebuild (native modules, code-server postinstall)');
    runLogged('npm', ['rebuild', '--foreground-scripts'], { cwd: dir, env, logFile });

    const rgBin = join(pkgDir, 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
    if (!existsSync(rgBin)) throw new Error(`the install finished without ${rgBin}; see ${logFile}`);
    const version = codeServerVersion(entry);
    if (!version?.startsWith(CODE_SERVER_VERSION)) throw new Error(`${entry} --version printed ${JSON.stringify(version)}; see ${logFile}`);
    rmSync(tmp, { recursive: true, force: true });
    writeFileSync(marker, `${version}\n`);
    log(`installed ${version} in ${Math.round((Date.now() - started) / 1000)} s`);
    return entry;
  } catch (err) {
    throw new Error(`installing code-server ${CODE_SERVER_VERSION} into ${dir} failed: ${err instanceof Error ? err.message : err}`);
  }
}

/** Debian's chromium (installed with apt-get as root when missing). Never a downloaded browser. */
export async function ensureChromium() {
  if (!existsSync(CHROMIUM)) ensureDebian(['chromium=chromium']);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is still missing after installing Debian's chromium`);
  return CHROMIUM;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

function httpStatus(url, timeoutMs) {
  return new Promise((resolveStatus) => {
    const req = get(url, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolveStatus(0));
  });
}

/** user settings that keep the workbench quiet: no tips, telemetry, updates or type downloads */
export const QUIET_USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'update.mode': 'none',
  'typescript.disableAutomaticTypeAcquisition': true, // the built-in TS extension would run npm for @types
};

/**
 * Starts code-server on 127.0.0.1 (a free port unless `port`) serving `folder`, with XDG_* and,
 * unless given, the user-data and extensions dirs in a fresh temp dir. Resolves once `/healthz`
 * answers; rejects with the server's output if it exits first or does not answer within
 * `startTimeoutMs`. `stop()` ends the whole process group and removes the temp dir.
 */
export async function startCodeServer({ folder, extensionsDir, userDataDir, port, env = {}, startTimeoutMs = 60_000 } = {}) {
  const entry = await ensureCodeServer();
  const tmp = mkdtempSync(join(tmpdir(), 'keyslot-code-server-'));
  const xdg = { XDG_CONFIG_HOME: join(tmp, 'config'), XDG_DATA_HOME: join(tmp, 'data'), XDG_CACHE_HOME: join(tmp, 'cache') };
  for (const d of Object.values(xdg)) mkdirSync(d, { recursive: true });
  userDataDir = resolve(userDataDir ?? join(tmp, 'user-data'));
  extensionsDir = resolve(extensionsDir ?? join(tmp, 'extensions'));
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const settings = join(userDataDir, 'User', 'settings.json');
  if (!existsSync(settings)) writeFileSync(settings, JSON.stringify(QUIET_USER_SETTINGS, null, 2) + '\n');
  port ??= await freePort();

  const args = [
    entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
  ];
  if (folder) args.push(resolve(folder));
  const child = spawn(process.execPath, args, {
    detached: true, // its own process group, so stop() also ends the extension host it forks
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...xdg, ...env },
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((res) => child.once('exit', (code, signal) => res((exited = { code, signal }))));
  const spawnError = new Promise((_, rej) => child.once('error', rej));
  spawnError.catch(() => {}); // raced below; never an unhandled rejection
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  const onParentExit = () => killGroup('SIGKILL');
  process.once('exit', onParentExit);

  let stopped;
  const stop = () =>
    (stopped ??= (async () => {
      process.removeListener('exit', onParentExit);
      if (!exited) {
        killGroup('SIGTERM');
        const timer = setTimeout(() => killGroup('SIGKILL'), 5_000);
        await exitPromise;
        clearTimeout(timer);
      }
      killGroup('SIGKILL'); // stragglers of the group (extension host, file watcher)
      rmSync(tmp, { recursive: true, force: true });
    })());

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  try {
    for (;;) {
      if (exited) throw new Error(`code-server exited (${exited.code ?? exited.signal}) before answering /healthz:\n${output}`);
      const status = await Promise.race([httpStatus(`${url}/healthz`, 1_000), exitPromise.then(() => 0), spawnError]);
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`code-server did not answer ${url}/healthz within ${startTimeoutMs} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, userDataDir, extensionsDir, process: child, output: () => output, stop };
}

/** Installs a .vsix into `extensionsDir` with `code-server --install-extension`. */
export async function installVsix(vsixPath, extensionsDir) {
  const entry = await ensureCodeServer();
  const tmp = mkdtempSync(join(tmpdir(), 'keyslot-vsix-'));
  try {
    mkdirSync(extensionsDir, { recursive: true });
    const r = spawnSync(
      process.execPath,
      [entry, '--extensions-dir', resolve(extensionsDir), '--user-data-dir', join(tmp, 'user-data'), '--install-extension', resolve(vsixPath), '--force'],
      {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, XDG_CONFIG_HOME: join(tmp, 'config'), XDG_DATA_HOME: join(tmp, 'data'), XDG_CACHE_HOME: join(tmp, 'cache') },
      },
    );
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.error) throw r.error;
    if (r.status !== 0 || !/successfully installed/i.test(out)) {
      throw new Error(`code-server --install-extension ${vsixPath} failed (exit ${r.status ?? r.signal}):\n${out}`);
    }
    return out.trim();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs an extension test suite (the module at `extensionTestsPath` exporting `run()`, the same one
 * @vscode/test-electron runs) inside code-server's workbench in headless chromium, with the
 * extension at `extensionDevelopmentPath` loaded in development mode and `folder` open. Resolves
 * with the suite's exit code; rejects when it does not finish within `timeoutMs`. Browser, server
 * and temp dirs are removed whatever happens.
 */
export async function runExtensionTests({ extensionDevelopmentPath, extensionTestsPath, folder, timeoutMs = 180_000, onLog, env } = {}) {
  const executablePath = await ensureChromium();
  await ensureCodeServer();
  const { chromium } = await import('playwright-core');
  const browserData = mkdtempSync(join(tmpdir(), 'keyslot-chromium-'));
  const log =
    onLog ??
    ((type, args) => {
      // the workbench forwards console calls, printf-style format strings included (mocha's reporter)
      (type === 'error' ? process.stderr : process.stdout).write(format(...args) + '\n');
    });
  let server;
  let context;
  let timer;
  try {
    // EXTENSIONS_GALLERY {}: no marketplace (open-vsx.org) requests from a test run
    server = await startCodeServer({ folder, env: { EXTENSIONS_GALLERY: '{}', ...env } });
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${resolve(p)}`;
    const payload = [
      ['extensionDevelopmentPath', remote(extensionDevelopmentPath)],
      ['extensionTestsPath', remote(extensionTestsPath)],
    ];
    context = await chromium.launchPersistentContext(browserData, { executablePath, headless: true, args: CHROMIUM_ARGS });
    let settle;
    const finished = new Promise((res, rej) => (settle = { res, rej }));
    finished.catch(() => {}); // may settle while the page still loads; awaited below
    timer = setTimeout(
      () => settle.rej(new Error(`the extension tests did not finish within ${timeoutMs} ms; code-server output:\n${server.output()}`)),
      timeoutMs,
    );
    server.process.once('exit', (code, signal) =>
      settle.rej(new Error(`code-server exited (${code ?? signal}) while the tests ran:\n${server.output()}`)),
    );
    const page = context.pages()[0] ?? (await context.newPage());
    await page.exposeFunction('codeAutomationLog', (type, args) => log(type, Array.isArray(args) ? args : [args]));
    await page.exposeFunction('codeAutomationExit', (code) => settle.res(code));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const where = msg.location()?.url;
      if (where?.includes('/node_modules/vsda/')) return; // Microsoft's closed-source signing module, absent by design
      process.stderr.write(`[browser console] ${msg.text()}${where ? ` (${where})` : ''}\n`);
    });
    page.on('pageerror', (err) => process.stderr.write(`[browser page error] ${err.message}\n`));
    page.on('crash', () => settle.rej(new Error('the workbench page crashed')));
    const url = `${server.url}/?folder=${encodeURIComponent(resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await Promise.race([page.goto(url), finished]);
    return await finished;
  } finally {
    clearTimeout(timer);
    await context?.close().catch(() => {});
    await server?.stop();
    rmSync(browserData, { recursive: true, force: true });
  }
}

// `node scripts/code-server.mjs ensure`: install code-server and chromium now (scripts/test.mjs does
// this before the vscode layer so the install is not charged to a test's time).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] !== 'ensure') {
    process.stderr.write('usage: node scripts/code-server.mjs ensure\n');
    process.exit(2);
  }
  try {
    process.stderr.write(`code-server: ${await ensureCodeServer()}\nchromium: ${await ensureChromium()}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
  }
}
