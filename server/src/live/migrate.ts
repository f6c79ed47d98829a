import * as fs from 'fs';
import { keySlot } from '../model/slot';
import { isRespError, Reply, RespClient } from './resp';

/*
 * `keyslot migrate`: moves stored data to the key names a tag fix gave it. RENAME and COPY fail
 * with CROSSSLOT when the new name hashes elsewhere, so each key is copied with DUMP and RESTORE
 * (keeping its remaining PTTL) to the primary of its new slot, and the old name is removed only
 * when asked, after the application has read both names for a while (the dual-read window).
 *
 * The plan (`keyslot.migrations.json`) pairs key patterns, `${name}` standing for a part that
 * varies: { "version": 1, "migrations": [ { "from": "user:${uid}:profile", "to": "{user:${uid}}:profile" } ] }.
 * Every old key is found by SCAN MATCH on every primary. Nothing is written without `apply`; a
 * key whose new name exists already is not copied again, so a run that stops half-way is resumed
 * by running it again.
 */

export class MigrationError extends Error {}

export interface Migration {
  from: string;
  to: string;
}

export interface PatternReport {
  from: string;
  to: string;
  /** old keys found */
  keys: number;
  /** MEMORY USAGE of the old keys, in bytes */
  bytes: number;
  /** of those, the ones whose new key exists already */
  migrated: number;
  /** copied by this run */
  copied: number;
  /** old keys removed by this run (`unlink`, only where the new key exists) */
  unlinked: number;
}

export interface MigrateOptions {
  /** HOST:PORT of any node of the cluster */
  seed: string;
  apply?: boolean;
  unlink?: boolean;
  /** stop after copying this many keys (throttling, or a run in parts) */
  limit?: number;
}

// `${uid}`, `${user.id}`, `${self.prefix}`: a hole as keyslot writes patterns
const HOLE = /\$\{([^}]+)\}/g;

export function readPlan(file: string): Migration[] {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new MigrationError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const d = doc as { version?: unknown; migrations?: unknown };
  if (!d || typeof d !== 'object' || d.version !== 1 || !Array.isArray(d.migrations)) throw new MigrationError(`${file}: expected { "version": 1, "migrations": [ { "from": …, "to": … } ] }`);
  return d.migrations.map((m: Migration, i: number) => {
    if (!m || typeof m.from !== 'string' || typeof m.to !== 'string') throw new MigrationError(`${file}: migration ${i + 1} needs "from" and "to" key patterns`);
    const holes = (p: string) => [...p.matchAll(HOLE)].map((x) => x[1]).sort();
    if (JSON.stringify(holes(m.from)) !== JSON.stringify([...new Set(holes(m.from))]) || JSON.stringify(holes(m.from)) !== JSON.stringify(holes(m.to)))
      throw new MigrationError(`${file}: migration ${i + 1}: "from" and "to" must name the same \${…} parts, each once (${m.from} → ${m.to})`);
    if (m.from === m.to) throw new MigrationError(`${file}: migration ${i + 1} renames ${m.from} to itself`);
    return { from: m.from, to: m.to };
  });
}

/** SCAN MATCH pattern of a key pattern: the literal parts escaped, each `${…}` any text. */
export function globOf(pattern: string): string {
  return pattern
    .split(HOLE)
    .map((part, i) => (i % 2 ? '*' : part.replace(/[*?[\]\\]/g, '\\$&')))
    .join('');
}

/** A regular expression (source, flag `s`) matching the old keys of a pattern, and the names its groups capture. */
export function matcherOf(m: Migration): { source: string; names: string[] } {
  const names: string[] = [];
  const source =
    '^' +
    m.from
      .split(HOLE)
      .map((part, i) => {
        if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(part);
        return '(.+?)';
      })
      .join('') +
    '$';
  return { source, names };
}

/** The new name of an old key, or undefined when the key does not fit the pattern. */
export function renamed(m: Migration, key: string): string | undefined {
  const { source, names } = matcherOf(m);
  const hit = new RegExp(source, 's').exec(key);
  if (!hit) return undefined;
  const values = new Map(names.map((n, i) => [n, hit[i + 1]]));
  return m.to.replace(HOLE, (_, n: string) => values.get(n)!);
}

/** The cluster as CLUSTER SLOTS says, with one connection per primary. */
class Cluster {
  private ranges: { start: number; end: number; node: string }[] = [];
  private conns = new Map<string, RespClient>();

