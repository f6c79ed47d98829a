/**
 * commandKeys() against the server's own key finder: for every command and subcommand with key
 * specs, sample command lines are built from COMMAND DOCS argument trees (optional parts left out
 * or put in, each oneof choice, 1-3 repetitions) and compared with COMMAND GETKEYSANDFLAGS.
 * Also: commands.json is what the generator makes from this server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { allCommands, commandKeys, keyAccessOfFlags, type CommandKeys } from '../../server/src/commands/table';
import { buildCommandTable, COMMANDS_JSON } from '../../scripts/gen-commands';
import { isRespError, pairs, useClusterNode, type Reply } from '../helpers/redis';

const redis = useClusterNode();

// --- COMMAND DOCS argument trees -----------------------------------------------------------------

interface DocArg {
  name: string;
  type: string;
  token?: string;
  optional: boolean;
  multiple: boolean;
  multipleToken: boolean;
  args: DocArg[];
}

function docArg(r: Reply): DocArg {
  const m = pairs(r);
  const flags = Array.isArray(m.flags) ? m.flags.map(String) : [];
  return {
    name: String(m.name),
    type: String(m.type),
    token: m.token === undefined ? undefined : String(m.token),
    optional: flags.includes('optional'),
    multiple: flags.includes('multiple'),
    multipleToken: flags.includes('multiple_token'),
    args: Array.isArray(m.arguments) ? m.arguments.map(docArg) : [],
  };
}

/** name ('object|encoding' for subcommands) → argument tree */
function docsArgs(reply: Reply, out = new Map<string, DocArg[]>()): Map<string, DocArg[]> {
  const list = reply as Reply[];
  for (let i = 0; i < list.length; i += 2) {
    const m = pairs(list[i + 1]);
    out.set(String(list[i]).toLowerCase(), Array.isArray(m.arguments) ? m.arguments.map(docArg) : []);
    if (m.subcommands !== undefined) docsArgs(m.subcommands, out);
  }
  return out;
}

// --- sample lines ----------------------------------------------------------------------------------

interface Policy {
  /** include the optional argument at this path */
  optional(path: string): boolean;
  /** repetitions of a 'multiple' argument */
  reps(path: string): number;
  /** chosen alternative of a oneof */
  choice(path: string): number;
}

/** Walks an argument tree; collects the paths of optionals and oneofs (with their sizes). */
function shape(args: DocArg[], prefix = '', out = { optionals: [] as string[], oneofs: [] as [string, number][] }) {
  args.forEach((a, i) => {
    const p = `${prefix}${i}`;
    if (a.optional) out.optionals.push(p);
    if (a.type === 'oneof') out.oneofs.push([p, a.args.length]);
    shape(a.args, `${p}.`, out);
  });
  return out;
}

function build(args: DocArg[], policy: Policy): string[] {
  let seq = 0;
  const out: string[] = [];
  const value = (a: DocArg, p: string): void => {
    switch (a.type) {
      case 'key':
        out.push(`key:${seq++}`); // unique, so a returned key name identifies its position
        return;
      case 'string':
        out.push(`s${seq++}`);
        return;
      case 'pattern':
        out.push(`p${seq++}*`);
        return;
      case 'integer':
        out.push('1');
        return;
      case 'double':
        out.push('1.5');
        return;
      case 'unix-time':
        out.push('1700000000');
        return;
      case 'pure-token':
        return; // the token is the whole argument
      case 'oneof': {
        const c = Math.min(policy.choice(p), a.args.length - 1);
        one(a.args[c], `${p}.${c}`, true);
        return;
      }
      case 'block':
        list(a.args, `${p}.`);
        return;
      default:
        throw new Error(`argument type ${a.type}`);
    }
  };
  const one = (a: DocArg, p: string, chosen = false): number => {
    if (a.optional && !chosen && !policy.optional(p)) return 0;
    const start = out.length;
    const n = a.multiple ? policy.reps(p) : 1;
    for (let r = 0; r < n; r++) {
      if (a.token !== undefined && (r === 0 || a.multipleToken)) out.push(a.token);
      value(a, p);
    }
    return out.slice(start).filter((t) => t.startsWith('key:')).length;
  };
  const list = (as: DocArg[], prefix: string) => {
    let numkeysAt = -1;
    as.forEach((a, i) => {
      const keysHere = one(a, `${prefix}${i}`);
      // numkeys counts the keys of the argument right after it
      if (numkeysAt >= 0) {
        out[numkeysAt] = String(keysHere);
        numkeysAt = -1;
      }
      if (a.type === 'integer' && a.name === 'numkeys' && !a.optional) numkeysAt = out.length - 1;
    });
  };
  list(args, '');
  return out;
}

