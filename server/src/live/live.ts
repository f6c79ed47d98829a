import type { KeyUse } from '../model/keyuse';
import { keySlot } from '../model/slot';
import { patternText } from '../model/pattern';
import { fromRanges, type Topology } from '../model/topology';
import { isRespError, Reply, RespClient, type Arg } from './resp';
import type { Auth } from './connection';

/*
 * `keyslot live`: the code's keys held against a real cluster, read-only by construction. Every
 * command goes through ReadOnlyClient, which refuses anything outside READ_ONLY before it is sent.
 * It reads the topology (CLUSTER SHARDS, or CLUSTER SLOTS before Redis 7), samples keys with SCAN
 * on every primary, matches each to the code's key patterns, and reports per pattern the sampled
 * keys, their memory and TTLs; the live keys no pattern explains; the patterns with no live key;
 * and the busiest slots of the sample with the patterns and code lines that map there.
 */

/** The only commands keyslot live sends (a command and, for containers, its subcommand); AUTH only on connecting. */
export const READ_ONLY = new Set(['CLUSTER SHARDS', 'CLUSTER SLOTS', 'CLUSTER COUNTKEYSINSLOT', 'SCAN', 'MEMORY USAGE', 'PTTL', 'INFO']);

/** What a node that wants credentials says, and what to do about it. */
const NEEDS_PASSWORD = 'the cluster asks for a password: set KEYSLOT_REDIS_PASSWORD (the CLI, any editor) or run "keyslot: Set Cluster Password" in VS Code';

export class LiveError extends Error {}

function commandOf(args: readonly Arg[]): string {
  const name = String(args[0]).toUpperCase();
  return name === 'CLUSTER' || name === 'MEMORY' ? `${name} ${String(args[1] ?? '').toUpperCase()}` : name;
}

/** A connection that can only read: a command outside READ_ONLY throws here and never reaches the server. */
export class ReadOnlyClient {
  private constructor(private readonly c: RespClient) {}

  /** Connects (over TLS when `auth.tls`) and authenticates when a password is given: AUTH is the one command sent outside READ_ONLY. */
  static async connect(address: string, auth: Auth = {}): Promise<ReadOnlyClient> {
    const i = address.lastIndexOf(':');
    const host = address.slice(0, i).replace(/^\[|\]$/g, '');
    let c: RespClient;
    try {
      c = await RespClient.connect(Number(address.slice(i + 1)), host, auth.tls ? { tls: auth.ca ? { ca: auth.ca } : {} } : {});
    } catch (e) {
      throw new LiveError(`cannot connect to ${address}${auth.tls ? ' over TLS' : ''}: ${(e as Error).message}`);
    }
    if (auth.password !== undefined) {
      const r = await c.send(auth.username ? ['AUTH', auth.username, auth.password] : ['AUTH', auth.password]).catch((e: Error) => ({ error: e.message }));
      if (isRespError(r)) {
        c.close();
        throw new LiveError(`${address}: authentication failed${auth.username ? ` for ${auth.username}` : ''}: ${r.error}`);
      }
    }
    return new ReadOnlyClient(c);
  }

  private check(args: readonly Arg[]): void {
    const name = commandOf(args);
    if (!READ_ONLY.has(name)) throw new LiveError(`refused to send ${name}: keyslot live only reads`);
  }

  async send(args: readonly Arg[]): Promise<Reply> {
    this.check(args);
    return noAuthError(await this.c.send(args));
  }

  async pipeline(commands: (readonly Arg[])[]): Promise<Reply[]> {
    for (const c of commands) this.check(c);
    const replies = await this.c.pipeline(commands);
    replies.forEach(noAuthError);
    return replies;
  }

  close(): void {
    this.c.close();
  }
}

/** A reply that says the node wants credentials ends the read with what to do. */
function noAuthError(r: Reply): Reply {
  if (isRespError(r) && /^NOAUTH/.test(r.error)) throw new LiveError(`${NEEDS_PASSWORD} (${r.error})`);
  return r;
}

