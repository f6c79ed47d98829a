/**
 * Generates server/src/commands/newer-commands.json: the key-taking commands that servers newer
 * than the one commands.json comes from added (Redis 7.4-8.x, Valkey 9), converted from the
 * servers' official command specs (src/commands/<name>.json in redis/redis and valkey-io/valkey)
 * into the shape COMMAND prints, which commands.json uses.
 *
 *   npm run gen:newer-commands -- MANIFEST
 *
 * MANIFEST is a TSV of spec files read from those repositories (repo, path, commit, local file);
 * each output entry names the file and commit it came from. Only the commands listed in RELEASED
 * are taken: the repositories also hold experimental branches (array types, BLESS, …) that no
 * release has. Output is deterministic: sorted by name, fixed key order.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BeginSearch, CommandEntry, FindKeys, KeySpec } from '../server/src/commands/table';

export const NEWER_COMMANDS_JSON = join(__dirname, '..', 'server', 'src', 'commands', 'newer-commands.json');

/**
 * Which server's spec to take per command (the first listed that the manifest has), checked by
 * hand against the servers' release notes. LMOVEM/BLMOVEM are in redis/redis's spec files ahead of
 * a release; clients may send them already.
 */
const RELEASED: Record<string, ('redis/redis' | 'valkey-io/valkey')[]> = {
  hexpire: ['redis/redis', 'valkey-io/valkey'],
  hexpireat: ['redis/redis', 'valkey-io/valkey'],
  hexpiretime: ['redis/redis', 'valkey-io/valkey'],
  hpersist: ['redis/redis', 'valkey-io/valkey'],
  hpexpire: ['redis/redis', 'valkey-io/valkey'],
  hpexpireat: ['redis/redis', 'valkey-io/valkey'],
  hpexpiretime: ['redis/redis', 'valkey-io/valkey'],
  hpttl: ['redis/redis', 'valkey-io/valkey'],
  httl: ['redis/redis', 'valkey-io/valkey'],
  // the stored redis/redis hgetdel.json is an early draft (read-only, arity 3); Valkey's is the released shape
  hgetdel: ['valkey-io/valkey', 'redis/redis'],
  hgetex: ['redis/redis', 'valkey-io/valkey'],
  hsetex: ['redis/redis', 'valkey-io/valkey'],
  msetex: ['redis/redis', 'valkey-io/valkey'],
  delex: ['redis/redis', 'valkey-io/valkey'],
  digest: ['redis/redis'],
  xackdel: ['redis/redis', 'valkey-io/valkey'],
  xdelex: ['redis/redis'],
  xcfgset: ['redis/redis'],
  lmovem: ['redis/redis'],
  blmovem: ['redis/redis'],
  delifeq: ['valkey-io/valkey'],
};

/**
 * Versions where a stored spec file's `since` is a draft's: the servers' command tables and
 * release notes say these (HGETDEL in Redis 8.0, the hash-field TTL reads in 7.4 with HEXPIRE).
 */
const SINCE_FIX: Record<string, string> = {
  'redis/redis hgetdel': '8.0.0',
  'redis/redis hexpiretime': '7.4.0',
  'redis/redis hpexpiretime': '7.4.0',
  'redis/redis httl': '7.4.0',
};

interface SpecFile {
  [name: string]: {
    summary?: string;
    group?: string;
    since?: string;
    arity: number;
    container?: string;
    command_flags?: string[];
    command_tips?: string[];
    key_specs?: { flags?: string[]; begin_search: Record<string, Record<string, unknown> | null>; find_keys: Record<string, Record<string, unknown> | null> }[];
  };
}

export interface NewerCommand extends CommandEntry {
  /** where the spec came from: `repo path@commit`, per server that has the command */
  sources: string[];
  /** the first version of each server that has it, as its spec says (`redis 8.4.0`, `valkey 9.1.0`) */
  servers: string[];
}

// as COMMAND prints key-spec flags: the access kinds upper case, the rest lower case
const UPPER_FLAGS = new Set(['RO', 'RW', 'OW', 'RM']);

function beginSearch(b: Record<string, Record<string, unknown> | null>): BeginSearch {
  if (b.index) return { type: 'index', spec: { index: Number(b.index.pos) } };
  if (b.keyword) return { type: 'keyword', spec: { keyword: String(b.keyword.keyword), startfrom: Number(b.keyword.startfrom) } };
  return { type: 'unknown', spec: {} };
}

