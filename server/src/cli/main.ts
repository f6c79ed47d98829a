import * as fs from 'fs';
import * as path from 'path';
import { hashSpanOfBytes, toKeyBytes } from '../model/hashtag';
import { keySlot } from '../model/slot';
import { patternText } from '../model/pattern';
import { checkFolder, CheckResult } from '../index/check';
import { LineMap } from '../index/scan';
import { ConfigError, loadConfig } from '../index/config';
import { trace } from '../index/trace';
import { Positions, sortUses, toJsonStream } from './output';
import { writeJson, writeStdout } from './stream';
import { toSarif } from './sarif';
import { toGithub, toGitlab, toJunit, toRdjson } from './formats';
import { BaselineError, readBaseline, subtractBaseline, writeBaseline } from './baseline';
import { migrate, MigrationError, readPlan } from '../live/migrate';
import { migrationScript } from '../live/script';
import { live, LiveError } from '../live/live';
import { ClusterTarget, clusterTarget } from '../live/connection';
import { KEYSLOT_VERSION, SERVER_NODE_FLAGS } from '../protocol';
import { spawn } from 'child_process';
import { CODES, Severity } from '../rules';
import { Extractor } from '../extract/base';
import { languageOfPath } from '../extract/parser';

const VERSION = KEYSLOT_VERSION;

const HELP = `keyslot ${VERSION} - Redis Cluster slots and hash tags of the keys in your code

Usage:
  keyslot slot KEY...                 slot, hashed part and tag of each key (what CLUSTER KEYSLOT says)
  keyslot map [PATH...] [options]     every Redis key use in the code, grouped by hash tag
  keyslot check [PATH...] [options]   what fails on a Redis Cluster: CROSSSLOT calls, scripts, tags
  keyslot lsp --stdio                 the language server, for any LSP editor
  keyslot migrate --cluster HOST:PORT [--plan FILE] [--apply] [--unlink] [--limit N]
                                      move stored data to the key names in keyslot.migrations.json:
                                      a dry run by default (keys and bytes per pattern); --apply copies
                                      (DUMP/RESTORE with the TTL, resumable); --unlink removes old names
                                      whose new name holds the data
  keyslot live [PATH] --cluster HOST:PORT [--format text|json] [--sample N]
                                      the code's key patterns against a running cluster, read-only:
                                      live keys per pattern (memory, TTLs), keys no pattern explains,
                                      patterns with no key, the busiest slots and their code lines;
                                      --cluster also takes redis://USER@HOST:PORT, and rediss:// for
                                      TLS; the password is read from KEYSLOT_REDIS_PASSWORD (never a
                                      flag), a CA file for TLS from KEYSLOT_REDIS_CA
  keyslot migrate --script FILE [--plan FILE]
                                      write the same migration as a Node script (ioredis) to keep in
                                      a runbook and run where keyslot is not installed

Options for map and check:
  --format FORMAT      text or json; check also takes sarif, github (workflow annotations),
                       rdjson (reviewdog), gitlab (Code Quality) and junit (default text)
  --exclude GLOB       skip files matching GLOB (repeatable); node_modules, vendor, dist … are always skipped
  --client-name NAME   treat receivers called NAME as Redis clients (repeatable)
  --config FILE        settings file (default: keyslot.config.json in the scanned folder)
Options for check:
  --fail-on LEVEL      error, warning or never: exit 1 when a finding is at least LEVEL (default error)
  --baseline FILE      report only findings not recorded in FILE (matched by code, file and line text)
  --write-baseline FILE  record today's findings in FILE and exit 0: adopt keyslot, gate new problems
  --stdin-filename PATH  check standard input as the text of PATH, in its workspace (editors, hooks);
                       only PATH's findings are reported
  --allow-empty        no files to check is fine (otherwise it is exit 2: a gate that read nothing)
  --quiet, -q          the findings only: no summary line, no notes on stderr
Options for slot:
  --format text|json

Codes: ${Object.keys(CODES).join(', ')}.
Silence one place with a comment "keyslot-ignore CODE" on the line or the line above.

Exit codes: 0 success (check: no finding at or above --fail-on), 1 findings at or above
--fail-on, 2 usage error, bad config or missing path, 3 internal error.
`;

