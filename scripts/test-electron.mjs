#!/usr/bin/env node
// `npm run test:electron`: the extension test suites (test/vscode/suite, compiled by `tsc -b` to
// out/vscode-test/suite) in desktop VS Code, downloaded by @vscode/test-electron. The second
// launcher of the same suite: `npm run test:vscode` runs it in code-server 4.100.3 on machines
// that cannot download VS Code (scripts/code-server.mjs, /work/shared/docs/real-editors.md).
//
// Runs against two versions in turn: the minimum of package.json engines.vscode and 'stable'
// (KEYSLOT_VSCODE_VERSIONS=1.95.0,insiders overrides the list). Each run gets a fresh copy of
// test/fixtures/vscode-ws, a fresh user-data and extensions dir, and --disable-extensions (the
// extension under development still loads). VS Code downloads are cached in
// ${KEYSLOT_CACHE ?? ~/.cache/keyslot}/vscode-test. All downloads happen before the first run, and
// the first one that fails ends the script with the reason (no host, timeout, HTTP error).
// `npm run test:electron` builds first (scripts/build.mjs, tsc -b). KEYSLOT_VSCODE_GREP (inherited by
// VS Code's extension host) narrows the mocha run, as in the code-server runner. On Linux without a display, run it under xvfb-run.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { CODE_SERVER_VERSION, cacheDir } from './code-server.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const extensionTestsPath = join(root, 'out', 'vscode-test', 'suite', 'index.js');
const fixture = join(root, 'test', 'fixtures', 'vscode-ws');
const vscodeCache = join(cacheDir(), 'vscode-test');
/** @vscode/test-electron's per-request idle timeout (its default is 15 s) */
const DOWNLOAD_TIMEOUT_MS = 30_000;
const UPDATE_HOST = 'update.code.visualstudio.com';

const log = (msg) => process.stderr.write(`test:electron: ${msg}\n`);

function fail(msg) {
  log(msg);
  process.exit(1);
}

/** engines.vscode "^1.91.0" -> "1.91.0" (the lowest version the range admits). */
function minimumVersion() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const range = pkg.engines?.vscode;
  const m = typeof range === 'string' ? /^\s*(?:\^|~|>=)?\s*(\d+\.\d+\.\d+)\s*$/.exec(range) : null;
  if (!m) fail(`package.json engines.vscode is ${JSON.stringify(range)}; expected "^X.Y.Z"`);
  return m[1];
}

/** One line for what went wrong fetching from Microsoft's servers; test-electron throws errors, strings and timeouts. */
function describeDownloadError(err) {
  if (typeof err === 'string') return err;
  if (!(err instanceof Error)) return String(err);
  const { code, hostname, syscall } = /** @type {any} */ (err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${syscall ?? 'getaddrinfo'} ${code} ${hostname ?? UPDATE_HOST}: the host name does not resolve (no DNS or no internet access)`;
  if (code) return `${code}${hostname ? ` ${hostname}` : ''}: ${err.message}`;
  if (err.name === 'TimeoutError' || /timeout|timed out/i.test(err.message)) return `${err.message} (no answer from ${UPDATE_HOST} or its CDN)`;
  return err.message;
}

/** A quiet progress reporter: one line per stage, the last error kept for the message. */
function reporter(version) {
  let lastPercent = -1;
  const state = { lastError: undefined };
  return {
    state,
    report(r) {
      switch (r.stage) {
        case 'resolvedVersion':
          if (r.version !== version) log(`${version} is VS Code ${r.version}`);
          break;
        case 'foundMatchingInstall':
          log(`VS Code ${version}: cached in ${r.downloadedPath}`);
          break;
        case 'resolvingCDNLocation':
          log(`VS Code ${version}: downloading ${r.url}`);
          break;
        case 'downloading': {
          const percent = r.totalBytes ? Math.floor((r.bytesSoFar / r.totalBytes) * 10) * 10 : -1;
          if (percent > lastPercent) {
            lastPercent = percent;
            log(`VS Code ${version}: ${percent}% of ${(r.totalBytes / 1e6).toFixed(0)} MB`);
          }
          break;
        }
        case 'retrying':
          state.lastError = r.error;
          log(`VS Code ${version}: download failed (${describeDownloadError(r.error)}), attempt ${r.attempt + 1} of ${r.totalAttempts}`);
          break;
        case 'newInstallComplete':
          log(`VS Code ${version}: installed in ${r.downloadedPath}`);
          break;
        default:
          break;
      }
    },
    error(err) {
      state.lastError = err;
    },
  };
}

async function download(version) {
  const rep = reporter(version);
  try {
    return await downloadAndUnzipVSCode({ version, cachePath: vscodeCache, reporter: rep, timeout: DOWNLOAD_TIMEOUT_MS });
  } catch (err) {
    const cause = rep.state.lastError ?? err;
    const reason = describeDownloadError(cause);
    const summary = cause === err ? reason : `${describeDownloadError(err)}: ${reason}`;
    fail(
      `cannot download VS Code ${version}: ${summary}.\n` +
        `  @vscode/test-electron fetches VS Code from https://${UPDATE_HOST} (and its CDN), which this machine cannot reach.\n` +
        `  Run \`npm run test:electron\` where that host is reachable, or \`npm run test:vscode\` here (the same suite in code-server ${CODE_SERVER_VERSION}, installed from npm).`,
    );
  }
}

async function runOne(version, vscodeExecutablePath) {
  const tmp = mkdtempSync(join(tmpdir(), 'keyslot-test-electron-'));
  try {
    const ws = join(tmp, 'vscode-ws');
    cpSync(fixture, ws, { recursive: true });
    log(`VS Code ${version}: running ${extensionTestsPath} on a copy of test/fixtures/vscode-ws`);
    return await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: root,
      extensionTestsPath,
      launchArgs: [
        ws,
        '--disable-extensions', // every other extension; the one under development still loads
        `--user-data-dir=${join(tmp, 'user-data')}`,
        `--extensions-dir=${join(tmp, 'extensions')}`,
        '--disable-telemetry',
      ],
    });
  } catch (err) {
    // TestRunFailedError: VS Code ran and the suite failed (or VS Code crashed); its output is above
    log(`VS Code ${version}: ${err instanceof Error ? err.message : err}`);
    return typeof err?.code === 'number' ? err.code : 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (!existsSync(extensionTestsPath)) fail(`${extensionTestsPath} is missing: run \`npx tsc -b\` (\`npm run test:electron\` does)`);
if (!existsSync(join(root, 'dist', 'client.js'))) fail('dist/client.js is missing: run `node scripts/build.mjs` (`npm run test:electron` does)');
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  log('warning: no DISPLAY; desktop VS Code needs an X server on Linux (run under `xvfb-run -a npm run test:electron`)');
}

const versions = (process.env.KEYSLOT_VSCODE_VERSIONS?.split(',').map((v) => v.trim()).filter(Boolean)) ?? [minimumVersion(), 'stable'];
const executables = [];
for (const version of versions) executables.push(await download(version));

const results = [];
for (let i = 0; i < versions.length; i++) results.push([versions[i], await runOne(versions[i], executables[i])]);
for (const [version, code] of results) log(`VS Code ${version}: ${code === 0 ? 'passed' : `failed (exit code ${code})`}`);
process.exit(results.every(([, code]) => code === 0) ? 0 : 1);