function sampleLines(head: string[], args: DocArg[]): string[][] {
  const { optionals, oneofs } = shape(args);
  const within = (p: string, target: string) => target === p || target.startsWith(`${p}.`);
  const policies: Policy[] = [
    { optional: () => false, reps: () => 1, choice: () => 0 },
    { optional: () => true, reps: () => 1, choice: () => 0 },
    { optional: () => true, reps: () => 2, choice: () => 0 },
    { optional: () => true, reps: () => 3, choice: () => 0 },
  ];
  for (const [p, n] of oneofs) {
    for (let c = 1; c < n; c++) {
      policies.push({ optional: () => true, reps: () => 2, choice: (q) => (q === p ? c : 0) });
      policies.push({ optional: (q) => within(q, p), reps: () => 1, choice: (q) => (q === p ? c : 0) });
    }
  }
  for (const target of optionals) policies.push({ optional: (q) => within(q, target), reps: () => 2, choice: () => 0 });
  const seen = new Set<string>();
  const lines: string[][] = [];
  for (const pol of policies) {
    const line = [...head, ...build(args, pol)];
    const id = JSON.stringify(line);
    if (!seen.has(id)) {
      seen.add(id);
      lines.push(line);
    }
  }
  return lines;
}

// --- comparison ------------------------------------------------------------------------------------

interface KeyView {
  pos: string;
  access: string;
  flags: string;
}

function positionOf(line: string[], name: string): string {
  const at = line.map((t, i) => (t === name ? i : -1)).filter((i) => i > 0);
  return at.length === 1 ? String(at[0]) : `?${name}`;
}

/** Lines the server refuses although built from its own docs: each needs a reason here. */
const KNOWN_REFUSALS: { line: RegExp; reason: string }[] = [
  {
    line: /^MIGRATE \S+ \S+ key:\d+ .*\bKEYS key:/,
    reason: 'MIGRATE refuses KEYS unless its key argument is the empty string; the docs put key|"" in a oneof and KEYS in an independent optional',
  },
  {
    line: /^\S+$/,
    reason: 'COMMAND GETKEYSANDFLAGS needs at least one argument after the command name (its own arity is -4)',
  },
];

const norm = (ks: KeyView[]) => ks.map((k) => `${k.pos}/${k.access}/${k.flags}`).sort();

test('commands.json is what scripts/gen-commands.ts makes from this server', async (t) => {
  const fresh = await buildCommandTable((a) => redis().send(a));
  const onDisk = readFileSync(COMMANDS_JSON, 'utf8');
  const version = (JSON.parse(fresh) as { redisVersion: string }).redisVersion;
  const fileVersion = (JSON.parse(onDisk) as { redisVersion: string }).redisVersion;
  if (version !== fileVersion) {
    // A different server version legitimately differs; the key-finding test below still runs.
    t.diagnostic(`server is redis ${version}, commands.json was generated from ${fileVersion}: not compared`);
    return;
  }
  assert.equal(fresh, onDisk, 'regenerate with: npm run gen:commands');
});

