/**
 * Generates server/src/commands/commands.json from a real redis-server's own description of its
 * commands (`COMMAND` for arity, flags, key specs and tips; `COMMAND DOCS` for group/summary).
 * Redis's src/commands/README.md asks consumers to use these replies, not its JSON sources.
 *
 *   npm run gen:commands        (needs redis-server on PATH: node scripts/ensure-debian.mjs redis-server=redis-server)
 *
 * Output is deterministic for a given server version: commands sorted by name, fixed key order.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pairs, startRedis, type Arg, type Reply } from '../test/helpers/redis';
import type { BeginSearch, CommandEntry, CommandsFile, FindKeys, KeySpec } from '../server/src/commands/table'; // type-only: no runtime load of the JSON being generated

export const COMMANDS_JSON = join(__dirname, '..', 'server', 'src', 'commands', 'commands.json');

function str(r: Reply): string {
  if (typeof r !== 'string') throw new Error(`expected a string, got ${JSON.stringify(r)}`);
  return r;
}
function num(r: Reply): number {
  if (typeof r !== 'number') throw new Error(`expected an integer, got ${JSON.stringify(r)}`);
  return r;
}
function arr(r: Reply | undefined): Reply[] {
  if (!Array.isArray(r)) throw new Error(`expected an array, got ${JSON.stringify(r)}`);
  return r;
}
function strs(r: Reply | undefined): string[] {
  return arr(r).map(str);
}

function beginSearch(r: Reply): BeginSearch {
  const m = pairs(r);
  const type = str(m.type);
  const spec = pairs(m.spec);
  if (type === 'index') return { type, spec: { index: num(spec.index) } };
  if (type === 'keyword') return { type, spec: { keyword: str(spec.keyword), startfrom: num(spec.startfrom) } };
  if (type === 'unknown') return { type, spec: {} };
  throw new Error(`unexpected begin_search type ${type}`);
}

function findKeys(r: Reply): FindKeys {
  const m = pairs(r);
  const type = str(m.type);
  const spec = pairs(m.spec);
  if (type === 'range') return { type, spec: { lastkey: num(spec.lastkey), keystep: num(spec.keystep), limit: num(spec.limit) } };
  if (type === 'keynum') return { type, spec: { keynumidx: num(spec.keynumidx), firstkey: num(spec.firstkey), keystep: num(spec.keystep) } };
  if (type === 'unknown') return { type, spec: {} };
  throw new Error(`unexpected find_keys type ${type}`);
}

function keySpec(r: Reply): KeySpec {
  const m = pairs(r);
  const known = new Set(['notes', 'flags', 'begin_search', 'find_keys']);
  for (const k of Object.keys(m)) if (!known.has(k)) throw new Error(`unexpected key spec field ${k}`);
  const spec: KeySpec = { flags: strs(m.flags), begin_search: beginSearch(m.begin_search), find_keys: findKeys(m.find_keys) };
  return m.notes === undefined ? spec : { notes: str(m.notes), ...spec };
}

interface Docs {
  summary?: string;
  since?: string;
  group?: string;
  doc_flags?: string[];
  deprecated_since?: string;
  replaced_by?: string;
  subcommands?: Map<string, Docs>;
}

function docsMap(r: Reply): Map<string, Docs> {
  const out = new Map<string, Docs>();
  const list = arr(r);
  for (let i = 0; i < list.length; i += 2) {
    const m = pairs(list[i + 1]);
    const d: Docs = {};
    for (const f of ['summary', 'since', 'group', 'deprecated_since', 'replaced_by'] as const) if (m[f] !== undefined) d[f] = str(m[f]);
    if (m.doc_flags !== undefined) d.doc_flags = strs(m.doc_flags);
    if (m.subcommands !== undefined) d.subcommands = docsMap(m.subcommands);
    out.set(str(list[i]).toLowerCase(), d);
  }
  return out;
}

function entry(r: Reply, docs: Docs | undefined, container: string | undefined, out: CommandEntry[]): void {
  const a = arr(r);
  const [name, arity, flags, first, last, step, , tips, specs, subs] = a;
  const e: CommandEntry = {
    name: str(name).toLowerCase(),
    ...(container ? { container } : {}),
    arity: num(arity),
    flags: strs(flags),
    firstKey: num(first),
    lastKey: num(last),
    step: num(step),
    movablekeys: strs(flags).includes('movablekeys'),
    tips: strs(tips),
    keySpecs: arr(specs).map(keySpec),
    ...(docs?.group !== undefined ? { group: docs.group } : {}),
    ...(docs?.since !== undefined ? { since: docs.since } : {}),
    ...(docs?.summary !== undefined ? { summary: docs.summary } : {}),
    ...(docs?.doc_flags?.length ? { docFlags: docs.doc_flags } : {}),
    ...(docs?.deprecated_since !== undefined ? { deprecatedSince: docs.deprecated_since } : {}),
    ...(docs?.replaced_by !== undefined ? { replacedBy: docs.replaced_by } : {}),
  };
  const subList = subs === undefined ? [] : arr(subs);
  if (subList.length) {
    const subNames: string[] = [];
    for (const s of subList) {
      const subName = str(arr(s)[0]).toLowerCase();
      subNames.push(subName);
      entry(s, docs?.subcommands?.get(subName), e.name, out);
    }
    e.subcommands = subNames.sort();
  }
  out.push(e);
}

/** Reads the command table from a live server; returns the file's text. */
export async function buildCommandTable(send: (args: Arg[]) => Promise<Reply>): Promise<string> {
  const info = str(await send(['INFO', 'server']));
  const version = /^redis_version:(.*)$/m.exec(info)?.[1].trim();
  if (!version) throw new Error('no redis_version in INFO server');
  const docs = docsMap(await send(['COMMAND', 'DOCS']));
  const commands: CommandEntry[] = [];
  for (const c of arr(await send(['COMMAND']))) entry(c, docs.get(str(arr(c)[0]).toLowerCase()), undefined, commands);
  commands.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const file: CommandsFile = {
    generatedBy: 'scripts/gen-commands.ts (npm run gen:commands) from COMMAND and COMMAND DOCS of a live redis-server',
    redisVersion: version,
    commands,
  };
  return JSON.stringify(file, null, 2) + '\n';
}

async function main(): Promise<void> {
  const node = await startRedis({ cluster: false });
  try {
    const text = await buildCommandTable((a) => node.send(a));
    writeFileSync(COMMANDS_JSON, text);
    const file = JSON.parse(text) as CommandsFile;
    const withSpecs = file.commands.filter((c) => c.keySpecs.length).length;
    console.log(`wrote ${COMMANDS_JSON}: ${file.commands.length} commands and subcommands (${withSpecs} with key specs), redis ${file.redisVersion}`);
  } finally {
    await node.stop();
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