function findKeys(f: Record<string, Record<string, unknown> | null>): FindKeys {
  if (f.range) return { type: 'range', spec: { lastkey: Number(f.range.lastkey), keystep: Number(f.range.step), limit: Number(f.range.limit) } };
  if (f.keynum) return { type: 'keynum', spec: { keynumidx: Number(f.keynum.keynumidx), firstkey: Number(f.keynum.firstkey), keystep: Number(f.keynum.step) } };
  return { type: 'unknown', spec: {} };
}

/** COMMAND's legacy (first, last, step), as Redis derives it from the first key spec (populateCommandLegacyRangeSpec). */
function legacyRange(specs: KeySpec[]): { firstKey: number; lastKey: number; step: number; movablekeys: boolean } {
  const movablekeys = specs.some((s) => s.begin_search.type !== 'index' || s.find_keys.type !== 'range');
  const s = specs[0];
  if (!s || s.begin_search.type !== 'index' || s.find_keys.type !== 'range') return { firstKey: 0, lastKey: 0, step: 0, movablekeys };
  const first = s.begin_search.spec.index;
  const last = s.find_keys.spec.lastkey < 0 ? s.find_keys.spec.lastkey : first + s.find_keys.spec.lastkey;
  return { firstKey: first, lastKey: last, step: s.find_keys.spec.keystep, movablekeys };
}

function convert(name: string, c: SpecFile[string]): CommandEntry {
  const keySpecs: KeySpec[] = (c.key_specs ?? []).map((k) => ({
    flags: (k.flags ?? []).map((f) => (UPPER_FLAGS.has(f) ? f : f.toLowerCase())),
    begin_search: beginSearch(k.begin_search),
    find_keys: findKeys(k.find_keys),
  }));
  const legacy = legacyRange(keySpecs);
  return {
    name,
    arity: c.arity,
    // COMMAND adds the movablekeys flag itself where the key specs say the keys move
    flags: [...(c.command_flags ?? []).map((f) => f.toLowerCase()), ...(legacy.movablekeys ? ['movablekeys'] : [])],
    ...legacy,
    tips: (c.command_tips ?? []).map((t) => t.toLowerCase()),
    keySpecs,
    group: c.group,
    since: c.since,
    summary: c.summary,
  };
}

function main(manifest: string): void {
  const rows = readFileSync(manifest, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.split('\t'));
  const byName = new Map<string, NewerCommand>();
  for (const name of Object.keys(RELEASED).sort()) {
    for (const repo of RELEASED[name]) {
      const row = rows.find((r) => r[0] === repo && r[1] === `src/commands/${name}.json`);
      if (!row) throw new Error(`the manifest has no ${repo} src/commands/${name}.json`);
      const [, path, commit, local] = row;
      const spec = JSON.parse(readFileSync(local, 'utf8')) as SpecFile;
      const entry = Object.entries(spec)[0];
      if (!entry) throw new Error(`${local} holds no command`);
      const server = repo === 'redis/redis' ? 'redis' : 'valkey';
      const since = SINCE_FIX[`${repo} ${name}`] ?? entry[1].since;
      const have = byName.get(name);
      if (!have) byName.set(name, { ...convert(name, entry[1]), since, sources: [`${repo} ${path}@${commit}`], servers: [`${server} ${since}`] });
      else {
        // the same command in another server must find its keys at the same places, or one entry could not
        // serve both (access flags may differ: Valkey's DELEX says RM where Redis says RW; the first server's stay)
        const where = (c: CommandEntry) => JSON.stringify(c.keySpecs.map((k) => [k.begin_search, k.find_keys]));
        if (where(convert(name, entry[1])) !== where(have)) throw new Error(`${name}: ${repo}'s key specs find other keys than ${have.sources[0]}`);
        have.sources.push(`${repo} ${path}@${commit}`);
        have.servers.push(`${server} ${since}`);
      }
    }
  }
  const out = {
    generatedBy: 'scripts/gen-newer-commands.ts (npm run gen:newer-commands) from the official command specs of redis/redis and valkey-io/valkey',
    commands: [...byName.values()],
  };
  writeFileSync(NEWER_COMMANDS_JSON, JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(`wrote ${out.commands.length} commands to ${NEWER_COMMANDS_JSON}\n`);
}

if (require.main === module) {
  const manifest = process.argv[2];
  if (!manifest) {
    process.stderr.write('usage: npm run gen:newer-commands -- MANIFEST.tsv   (repo, path, commit, local file per line)\n');
    process.exit(2);
  }
  main(manifest);
}