class UsageError extends Error {}

const CHECK_FORMATS = ['text', 'json', 'sarif', 'github', 'rdjson', 'gitlab', 'junit'] as const;

interface Parsed {
  positional: string[];
  format: (typeof CHECK_FORMATS)[number];
  help?: boolean;
  quiet?: boolean;
  stdinFilename?: string;
  allowEmpty?: boolean;
  excludes: string[];
  clientNames: string[];
  failOn: Severity | 'never';
  config?: string;
  baseline?: string;
  writeBaseline?: string;
}

function parseArgs(args: string[], command: string): Parsed {
  const out: Parsed = { positional: [], format: 'text', excludes: [], clientNames: [], failOn: 'error' };
  const formats: readonly string[] = command === 'check' ? CHECK_FORMATS : ['text', 'json'];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    // --name VALUE or --name=VALUE; anything else that starts with a dash is unknown
    const option = (name: string) => a === name || a.startsWith(name + '=');
    const value = (name: string) => {
      if (a.startsWith(name + '=')) return a.slice(name.length + 1);
      if (i + 1 >= args.length) throw new UsageError(`${name} needs a value`);
      return args[++i];
    };
    if (a === '--') {
      out.positional.push(...args.slice(i + 1));
      break;
    } else if (a === '--help' || a === '-h') out.help = true;
    else if ((a === '--quiet' || a === '-q') && command !== 'slot') out.quiet = true;
    else if (a === '--allow-empty' && command === 'check') out.allowEmpty = true;
    else if (option('--stdin-filename') && command === 'check') out.stdinFilename = value('--stdin-filename');
    else if (option('--format')) {
      const f = value('--format');
      if (!formats.includes(f)) throw new UsageError(`--format must be ${formats.join(', ').replace(/, (\w+)$/, ' or $1')}, not '${f}'`);
      out.format = f as Parsed['format'];
    } else if (option('--fail-on') && command === 'check') {
      const f = value('--fail-on');
      if (f !== 'error' && f !== 'warning' && f !== 'never') throw new UsageError(`--fail-on must be error, warning or never, not '${f}'`);
      out.failOn = f;
    } else if (option('--baseline') && command === 'check') out.baseline = value('--baseline');
    else if (option('--write-baseline') && command === 'check') out.writeBaseline = value('--write-baseline');
    else if (option('--config') && command !== 'slot') out.config = value('--config');
    else if (option('--exclude')) out.excludes.push(value('--exclude'));
    else if (option('--client-name')) out.clientNames.push(value('--client-name'));
    else if (a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option '${a}'`);
    else out.positional.push(a);
  }
  return out;
}

export async function main(argv: string[], out: (s: string) => void = writeStdout, err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd) {
      // a usage error: help goes to stderr so nothing is mistaken for output
      err(HELP);
      return 2;
    }
    if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
      out(HELP);
      return 0;
    }
    if (cmd === '--version' || cmd === '-v') {
      out(VERSION + '\n');
      return 0;
    }
    if (cmd === 'lsp') {
      // the language server takes over stdin/stdout (`--stdio`) or the IPC channel (`--node-ipc`) until the editor closes it
      if (!rest.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='))) throw new UsageError('lsp needs a transport: --stdio, --node-ipc, --socket=PORT or --pipe=NAME');
      // over stdio the server can be started again with its Node flags; an IPC channel belongs to this process
      if (rest.includes('--stdio') && !SERVER_NODE_FLAGS.every((f) => process.execArgv.includes(f))) return withServerFlags();
      // loaded here, not at start: `check` and `map` in CI never pay for the protocol libraries
      (require('../lsp/main') as typeof import('../lsp/main')).runLanguageServer();
      return new Promise<number>(() => undefined);
    }
    if (cmd === 'migrate') return await migrateCommand(rest, out);
    if (cmd === 'live') return await liveCommand(rest, out);
    if (cmd === 'slot' || cmd === 'map' || cmd === 'check') {
      const parsed = parseArgs(rest, cmd);
      if (parsed.help) {
        out(HELP);
        return 0;
      }
      return cmd === 'slot' ? slotCommand(parsed, out) : await scanCommand(cmd, parsed, out, err);
    }
    throw new UsageError(`unknown command '${cmd}'`);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`keyslot: ${e.message}\nRun 'keyslot --help' for usage.\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      err(`keyslot: bad configuration: ${e.message}\n`);
      return 2;
    }
    if (e instanceof MigrationError) {
      err(`keyslot: migrate: ${e.message}\n`);
      return 2;
    }
    if (e instanceof LiveError) {
      err(`keyslot: live: ${e.message}\n`);
      return 2;
    }
    if (e instanceof BaselineError) {
      err(`keyslot: baseline: ${e.message}\n`);
      return 2;
    }
    // not 1: that says "findings", and `check … || true` in CI would pass an empty report off as clean
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    err(`keyslot: internal error: ${message} (please report it; KEYSLOT_DEBUG=1 prints the stack)\n`);
    if (process.env.KEYSLOT_DEBUG && e instanceof Error && e.stack) err(e.stack + '\n');
    return 3;
  }
}