export interface LiveNode {
  address: string;
  role: 'primary' | 'replica';
  slots: [number, number][];
  /** keys in the node's database (INFO keyspace) */
  keys: number;
}

export interface LivePattern {
  pattern: string;
  /** where the code uses it */
  uses: { file: string; line: number }[];
  /** sampled live keys that fit it */
  sampled: number;
  bytes: number;
  /** remaining TTL of the sampled keys, ms: the shortest and longest, and how many have none */
  ttl: { min: number | null; max: number | null; none: number };
  /** for a pattern with a fixed slot: the slot, its primary and its key count there (CLUSTER COUNTKEYSINSLOT) */
  slot?: { slot: number; node: string; keys: number };
}

export interface LiveReport {
  nodes: LiveNode[];
  /** keys sampled, over all primaries */
  sampled: number;
  patterns: LivePattern[];
  /** sampled keys no pattern of the code explains */
  unexplained: { count: number; examples: string[] };
  /** code patterns with no sampled key */
  unused: string[];
  /** the slots with the most sampled keys, with the patterns and code lines that map there */
  hotSlots: { slot: number; node: string; keys: number; patterns: string[]; code: { file: string; line: number }[] }[];
  /** nodes that could not be read (down, or gone mid-scan): the report covers the others */
  unreachable: { node: string; reason: string }[];
}

export interface LiveOptions {
  seed: string;
  /** TLS and credentials, for every node */
  auth?: Auth;
  /** keys to sample per primary */
  sample: number;
  /** file → line of an offset, for the code lines in the report */
  lineOf(file: string, offset: number): number;
}

type Pair = Reply[];

/** A flat [k, v, k, v] reply (CLUSTER SHARDS's maps in RESP2) as a lookup. */
function field(pairs: Pair, name: string): Reply | undefined {
  for (let i = 0; i + 1 < pairs.length; i += 2) if (String(pairs[i]) === name) return pairs[i + 1];
  return undefined;
}

/** The cluster's nodes as `seed` sees them; over TLS each node's address has its TLS port. */
async function topology(seed: ReadOnlyClient, seedAddress: string, tls = false): Promise<LiveNode[]> {
  const host = seedAddress.slice(0, seedAddress.lastIndexOf(':'));
  const shards = await seed.send(['CLUSTER', 'SHARDS']);
  const nodes: LiveNode[] = [];
  if (!isRespError(shards)) {
    for (const shard of shards as Pair[]) {
      const flat = (field(shard, 'slots') as Reply[] | undefined)?.map(Number) ?? [];
      const slots: [number, number][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) slots.push([flat[i], flat[i + 1]]);
      for (const n of (field(shard, 'nodes') as Pair[] | undefined) ?? []) {
        const ip = String(field(n, 'endpoint') ?? field(n, 'ip') ?? host);
        const port = Number((tls ? field(n, 'tls-port') : undefined) ?? field(n, 'port'));
        nodes.push({ address: `${ip === '?' || ip === '' ? host : ip}:${port}`, role: String(field(n, 'role')) === 'master' ? 'primary' : 'replica', slots: String(field(n, 'role')) === 'master' ? slots : [], keys: 0 });
      }
    }
    return nodes;
  }
  // before Redis 7: CLUSTER SLOTS, a primary and its replicas per range
  const ranges = await seed.send(['CLUSTER', 'SLOTS']);
  if (isRespError(ranges)) throw new LiveError(`${seedAddress} is not a cluster node: ${ranges.error}`);
  const byAddress = new Map<string, LiveNode>();
  for (const r of ranges as Reply[][]) {
    (r.slice(2) as Reply[][]).forEach((n, i) => {
      const address = `${String(n[0]) || host}:${Number(n[1])}`;
      const node = byAddress.get(address) ?? { address, role: i === 0 ? 'primary' : 'replica', slots: [], keys: 0 };
      if (i === 0) node.slots.push([Number(r[0]), Number(r[1])]);
      byAddress.set(address, node);
    });
  }
  return [...byAddress.values()];
}