test('commandKeys() agrees with COMMAND GETKEYSANDFLAGS for every command with key specs', async (t) => {
  const started = Date.now();
  const docs = docsArgs(await redis().send(['COMMAND', 'DOCS']));
  const withSpecs = allCommands().filter((c) => c.keySpecs.length > 0);

  interface Case {
    command: string;
    line: string[];
    ours: CommandKeys;
  }
  const cases: Case[] = [];
  const noDocs: string[] = [];
  for (const c of withSpecs) {
    const args = docs.get(c.name);
    if (!args) {
      noDocs.push(c.name);
      continue;
    }
    const head = c.container ? [c.container.toUpperCase(), c.name.split('|')[1].toUpperCase()] : [c.name.toUpperCase()];
    for (const line of sampleLines(head, args)) {
      const ours = commandKeys(line);
      assert.ok(ours, `commandKeys(${line.join(' ')}) is undefined`);
      assert.equal(ours.command, c.name);
      cases.push({ command: c.name, line, ours });
    }
  }
  // Hand-picked edge shapes beyond the docs' trees (lower-case keywords, repeated options, odd
  // arity); only the lines are hand-written, the expected keys come from the server.
  const extra: string[][] = [
    ['BITFIELD', 'k', 'OVERFLOW', 'WRAP'],
    ['bitfield', 'k', 'get', 'u8', '0', 'incrby', 'u8', '0', '1'],
    ['BITFIELD', 'k', 'GET', 'u8'],
    ['SORT', 'k', 'STORE', 'a', 'STORE', 'b'],
    ['SORT', 'k', 'LIMIT', '0', '1', 'STORE', 'd'],
    ['sort', 'k', 'store', 'd'],
    ['SORT', 'k', 'STORE'],
    ['SORT', 'k', 'LIMIT', 'STORE', 'x', 'STORE', 'd'],
    ['SET', 'k', 'v', 'get'],
    ['SET', 'k', 'GET'],
    ['xread', 'streams', 'a', 'b', '0', '0'],
    ['GEORADIUS', 'k', '1', '2', '3', 'm', 'store', 'd'],
    ['GEORADIUS', 'k', '1', '2', '3', 'm', 'STORE'],
    ['GEORADIUSBYMEMBER', 'k', 'm', '3', 'km', 'STOREDIST', 'd', 'STORE', 'e'],
    ['EVAL', 's', '3', 'a'],
    ['MSET', 'a', '1', 'b', '2'],
    ['DEL', 'a', 'b', 'c'],
    ['object', 'encoding', 'k'],
    ['ZUNIONSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2', 'AGGREGATE', 'SUM'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 'a', 'b', '>', '>'],
    ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', '5'],
    ['MIGRATE', 'h', '1', '', '0', '5', 'KEYS', 'a', 'b'],
  ];
  for (const line of extra) {
    const ours = commandKeys(line);
    assert.ok(ours, line.join(' '));
    cases.push({ command: ours.command, line, ours });
  }
  const replies = await redis().pipeline(cases.map((c) => ['COMMAND', 'GETKEYSANDFLAGS', ...c.line]));

  const perCommand = new Map<string, { agree: number; disagree: number; refused: number; incomplete: number }>();
  const withKeysFound = new Set<string>(); // commands where some exactly compared line had keys
  const disagreements: string[] = [];
  const refused: string[] = [];
  const unexplained: string[] = [];
  const incompleteNotes: string[] = [];
  let compared = 0;
  cases.forEach((c, i) => {
    const stat = perCommand.get(c.command) ?? { agree: 0, disagree: 0, refused: 0, incomplete: 0 };
    perCommand.set(c.command, stat);
    const reply = replies[i];
    const ours: KeyView[] = c.ours.keys.map((k) => ({ pos: String(k.argIndex), access: k.access, flags: [...k.flags].sort().join(',') }));
    let server: KeyView[];
    if (isRespError(reply)) {
      // Specs that are all not_key (shard channels): the server says there are no keys, and so do we.
      if (/has no key arguments/.test(reply.error) && ours.length === 0 && !c.ours.incomplete) {
        server = [];
      } else {
        stat.refused++;
        const known = KNOWN_REFUSALS.find((k) => k.line.test(c.line.join(' ')));
        (known ? refused : unexplained).push(
          `${c.line.join(' ')} -> ${reply.error}; ${known ? `reason: ${known.reason}` : 'NO KNOWN REASON'} (ours: ${JSON.stringify(norm(ours))}${c.ours.incomplete ? ', incomplete' : ''})`,
        );
        return;
      }
    } else {
      server = (reply as Reply[]).map((kv) => {
        const [name, flags] = kv as [string, string[]];
        return { pos: positionOf(c.line, name), access: keyAccessOfFlags(flags), flags: [...flags].sort().join(',') };
      });
    }
    const a = norm(ours);
    const b = norm(server);
    if (c.ours.incomplete) {
      // We said "incomplete": the server (which falls back to its per-command code) may know more.
      stat.incomplete++;
      if (JSON.stringify(a) !== JSON.stringify(b)) incompleteNotes.push(`${c.line.join(' ')}: ours ${JSON.stringify(a)} server ${JSON.stringify(b)}`);
      const serverAccess = new Map(server.map((k) => [k.pos, k.access]));
      for (const k of ours) {
        const s = serverAccess.get(k.pos);
        if (s !== undefined && s !== k.access) disagreements.push(`${c.line.join(' ')}: access at ${k.pos} ours ${k.access} server ${s}`);
      }
      return;
    }
    compared++;
    if (server.length) withKeysFound.add(c.command);
    if (process.env.KEYSLOT_DEBUG) t.diagnostic(`LINE ${c.line.join(' ')} => ${JSON.stringify(b)}`);
    if (JSON.stringify(a) === JSON.stringify(b)) stat.agree++;
    else {
      stat.disagree++;
      disagreements.push(`${c.line.join(' ')}: ours ${JSON.stringify(a)} server ${JSON.stringify(b)}`);
    }
  });

  const stats = [...perCommand.entries()];
  const agreeing = stats.filter(([, s]) => s.agree > 0 && s.disagree === 0).length;
  const onlyIncomplete = stats.filter(([, s]) => s.agree === 0 && s.disagree === 0 && s.incomplete > 0).map(([n]) => n);
  const onlyRefused = stats.filter(([, s]) => s.agree === 0 && s.disagree === 0 && s.incomplete === 0).map(([n]) => n);
  t.diagnostic(`${withSpecs.length} commands/subcommands with key specs; ${cases.length} sample lines; ${compared} compared exactly`);
  t.diagnostic(`commands checked exactly: ${agreeing + stats.filter(([, s]) => s.disagree > 0).length}, agreeing: ${agreeing}`);
  t.diagnostic(`commands whose samples are all incomplete (not compared exactly): ${onlyIncomplete.join(', ') || 'none'}`);
  t.diagnostic(`lines the server refused: ${refused.length + unexplained.length}; commands with only refused lines: ${onlyRefused.join(', ') || 'none'}`);
  for (const r of [...refused, ...unexplained]) t.diagnostic(`REFUSED ${r}`);
  for (const n of incompleteNotes) t.diagnostic(`INCOMPLETE ${n}`);
  for (const d of disagreements.slice(0, 20)) t.diagnostic(`DISAGREE ${d}`);
  t.diagnostic(`${Date.now() - started} ms`);

  assert.deepEqual(noDocs, [], 'commands without COMMAND DOCS arguments');
  const keyless = withSpecs.filter((c) => c.keySpecs.some((s) => !s.flags.includes('not_key')) && !withKeysFound.has(c.name)).map((c) => c.name);
  assert.deepEqual(keyless, [], 'commands never compared on a line that has keys');
  assert.deepEqual(disagreements, []);
  assert.deepEqual(unexplained, [], 'refusals without a known reason');
  assert.deepEqual(onlyRefused, [], 'every command has at least one line the server accepts');
  assert.ok(refused.length <= 10, `${refused.length} lines refused`);
  assert.ok(agreeing >= withSpecs.length - onlyIncomplete.length, 'every command with complete samples agrees');
  assert.ok(onlyIncomplete.length <= 3, `too many commands only checked loosely: ${onlyIncomplete}`);
});