/**
 * Walks a command's arguments: `take` handles each (its `value()` reads the option's argument);
 * `--help` prints the help instead. False when the help was printed.
 */
function readOptions(args: string[], out: (s: string) => void, take: (arg: string, value: () => string) => void): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') {
      out(HELP);
      return false;
    }
    take(a, () => {
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
      return args[++i];
    });
  }
  return true;
}

function textOrJson(format: string): string {
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'`);
  return format;
}

/** `keyslot live [PATH] --cluster HOST:PORT [--format text|json] [--sample N]`: the code's keys against a running cluster, read-only. */
async function liveCommand(args: string[], out: (s: string) => void): Promise<number> {
  let seed: string | undefined;
  let format = 'text';
  let sample = 10_000;
  const paths: string[] = [];
  const go = readOptions(args, out, (a, value) => {
    if (a === '--cluster') seed = value();
    else if (a === '--format') format = textOrJson(value());
    else if (a === '--sample') {
      sample = Number(value());
      if (!Number.isInteger(sample) || sample < 1) throw new UsageError('--sample must be a whole number of keys per primary');
    } else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
    else paths.push(a);
  });
  if (!go) return 0;
  if (!seed) throw new UsageError('live needs --cluster HOST:PORT or redis[s]://[USER@]HOST:PORT (any node of the cluster)');
  let target: ClusterTarget;
  try {
    target = clusterTarget(seed, process.env);
  } catch (e) {
    throw new UsageError(`--cluster: ${(e as Error).message}`);
  }
  if (paths.length > 1) throw new UsageError('live reads one folder');
  const root = path.resolve(paths[0] ?? '.');
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`no such folder: ${root}`);
  const { settings } = loadConfig(root);
  const r = await checkFolder(root, [root], settings);
  const lines = new Map<string, LineMap>();
  const lineOf = (file: string, offset: number) => {
    let m = lines.get(file);
    if (!m) lines.set(file, (m = new LineMap(r.texts.get(file) ?? '')));
    return m.position(offset).line;
  };
  const report = await live(r.uses, { seed: target.seed, auth: target.auth, sample, lineOf });
  if (format === 'json') {
    out(JSON.stringify(report, null, 2) + '\n');
    return 0;
  }
  const at = (c: { file: string; line: number }[]) => [...new Set(c.map((x) => `${x.file}:${x.line}`))].slice(0, 3).join(', ');
  const serving = report.nodes.filter((n) => n.slots.length);
  out(`${serving.length} primaries serving slots, ${report.nodes.length - serving.length} other nodes; ${report.sampled} keys sampled\n`);
  for (const n of serving) out(`  ${n.address}: slots ${n.slots.map(([a, b]) => `${a}-${b}`).join(', ')}; ${n.keys} keys\n`);
  out('\nkey patterns of the code, in the sample:\n');
  for (const p of [...report.patterns].sort((a, b) => b.sampled - a.sampled)) {
    const ttl = p.sampled ? (p.ttl.min === null ? 'no TTL' : `TTL ${Math.round(p.ttl.min / 1000)}-${Math.round(p.ttl.max! / 1000)} s${p.ttl.none ? `, ${p.ttl.none} without` : ''}`) : '';
    out(`  ${p.pattern}: ${p.sampled} keys${p.sampled ? `, ${p.bytes} bytes, ${ttl}` : ''}${p.slot ? `; slot ${p.slot.slot} on ${p.slot.node}: ${p.slot.keys} keys` : ''}  (${at(p.uses)})\n`);
  }
  out(`\nkeys no pattern explains: ${report.unexplained.count}${report.unexplained.examples.length ? ` (${report.unexplained.examples.slice(0, 5).join(', ')}${report.unexplained.count > 5 ? ', …' : ''})` : ''}\n`);
  out(`patterns with no live key: ${report.unused.length ? report.unused.join(', ') : 'none'}\n`);
  if (report.unreachable.length) out(`\nnot read (the report covers the other nodes): ${report.unreachable.map((u) => `${u.node} (${u.reason})`).join(', ')}\n`);
  out('\nbusiest slots in the sample:\n');
  for (const h of report.hotSlots) out(`  slot ${h.slot} on ${h.node}: ${h.keys} keys${h.patterns.length ? ` of ${h.patterns.join(', ')} (${at(h.code)})` : ', no pattern of the code'}\n`);
  return 0;
}