/** A code pattern as a matcher for live keys; the more literal text, the more specific. */
function matcherOf(pattern: string): { re: RegExp; literal: number } | null {
  const parts = pattern.split(/\$\{[^}]*\}/);
  const literal = parts.join('').length;
  // a key that is all runtime values (`${key}`) says nothing about which live keys are its
  if (literal < 2) return null;
  return { re: new RegExp('^' + parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?') + '$', 's'), literal };
}

/** The slot owners of a running cluster (CLUSTER SHARDS), as keyslot's Topology: each primary named by its address. */
export async function liveTopology(seed: string, timeoutMs: number, auth: Auth = {}): Promise<Topology> {
  let timer: NodeJS.Timeout | undefined;
  let client: ReadOnlyClient | undefined;
  // an address that does not answer must not hold anything up: give up after timeoutMs
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new LiveError(`${seed} did not answer within ${timeoutMs / 1000} s`)), timeoutMs)));
  try {
    return await Promise.race([
      (async () => {
        client = await ReadOnlyClient.connect(seed, auth);
        const nodes = await topology(client, seed, !!auth.tls);
        const ranges = nodes.flatMap((n) => (n.role === 'primary' ? n.slots.map(([start, end]) => ({ start, end, node: n.address })) : []));
        return fromRanges(ranges, `the live cluster at ${seed}`);
      })(),
      timeout,
    ]);
  } catch (e) {
    throw e instanceof LiveError ? e : new LiveError(`${seed}: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
    client?.close();
  }
}

/** Keys per slot (CLUSTER COUNTKEYSINSLOT on each slot's primary), for at most `max` slots; within `timeoutMs` in all. */
export async function liveSlotKeys(topology: Topology, slots: number[], timeoutMs: number, auth: Auth = {}, max = 500): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const deadline = Date.now() + timeoutMs;
  const byNode = new Map<string, number[]>();
  for (const slot of [...new Set(slots)].slice(0, max)) {
    const node = topology.ranges.find((r) => slot >= r.start && slot <= r.end)?.node;
    if (node) byNode.set(node, [...(byNode.get(node) ?? []), slot]);
  }
  for (const [node, list] of byNode) {
    if (Date.now() > deadline) break;
    const c = await ReadOnlyClient.connect(node, auth);
    try {
      const counts = await c.pipeline(list.map((slot) => ['CLUSTER', 'COUNTKEYSINSLOT', slot]));
      list.forEach((slot, i) => {
        if (typeof counts[i] === 'number') out.set(slot, counts[i] as number);
      });
    } finally {
      c.close();
    }
  }
  return out;
}

export async function live(uses: KeyUse[], opts: LiveOptions): Promise<LiveReport> {
  const seed = await ReadOnlyClient.connect(opts.seed, opts.auth);
  const clients = new Map<string, ReadOnlyClient>([[opts.seed, seed]]);
  const client = async (address: string) => {
    let c = clients.get(address);
    if (!c) clients.set(address, (c = await ReadOnlyClient.connect(address, opts.auth)));
    return c;
  };
  try {
    const nodes = await topology(seed, opts.seed, !!opts.auth?.tls);
    const ownerOf = (slot: number) => nodes.find((n) => n.role === 'primary' && n.slots.some(([a, b]) => slot >= a && slot <= b))?.address ?? '?';
    // a node that is down, or goes down mid-scan, is reported; the others still are
    const unreachable = new Map<string, string>();
    const tryNode = async (node: string, read: () => Promise<void>) => {
      if (unreachable.has(node)) return;
      try {
        await read();
      } catch (e) {
        unreachable.set(node, (e as Error).message);
      }
    };
    for (const n of nodes) {
      await tryNode(n.address, async () => {
        const info = await (await client(n.address)).send(['INFO', 'keyspace']);
        n.keys = Number(/keys=(\d+)/.exec(String(info))?.[1] ?? 0);
      });
    }
    // the code's patterns, each with its uses
    const byPattern = new Map<string, { p: LivePattern; m: ReturnType<typeof matcherOf>; slot: number | null }>();
    for (const u of uses) {
      const text = patternText(u.pattern);
      let e = byPattern.get(text);
      if (!e) byPattern.set(text, (e = { p: { pattern: text, uses: [], sampled: 0, bytes: 0, ttl: { min: null, max: null, none: 0 } }, m: matcherOf(text), slot: u.hash.slot }));
      e.p.uses.push({ file: u.file, line: opts.lineOf(u.file, u.span.start) });
    }
    const matchers = [...byPattern.values()].filter((e) => e.m).sort((a, b) => b.m!.literal - a.m!.literal);
    const unexplained: string[] = [];
    const perSlot = new Map<number, { keys: number; patterns: Set<string> }>();
    let sampled = 0;
    // the nodes that serve slots: a replica that CLUSTER SHARDS still calls a master while it syncs holds copies, not more keys
    for (const n of nodes.filter((x) => x.role === 'primary' && x.slots.length)) {
      await tryNode(n.address, async () => {
        const c = await client(n.address);
        let cursor = '0';
        let taken = 0;
        do {
          const reply = (await c.send(['SCAN', cursor, 'COUNT', Math.min(1000, opts.sample)])) as [string, string[]];
          if (isRespError(reply)) throw new LiveError(`SCAN on ${n.address}: ${(reply as { error: string }).error}`);
          cursor = String(reply[0]);
          const keys = reply[1].slice(0, opts.sample - taken);
          taken += keys.length;
          sampled += keys.length;
          const facts = await c.pipeline(keys.flatMap((k) => [['MEMORY', 'USAGE', k], ['PTTL', k]]));
          keys.forEach((key, i) => {
            const slot = keySlot(key);
            const at = perSlot.get(slot) ?? { keys: 0, patterns: new Set<string>() };
            at.keys++;
            perSlot.set(slot, at);
            const hit = matchers.find((e) => e.m!.re.test(key));
            if (!hit) {
              unexplained.push(key);
              return;
            }
            at.patterns.add(hit.p.pattern);
            const p = hit.p;
            p.sampled++;
            p.bytes += Number(facts[2 * i]) || 0;
            const ttl = Number(facts[2 * i + 1]);
            if (ttl < 0) p.ttl.none++;
            else {
              p.ttl.min = p.ttl.min === null ? ttl : Math.min(p.ttl.min, ttl);
              p.ttl.max = p.ttl.max === null ? ttl : Math.max(p.ttl.max, ttl);
            }
          });
        } while (cursor !== '0' && taken < opts.sample);
      });
    }
    // a pattern with a fixed slot: every key of it is in that slot, counted there
    for (const e of byPattern.values()) {
      if (e.slot === null) continue;
      const node = ownerOf(e.slot);
      const slot = e.slot;
      await tryNode(node, async () => {
        const count = node === '?' ? 0 : Number(await (await client(node)).send(['CLUSTER', 'COUNTKEYSINSLOT', slot]));
        e.p.slot = { slot, node, keys: count };
      });
    }
    const patterns = [...byPattern.values()].map((e) => e.p);
    const hotSlots = [...perSlot]
      .sort((a, b) => b[1].keys - a[1].keys || a[0] - b[0])
      .slice(0, 5)
      .map(([slot, x]) => ({
        slot,
        node: ownerOf(slot),
        keys: x.keys,
        patterns: [...x.patterns].sort(),
        code: [...x.patterns].flatMap((p) => byPattern.get(p)!.p.uses),
      }));
    return {
      nodes,
      sampled,
      patterns,
      unexplained: { count: unexplained.length, examples: unexplained.sort().slice(0, 10) },
      unused: patterns.filter((p) => p.sampled === 0 && !(p.slot && p.slot.keys > 0)).map((p) => p.pattern),
      hotSlots,
      unreachable: [...unreachable].map(([node, reason]) => ({ node, reason })),
    };
  } finally {
    for (const c of clients.values()) c.close();
  }
}