  constructor(private seed: string) {}

  async refresh(): Promise<void> {
    const reply = await (await this.conn(this.seed)).send(['CLUSTER', 'SLOTS']);
    if (isRespError(reply)) throw new MigrationError(`${this.seed} is not a cluster node: ${reply.error}`);
    this.ranges = (reply as Reply[][]).map((r) => {
      const primary = r[2] as Reply[];
      return { start: Number(r[0]), end: Number(r[1]), node: `${String(primary[0]) || this.seed.split(':')[0]}:${Number(primary[1])}` };
    });
  }

  primaries(): string[] {
    return [...new Set(this.ranges.map((r) => r.node))];
  }

  nodeOf(key: string | Buffer): string {
    const slot = keySlot(typeof key === 'string' ? key : new Uint8Array(key));
    const r = this.ranges.find((x) => slot >= x.start && slot <= x.end);
    if (!r) throw new MigrationError(`slot ${slot} is served by no node (the cluster is not stable)`);
    return r.node;
  }

  async conn(node: string): Promise<RespClient> {
    let c = this.conns.get(node);
    if (!c) {
      const i = node.lastIndexOf(':');
      try {
        c = await RespClient.connect(Number(node.slice(i + 1)), node.slice(0, i), { buffers: true });
      } catch (e) {
        throw new MigrationError(`cannot connect to ${node}: ${(e as Error).message}`);
      }
      this.conns.set(node, c);
    }
    return c;
  }

  /** One command to the primary of `key`'s slot; a MOVED reply (a slot moved meanwhile) refreshes the map once. */
  async send(key: string | Buffer, args: (string | Buffer | number)[]): Promise<Reply> {
    let reply = await (await this.conn(this.nodeOf(key))).send(args);
    if (isRespError(reply) && /^(MOVED|ASK) /.test(reply.error)) {
      await this.refresh();
      reply = await (await this.conn(this.nodeOf(key))).send(args);
    }
    return reply;
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
  }
}

function check(reply: Reply, what: string): Reply {
  if (isRespError(reply)) throw new MigrationError(`${what}: ${reply.error}`);
  return reply;
}

export async function migrate(plan: Migration[], opts: MigrateOptions): Promise<PatternReport[]> {
  const cluster = new Cluster(opts.seed);
  const reports: PatternReport[] = [];
  let budget = opts.limit ?? Infinity;
  try {
    await cluster.refresh();
    for (const m of plan) {
      const report: PatternReport = { from: m.from, to: m.to, keys: 0, bytes: 0, migrated: 0, copied: 0, unlinked: 0 };
      reports.push(report);
      for (const node of cluster.primaries()) {
        const conn = await cluster.conn(node);
        let cursor = '0';
        do {
          const reply = check(await conn.send(['SCAN', cursor, 'MATCH', globOf(m.from), 'COUNT', 1000]), `SCAN on ${node}`) as unknown as [Buffer, Buffer[]];
          cursor = reply[0].toString();
          for (const raw of reply[1]) {
            const key = raw.toString('utf8');
            const target = renamed(m, key);
            if (target === undefined) continue; // the glob is wider than the pattern
            report.keys++;
            report.bytes += Number(check(await conn.send(['MEMORY', 'USAGE', raw]), `MEMORY USAGE ${key}`) ?? 0);
            let present = Number(check(await cluster.send(target, ['EXISTS', target]), `EXISTS ${target}`)) === 1;
            if (present) report.migrated++;
            else if (opts.apply && budget > 0) {
              // the value and what is left of its TTL, read together so the TTL cannot outlive the value
              const [payload, pttl] = (await conn.pipeline([['DUMP', raw], ['PTTL', raw]])) as unknown as [Buffer | null, number];
              if (payload === null) continue; // expired or deleted since the SCAN
              check(await cluster.send(target, ['RESTORE', target, pttl > 0 ? pttl : 0, payload]), `RESTORE ${target}`);
              report.copied++;
              budget--;
              present = true;
            }
            // the old name goes only when asked, and only once the new name holds the data
            if (opts.unlink && present) report.unlinked += Number(check(await conn.send(['UNLINK', raw]), `UNLINK ${key}`));
          }
        } while (cursor !== '0');
      }
    }
  } finally {
    cluster.close();
  }
  return reports;
}