async function migrateCommand(args: string[], out: (s: string) => void): Promise<number> {
  let seed: string | undefined;
  let plan = 'keyslot.migrations.json';
  let apply = false;
  let unlink = false;
  let limit: number | undefined;
  let format = 'text';
  let script: string | undefined;
  const go = readOptions(args, out, (a, value) => {
    if (a === '--cluster') seed = value();
    else if (a === '--script') script = value();
    else if (a === '--plan') plan = value();
    else if (a === '--apply') apply = true;
    else if (a === '--unlink') unlink = true;
    else if (a === '--format') format = textOrJson(value());
    else if (a === '--limit') {
      limit = Number(value());
      if (!Number.isInteger(limit) || limit < 0) throw new UsageError('--limit must be a whole number');
    } else throw new UsageError(`unknown option '${a}'`);
  });
  if (!go) return 0;
  if (script !== undefined) {
    // the plan as a script to keep and run elsewhere: nothing is connected to here
    fs.writeFileSync(script, migrationScript(readPlan(plan), path.basename(plan)), { mode: 0o755 });
    out(`wrote ${script}: run it with node (it needs ioredis): --cluster HOST:PORT for a dry run, --apply to copy, --unlink to remove old names\n`);
    return 0;
  }
  if (!seed || !/^[^:]+:\d+$/.test(seed)) throw new UsageError('migrate needs --cluster HOST:PORT (any node of the cluster)');
  const reports = await migrate(readPlan(plan), { seed, apply, unlink, limit });
  if (format === 'json') out(JSON.stringify({ apply, unlink, patterns: reports }, null, 2) + '\n');
  else {
    out(`${apply ? 'migrated' : 'dry run (nothing written; --apply copies)'}:\n`);
    for (const r of reports)
      out(`  ${r.from} -> ${r.to}: ${r.keys} key${r.keys === 1 ? '' : 's'}, ${r.bytes} bytes; ${r.migrated} already there, ${r.copied} copied now${unlink ? `, ${r.unlinked} old names removed` : ''}\n`);
  }
  return 0;
}

const KIND_TEXT = { tag: 'hash tag', whole: 'whole key', 'empty-tag': 'whole key (empty {} tag)', unclosed: 'whole key (no closing })', unmatched: 'no hashing-policy rule matches: refused' } as const;

function slotCommand(p: Parsed, out: (s: string) => void): number {
  if (!p.positional.length) throw new UsageError('slot needs at least one KEY');
  const rows = p.positional.map((key) => {
    const bytes = toKeyBytes(key);
    const span = hashSpanOfBytes(bytes);
    const hashed = Buffer.from(bytes.subarray(span.start, span.end)).toString('utf8');
    return { key, slot: keySlot(bytes), hashed, tag: span.kind === 'tag' ? hashed : null, kind: span.kind };
  });
  if (p.format === 'json') out(JSON.stringify(rows, null, 2) + '\n');
  else for (const r of rows) out(`${String(r.slot).padStart(5)}  ${r.key}  (${KIND_TEXT[r.kind]}${r.kind === 'tag' ? ` {${r.tag}}` : ''})\n`);
  return 0;
}

async function scanCommand(cmd: 'map' | 'check', p: Parsed, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const paths = p.positional.length ? p.positional : ['.'];
  for (const x of paths) {
    if (!fs.existsSync(x)) throw new UsageError(`no such file or directory: ${x}`);
    // a path named on the command line that cannot be read is an error, not an empty, passing report
    try {
      fs.accessSync(x, fs.constants.R_OK | (fs.statSync(x).isDirectory() ? fs.constants.X_OK : 0));
    } catch (e) {
      throw new UsageError(`cannot read ${x} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const root = paths.length === 1 && fs.statSync(paths[0]).isDirectory() ? path.resolve(paths[0]) : process.cwd();
  const { settings } = loadConfig(root, p.config);
  // read before the scan: a bad baseline fails in a moment, not after a minute of work
  const baseline = p.baseline && !p.writeBaseline ? readBaseline(p.baseline) : undefined;
  // one buffer from standard input, in place of its file, analysed with the rest of its workspace
  const stdinRel = p.stdinFilename !== undefined ? path.relative(root, path.resolve(p.stdinFilename)).split(path.sep).join('/') : undefined;
  if (stdinRel !== undefined && (stdinRel.startsWith('../') || !languageOfPath(stdinRel))) throw new UsageError(`--stdin-filename ${p.stdinFilename} must name a supported source file inside ${root}`);
  const overlay = stdinRel !== undefined ? new Map([[stdinRel, fs.readFileSync(0, 'utf8')]]) : undefined;
  let r = await checkFolder(root, paths, settings, { excludes: p.excludes, clientNames: p.clientNames, overlay });
  if (stdinRel !== undefined) r = { ...r, findings: r.findings.filter((f) => f.file === stdinRel) };
  const notes: string[] = [];
  if (baseline || p.writeBaseline) {
    const pos = new Positions(r.texts);
    const located = r.findings.map((finding) => ({ finding, line: pos.at(finding.file, finding.span.start).line, lineText: pos.lineText(finding.file, finding.span.start) }));
    if (p.writeBaseline) {
      writeBaseline(p.writeBaseline, located);
      notes.push(`keyslot: wrote ${located.length} finding${located.length === 1 ? '' : 's'} to the baseline ${p.writeBaseline}`);
    } else if (baseline) {
      const { fresh, matched, stale } = subtractBaseline(located, baseline);
      r = { ...r, findings: fresh };
      notes.push(`keyslot: ${matched} finding${matched === 1 ? '' : 's'} in the baseline not shown${stale ? `; ${stale} baseline entr${stale === 1 ? 'y is' : 'ies are'} gone (fixed or changed; --write-baseline drops them)` : ''}`);
    }
  }
  // written in pieces: the whole document as one string would double the peak memory of a large workspace
  if (p.format === 'json') writeJson(toJsonStream(r), out);
  else if (p.format === 'sarif') writeJson(toSarif(r, VERSION, true), out, 4);
  else if (p.format === 'github') out(toGithub(r));
  else if (p.format === 'rdjson') out(JSON.stringify(toRdjson(r)) + '\n');
  else if (p.format === 'gitlab') out(JSON.stringify(toGitlab(r), null, 2) + '\n');
  else if (p.format === 'junit') out(toJunit(r));
  else out(cmd === 'map' ? textMap(r) : textCheck(r, colours(p), !p.quiet));
  trace('output');
  const summary = summaryLine(r);
  if (summary && !p.quiet) err(summary + '\n');
  if (!p.quiet) for (const n of notes) err(n + '\n');
  // a CI gate that read nothing must not pass as clean (a path under .gitignore, a typo in --exclude)
  if (cmd === 'check' && !r.files.length && !p.allowEmpty) {
    err(`keyslot: no files to check in ${paths.join(', ')} (--allow-empty if that is expected)\n`);
    return 2;
  }
  if (cmd === 'map' || p.failOn === 'never' || p.writeBaseline) return 0;
  const failing = p.failOn === 'warning' ? ['error', 'warning'] : ['error'];
  return r.findings.some((f) => failing.includes(f.severity)) ? 1 : 0;
}

/** ANSI colours for a terminal, none for a pipe or when NO_COLOR is set (no-color.org); FORCE_COLOR forces them. */
function colours(p: Parsed): (severity: string, text: string) => string {
  const on = process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : !process.env.NO_COLOR && !!process.stdout.isTTY && p.format === 'text';
  const CODE: Record<string, string> = { error: '31', warning: '33', info: '36' };
  return on ? (severity, text) => `\x1b[1;${CODE[severity] ?? '0'}m${text}\x1b[0m` : (_severity, text) => text;
}

/** Like a compiler: `path:line:col: severity code message`, related places indented under it. */
function textCheck(r: CheckResult, paint: (severity: string, text: string) => string = (_s, t) => t, withSummary = true): string {
  const pos = new Positions(r.texts);
  const lines: string[] = [];
  for (const f of r.findings) {
    const p = pos.at(f.file, f.span.start);
    lines.push(`${f.file}:${p.line}:${p.column}: ${paint(f.severity, f.severity)} ${f.code} ${f.message}`);
    for (const x of f.related.slice(0, 8)) {
      const q = pos.at(x.file, x.span.start);
      lines.push(`    ${x.file}:${q.line}:${q.column}: note: ${x.message}`);
    }
    if (f.related.length > 8) lines.push(`    … ${f.related.length - 8} more`);
  }
  const count = (s: string) => r.findings.filter((f) => f.severity === s).length;
  const fileCount = new Set(r.findings.map((f) => f.file)).size;
  if (withSummary)
    lines.push(
      r.findings.length
        ? `${count('error')} error${count('error') === 1 ? '' : 's'}, ${count('warning')} warning${count('warning') === 1 ? '' : 's'}, ${count('info')} info in ${fileCount} file${fileCount === 1 ? '' : 's'} (${r.uses.length} key uses, ${r.groups.length} groups, ${r.files.length} files scanned)`
        : `no findings (${r.uses.length} key uses, ${r.groups.length} groups, ${r.files.length} files scanned)`,
    );
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** One stderr line for everything the scan could not read fully; the scan itself goes on. */
function summaryLine(r: CheckResult): string {
  const parts: string[] = [];
  const count = (reason: string) => r.skipped.filter((s) => s.reason === reason);
  for (const [reason, label] of [['binary', 'binary'], ['too-large', 'over 1 MiB'], ['minified', 'minified'], ['unreadable', 'unreadable'], ['failed', 'not analysable (an internal error; please report it)'], ['symlink', 'links to folders, not followed']] as const) {
    const s = count(reason);
    if (s.length) parts.push(`${s.length} skipped as ${label} (${s.slice(0, 3).map((x) => x.rel).join(', ')}${s.length > 3 ? ', …' : ''})`);
  }
  if (r.syntaxErrors.length) parts.push(`${r.syntaxErrors.length} with syntax errors, parsed as far as possible (${r.syntaxErrors.slice(0, 3).join(', ')}${r.syntaxErrors.length > 3 ? ', …' : ''})`);
  if (r.tooDeep.length) parts.push(`${r.tooDeep.length} nested deeper than ${Extractor.MAX_NESTING} levels, analysed down to there (${r.tooDeep.slice(0, 3).join(', ')}${r.tooDeep.length > 3 ? ', …' : ''})`);
  if (r.invalidUtf8.length) parts.push(`${r.invalidUtf8.length} with invalid UTF-8, read with replacement characters (${r.invalidUtf8.slice(0, 3).join(', ')})`);
  return parts.length ? `keyslot: scanned ${r.files.length} files; ${parts.join('; ')}` : '';
}

function textMap(r: CheckResult): string {
  const lines: string[] = [];
  const byTag = new Map<string, typeof r.uses>();
  for (const u of sortUses(r.uses)) {
    const tag = u.hash.tag ? `{${patternText(u.hash.tag)}}` : '';
    const list = byTag.get(tag) ?? [];
    list.push(u);
    byTag.set(tag, list);
  }
  const positions = new Positions(r.texts);
  const pos = (u: (typeof r.uses)[number]) => {
    const p = positions.at(u.file, u.span.start);
    return `${u.file}:${p.line}:${p.column}`;
  };
  const tags = [...byTag.keys()].filter((t) => t).sort();
  const row = (u: (typeof r.uses)[number]) =>
    `  ${String(u.hash.slot ?? 'varies').padStart(6)}  ${u.command.toUpperCase().padEnd(11)} ${u.access.padEnd(6)} ${patternText(u.pattern).padEnd(36)} ${pos(u)}${u.group ? `  [${u.group}]` : ''}`;
  for (const t of tags) {
    const uses = byTag.get(t)!;
    const slots = new Set(uses.map((u) => u.hash.slot));
    lines.push(`${t}  slot ${slots.size === 1 && !slots.has(null) ? [...slots][0] : 'varies'}  (${uses.length} use${uses.length === 1 ? '' : 's'})`);
    for (const u of uses) lines.push(row(u));
    lines.push('');
  }
  const untagged = byTag.get('');
  if (untagged) {
    lines.push(`no hash tag: the whole key is hashed  (${untagged.length} use${untagged.length === 1 ? '' : 's'})`);
    for (const u of untagged) lines.push(row(u));
    lines.push('');
  }
  if (r.groups.length) {
    lines.push('groups (keys that must share a slot or node):');
    for (const g of r.groups) {
      const m = positions.at(g.file, g.span.start);
      const v = r.verdicts.get(g.id)!;
      lines.push(`  ${g.id.padEnd(5)} ${g.kind.padEnd(11)} ${(g.command ?? '').toUpperCase().padEnd(11)} same slot: ${v.sameSlot.padEnd(7)} ${g.file}:${m.line}:${m.column}  ${g.library}${v.requirement.need === 'split' ? ' (split per slot by the client)' : ''}`);
    }
    lines.push('');
  }
  lines.push(`${r.uses.length} key uses in ${new Set(r.uses.map((u) => u.file)).size} of ${r.files.length} files`);
  return lines.join('\n') + '\n';
}

/** Runs this same command in a Node started with the server's flags, stdio passed through. */
function withServerFlags(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, ...SERVER_NODE_FLAGS, process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit' });
    child.on('error', (e) => {
      process.stderr.write(`keyslot: cannot start the language server: ${e.message}\n`);
      resolve(2);
    });
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
