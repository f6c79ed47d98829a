import * as fs from 'fs';
import * as path from 'path';

/*
 * Synthetic workspaces for the benchmark: N source files in six languages (+ a few .redis), of
 * which a configurable share really use a Redis client in that library's idiom (shapes copied
 * from examples/shop). The rest is ordinary code full of look-alikes - dict/Map/HashMap caches
 * keyed like "user:1", HTTP handlers, JSON - because that is what a real repository mostly is
 * and what a scanner must get through quickly without reporting anything.
 *
 * Deterministic: every file is drawn from its own PRNG seeded by (seed, file index), so the
 * same options always give byte-identical trees.
 */

/** Bump when the generated text changes, so cached trees are regenerated. */
export const GENERATOR_VERSION = 1;

export interface GenerateOptions {
  files: number;
  /** share of files with real Redis client calls (0..1) */
  redisShare: number;
  seed: number;
  /** share of ~5,000-line files */
  bigShare: number;
}

export const DEFAULT_GENERATE: GenerateOptions = { files: 10000, redisShare: 0.05, seed: 1, bigShare: 0.003 };

export interface GeneratedStats {
  files: number;
  redisFiles: number;
  bigFiles: number;
  lines: number;
  bytes: number;
  byLanguage: Record<string, number>;
}

/** mulberry32: tiny, fast and good enough for test data. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

function mix(seed: number, i: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.imul(h, 0x27d4eb2f) >>> 0;
}

type Lang = 'python' | 'javascript' | 'typescript' | 'go' | 'java' | 'lua';
const LANG_WEIGHTS: [Lang, number][] = [['python', 24], ['javascript', 16], ['typescript', 26], ['go', 16], ['java', 16], ['lua', 2]];
const ENTITIES = ['user', 'order', 'cart', 'session', 'product', 'invoice', 'account', 'tenant', 'job', 'stock', 'coupon', 'review', 'device', 'team'];
const FIELDS = ['profile', 'settings', 'items', 'status', 'total', 'count', 'last_seen', 'tags', 'history', 'lock', 'meta', 'queue', 'views', 'flags'];
const NOUNS = ['report', 'invoice', 'payment', 'customer', 'shipment', 'widget', 'ticket', 'metric', 'upload', 'search', 'audit', 'billing', 'profile', 'export'];

/** One key as a spec; each language renders it in one of its idioms. */
interface KeySpec {
  entity: string;
  field: string;
  tagged: boolean;
  style: 'literal' | 'interp' | 'concat' | 'format';
  v: string;
}

interface FileCtx {
  rng: Rng;
  /** unique per file, keeps generated names apart */
  n: number;
  rel: string;
  redis: boolean;
  /** which client flavour this file uses (per language) */
  flavour: number;
  /** module-level declarations blocks ask for (scripts, constants), emitted after the header */
  decls: string[];
}

interface Kit {
  dir: string;
  ext: string;
  header(c: FileCtx): string[];
  redisBlock(c: FileCtx, i: number): string[];
  plainBlock(c: FileCtx, i: number): string[];
  footer(c: FileCtx): string[];
}

function keySpec(r: Rng, v: string, entity = r.pick(ENTITIES), tagged = r.chance(0.5)): KeySpec {
  return { entity, field: r.pick(FIELDS), tagged, style: r.pick(['literal', 'interp', 'interp', 'concat', 'format'] as const), v };
}

/** Keys for a multi-key call: same tag (fine on a cluster) or different entities (CROSSSLOT). */
function keyGroup(r: Rng, v: string, count: number): KeySpec[] {
  const shared = r.chance(0.5) ? r.pick(ENTITIES) : undefined;
  return Array.from({ length: count }, () => keySpec(r, v, shared ?? r.pick(ENTITIES), shared ? true : r.chance(0.3)));
}

const literalKey = (k: KeySpec) => (k.tagged ? `{${k.entity}:1001}:${k.field}` : `${k.entity}:1001:${k.field}`);

function pyKey(k: KeySpec): string {
  const [a, b] = k.tagged ? [`{${k.entity}:`, `}:${k.field}`] : [`${k.entity}:`, `:${k.field}`];
  switch (k.style) {
    case 'literal':
      return `"${literalKey(k)}"`;
    case 'interp':
      return `f"${a.replace(/[{}]/g, (x) => x + x)}{${k.v}}${b.replace(/[{}]/g, (x) => x + x)}"`;
    case 'concat':
      return `"${a}" + str(${k.v}) + "${b}"`;
    case 'format':
      return k.tagged ? `"{{${k.entity}:{}}}:${k.field}".format(${k.v})` : `"${a}%s${b}" % ${k.v}`;
  }
}

function jsKey(k: KeySpec): string {
  const [a, b] = k.tagged ? [`{${k.entity}:`, `}:${k.field}`] : [`${k.entity}:`, `:${k.field}`];
  if (k.style === 'literal') return `"${literalKey(k)}"`;
  if (k.style === 'concat') return `"${a}" + ${k.v} + "${b}"`;
  return `\`${a}\${${k.v}}${b}\``;
}

function goKey(k: KeySpec): string {
  const [a, b] = k.tagged ? [`{${k.entity}:`, `}:${k.field}`] : [`${k.entity}:`, `:${k.field}`];
  if (k.style === 'literal') return `"${literalKey(k)}"`;
  if (k.style === 'concat') return `"${a}" + ${k.v} + "${b}"`;
  return `fmt.Sprintf("${a}%s${b}", ${k.v})`;
}

function javaKey(k: KeySpec): string {
  const [a, b] = k.tagged ? [`{${k.entity}:`, `}:${k.field}`] : [`${k.entity}:`, `:${k.field}`];
  if (k.style === 'literal') return `"${literalKey(k)}"`;
  if (k.style === 'format') return `String.format("${a}%s${b}", ${k.v})`;
  return `"${a}" + ${k.v} + "${b}"`;
}

const MULTI_KEY = ['mget', 'sdiff', 'sinter', 'sunionstore', 'rename', 'del', 'smove'] as const;
const LUA_BODY = [
  "local n = tonumber(redis.call('GET', KEYS[1]) or '0')",
  'if n < tonumber(ARGV[1]) then',
  '  return 0',
  'end',
  "redis.call('DECRBY', KEYS[1], ARGV[1])",
  "redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[1])",
  'return 1',
];

// ---------------------------------------------------------------- Python (redis-py)

const python: Kit = {
  dir: 'py/app',
  ext: '.py',
  header(c) {
    const lines = ['import json', 'import os', 'import time', 'from collections import defaultdict', ''];
    if (c.redis) {
      lines.push(c.flavour === 0 ? 'from redis.cluster import RedisCluster' : 'import redis', 'from app.keys import SESSION_PREFIX, profile_key', '');
      lines.push(c.flavour === 0 ? 'rc = RedisCluster(host="redis-cluster.internal", port=6379, read_from_replicas=True)' : 'rc = redis.RedisCluster(host="redis-cluster.internal", port=6379)');
    } else {
      lines.push('import requests', 'from flask import Flask, jsonify, request', '', 'app = Flask(__name__)');
      if (c.rng.chance(0.1)) lines.push('REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379")  # read by the worker');
    }
    lines.push('cache = {}', 'counters = defaultdict(int)', 'API_BASE = os.environ.get("API_BASE", "http://api.internal")', '');
    return lines;
  },
  redisBlock(c, i) {
    const r = c.rng;
    const name = `${r.pick(NOUNS)}_${c.n}_${i}`;
    const body: string[] = [];
    const ops = r.int(1, 3);
    for (let o = 0; o < ops; o++) {
      const kind = r.int(0, 7);
      if (kind === 0) body.push(`    raw = rc.get(${pyKey(keySpec(r, 'uid'))})`, '    data = json.loads(raw) if raw else data');
      else if (kind === 1) body.push(`    rc.set(${pyKey(keySpec(r, 'oid'))}, json.dumps(data), ex=${r.int(60, 86400)})`);
      else if (kind === 2) {
        const k = pyKey(keySpec(r, 'uid'));
        body.push(`    rc.hset(${k}, mapping={"qty": 1, "at": int(time.time())})`, `    data = rc.hgetall(${k})`);
      } else if (kind === 3) {
        const cmd = r.pick(MULTI_KEY);
        const keys = keyGroup(r, 'uid', cmd === 'sunionstore' ? 3 : 2).map(pyKey);
        body.push(cmd === 'smove' ? `    rc.smove(${keys.join(', ')}, oid)` : `    data = rc.${cmd === 'del' ? 'delete' : cmd}(${keys.join(', ')})`);
      } else if (kind === 4) {
        const keys = keyGroup(r, 'uid', 3).map(pyKey);
        body.push(`    with rc.pipeline(transaction=${r.chance(0.5) ? 'True' : 'False'}) as pipe:`, `        pipe.hgetall(${keys[0]})`, `        pipe.incr(${keys[1]})`, `        pipe.expire(${keys[2]}, 60)`, '        data = pipe.execute()');
      } else if (kind === 5) {
        c.decls.push(`SCRIPT_${c.n}_${i}_${o} = """`, ...LUA_BODY, '"""', `script_${c.n}_${i}_${o} = rc.register_script(SCRIPT_${c.n}_${i}_${o})`, '');
        body.push(`    data = script_${c.n}_${i}_${o}(keys=[${keyGroup(r, 'uid', 2).map(pyKey).join(', ')}], args=[1, oid])`);
      } else if (kind === 6) body.push(`    rc.expire(SESSION_PREFIX + str(uid), 3600)`, `    data = rc.get(profile_key(uid))`);
      else body.push(`    data = rc.execute_command("MGET", ${keyGroup(r, 'oid', 2).map(pyKey).join(', ')})`);
    }
    return [`def ${name}(uid, oid, data=None):`, ...body, '    return data', '', ''];
  },
  plainBlock(c, i) {
    const r = c.rng;
    const noun = r.pick(NOUNS);
    const name = `${noun}_${c.n}_${i}`;
    switch (r.int(0, 4)) {
      case 0:
        return [`def cached_${name}(${noun}_id):`, `    value = cache.get("${noun}:1")`, '    if value is None:', `        resp = requests.get(f"{API_BASE}/${noun}s/{${noun}_id}", timeout=${r.int(1, 9)})`, '        value = resp.json()', `        cache["${noun}:%s" % ${noun}_id] = value`, `    counters["${noun}:hits"] += 1`, '    return value', '', ''];
      case 1:
        return [`@app.route("/api/${noun}s/<item_id>", methods=["GET"])`, `def get_${name}(item_id):`, '    fields = request.args.get("fields", "id,name").split(",")', `    record = cache.get(f"${noun}:{item_id}", {})`, '    out = {f: record.get(f) for f in fields}', '    if not out:', '        return jsonify({"error": "not found"}), 404', '    return jsonify(out)', '', ''];
      case 2:
        return [`class ${cap(noun)}${c.n}x${i}:`, '    def __init__(self, items):', '        self.items = list(items)', '        self.index = {}', '', '    def add(self, key, value):', '        self.index.setdefault(key, []).append(value)', '        self.items.append(value)', '', '    def get(self, key, default=None):', '        return self.index.get(key, default)', '', '    def total(self):', `        return sum(x.get("amount", ${r.int(0, 9)}) for x in self.items)`, '', ''];
      case 3:
        return [`def summarize_${name}(rows):`, '    by_key = defaultdict(list)', '    for row in rows:', `        by_key[row.get("${noun}", "other")].append(row)`, '    result = []', '    for key, group in sorted(by_key.items()):', '        total = sum(r.get("value", 0) for r in group)', '        result.append({"key": key, "total": total, "n": len(group)})', '    return json.dumps(result, indent=2)', '', ''];
      default:
        return [`def settings_${name}(user_id):`, '    return {', `        "theme": cache.get(f"{{user:{user_id}}}:settings", {}).get("theme", "light"),`, '        "debug": os.getenv("DEBUG") == "1",', `        "limit": int(os.environ.get("${noun.toUpperCase()}_LIMIT", "${r.int(10, 500)}")),`, '    }', '', ''];
    }
  },
  footer: () => [],
};

// ---------------------------------------------------------------- JavaScript / TypeScript (ioredis, node-redis)

function jsKit(typed: boolean): Kit {
  const t = (s: string) => (typed ? s : '');
  // flavour 0: ioredis Cluster; 1: node-redis createCluster
  return {
    dir: typed ? 'ts/src' : 'js/src',
    ext: typed ? '.ts' : '.js',
    header(c) {
      const depth = c.rel.split('/').length - 3;
      const keys = '../'.repeat(depth) + 'keys';
      const lines: string[] = [];
      if (c.redis && c.flavour === 0) {
        lines.push(typed ? 'import Redis from "ioredis";' : 'const Redis = require("ioredis");');
        lines.push(typed ? `import { sessionKey } from "${keys}";` : `const { sessionKey } = require("${keys}");`, '');
        lines.push('const cluster = new Redis.Cluster([', '  { host: "redis-0.internal", port: 6379 },', '  { host: "redis-1.internal", port: 6379 },', '], { scaleReads: "slave" });');
      } else if (c.redis) {
        lines.push(typed ? 'import { createCluster } from "redis";' : 'const { createCluster } = require("redis");');
        lines.push(typed ? `import { sessionKey } from "${keys}";` : `const { sessionKey } = require("${keys}");`, '');
        lines.push('const cluster = createCluster({', '  rootNodes: [{ url: "redis://redis-0.internal:6379" }, { url: "redis://redis-1.internal:6379" }],', '});');
      } else {
        lines.push(typed ? 'import express from "express";' : 'const express = require("express");', '');
        lines.push('const app = express();');
        if (c.rng.chance(0.1)) lines.push('const REDIS_URL = process.env.REDIS_URL ?? "redis://localhost:6379"; // used by the worker');
      }
      lines.push(`const cache = new Map${t('<string, unknown>')}();`, `const counters${t(': Record<string, number>')} = {};`, '');
      return lines;
    },
    redisBlock(c, i) {
      const r = c.rng;
      const ioredis = c.flavour === 0;
      const name = `${r.pick(NOUNS)}${c.n}x${i}`;
      const body: string[] = [];
      for (let o = 0, ops = r.int(1, 3); o < ops; o++) {
        const kind = r.int(0, 6);
        if (kind === 0) body.push(`  data = await cluster.get(${jsKey(keySpec(r, 'uid'))});`);
        else if (kind === 1) body.push(ioredis ? `  await cluster.set(${jsKey(keySpec(r, 'oid'))}, JSON.stringify(data), "EX", ${r.int(60, 86400)});` : `  await cluster.set(${jsKey(keySpec(r, 'oid'))}, JSON.stringify(data), { EX: ${r.int(60, 86400)} });`);
        else if (kind === 2) {
          const cmd = r.pick(MULTI_KEY);
          const keys = keyGroup(r, 'uid', cmd === 'sunionstore' ? 3 : 2).map(jsKey);
          if (ioredis) body.push(`  data = await cluster.${cmd}(${keys.join(', ')}${cmd === 'smove' ? ', oid' : ''});`);
          else if (cmd === 'rename' || cmd === 'smove') body.push(`  data = await cluster.${cmd === 'rename' ? 'rename' : 'sMove'}(${keys.join(', ')}${cmd === 'smove' ? ', oid' : ''});`);
          else body.push(`  data = await cluster.${{ mget: 'mGet', sdiff: 'sDiff', sinter: 'sInter', sunionstore: 'sUnionStore', del: 'del' }[cmd]}(${cmd === 'sunionstore' ? `${keys[0]}, [${keys.slice(1).join(', ')}]` : `[${keys.join(', ')}]`});`);
        } else if (kind === 3) {
          const keys = keyGroup(r, 'uid', 2).map(jsKey);
          const chain = ioredis && r.chance(0.5) ? 'pipeline' : 'multi';
          body.push(`  data = await cluster`, `    .${chain}()`, `    .incr(${keys[0]})`, `    .${ioredis ? 'hgetall' : 'hGetAll'}(${keys[1]})`, '    .exec();');
        } else if (kind === 4 && ioredis) {
          c.decls.push(`cluster.defineCommand("move${c.n}x${i}x${o}", {`, '  numberOfKeys: 2,', '  lua: `', ...LUA_BODY.map((l) => '    ' + l), '  `,', '});', '');
          body.push(`  data = await cluster.move${c.n}x${i}x${o}(${keyGroup(r, 'uid', 2).map(jsKey).join(', ')}, 1, oid);`);
        } else if (kind === 4) {
          const keys = keyGroup(r, 'uid', 3).map(jsKey);
          body.push(`  data = await cluster.sendCommand(${keys[0]}, false, ["SUNIONSTORE", ${keys.join(', ')}]);`);
        } else if (kind === 5) body.push(`  await cluster.expire(sessionKey(uid), 3600);`);
        else body.push(ioredis ? `  data = await cluster.call("MGET", ${keyGroup(r, 'oid', 2).map(jsKey).join(', ')});` : `  data = await cluster.${ioredis ? 'hgetall' : 'hGetAll'}(${jsKey(keySpec(r, 'oid'))});`);
      }
      return [`export async function ${name}(uid${t(': string')}, oid${t(': string')}, data${t('?: unknown')})${t(': Promise<unknown>')} {`, ...body, '  return data;', '}', ''];
    },
    plainBlock(c, i) {
      const r = c.rng;
      const noun = r.pick(NOUNS);
      const name = `${noun}${c.n}x${i}`;
      switch (r.int(0, 4)) {
        case 0:
          return [`export function cached${cap(name)}(id${t(': string')})${t(': unknown')} {`, `  if (!cache.has(\`${noun}:\${id}\`)) {`, `    cache.set(\`${noun}:\${id}\`, { id, loadedAt: Date.now() });`, '  }', `  counters["${noun}:hits"] = (counters["${noun}:hits"] ?? 0) + 1;`, `  return cache.get("${noun}:1");`, '}', ''];
        case 1:
          return [`app.get("/api/${noun}s/:id", async (req${t(': any')}, res${t(': any')}) => {`, `  const response = await fetch(\`https://api.example.com/${noun}s/\${req.params.id}\`);`, '  const body = await response.json();', '  const etag = response.headers.get("etag");', `  cache.set(\`${noun}:\${req.params.id}\`, body);`, '  res.set("ETag", etag ?? "");', '  res.json({ ...body, fetchedAt: new Date().toISOString() });', '});', ''];
        case 2:
          return [
            ...(typed ? [`interface ${cap(name)}Row {`, '  key: string;', '  value: number;', '  tags?: string[];', '}', ''] : []),
            `export class ${cap(name)}Index {`,
            `  ${t("private readonly ")}byKey = new Map${t(`<string, ${cap(name)}Row[]>`)}();`,
            `  add(row${t(`: ${cap(name)}Row`)})${t(': void')} {`,
            '    const list = this.byKey.get(row.key) ?? [];',
            '    list.push(row);',
            '    this.byKey.set(row.key, list);',
            '  }',
            `  total(key${t(': string')})${t(': number')} {`,
            `    return (this.byKey.get(key) ?? []).reduce((s, r) => s + r.value, ${r.int(0, 9)});`,
            '  }',
            '}',
            '',
          ];
        case 3:
          return [`export function summarize${cap(name)}(rows${t(': Array<Record<string, number>>')})${t(': string')} {`, '  const totals = new Map();', '  for (const row of rows) {', `    const key = String(row["${noun}"] ?? "other");`, '    totals.set(key, (totals.get(key) ?? 0) + (row.value ?? 0));', '  }', '  const out = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([key, total]) => ({ key, total }));', '  return JSON.stringify(out, null, 2);', '}', ''];
        default:
          return [`export function settings${cap(name)}(userId${t(': string')}, labels${t(': Map<string, string>')}) {`, '  return {', '    title: labels.get("key") ?? "Untitled",', '    stored: typeof localStorage !== "undefined" ? localStorage.getItem(`user:${userId}`) : null,', `    limit: Number(process.env.${noun.toUpperCase()}_LIMIT ?? ${r.int(10, 500)}),`, '  };', '}', ''];
      }
    },
    footer: () => [],
  };
}

// ---------------------------------------------------------------- Go (go-redis)

const go: Kit = {
  dir: 'go/internal',
  ext: '.go',
  header(c) {
    const pkg = path.basename(path.dirname(c.rel)).replace(/[^a-z0-9]/g, '');
    const lines = [`package ${pkg}`, '', 'import (', '\t"context"', '\t"encoding/json"', '\t"fmt"', '\t"net/http"', '\t"sync"', '\t"time"'];
    if (c.redis) lines.push('', '\t"github.com/redis/go-redis/v9"');
    lines.push(')', '');
    if (c.redis) {
      lines.push(`type Store${c.n} struct {`, '\trdb *redis.ClusterClient', '}', '', `func NewStore${c.n}() *Store${c.n} {`, '\trdb := redis.NewClusterClient(&redis.ClusterOptions{', '\t\tAddrs: []string{"redis-0.internal:6379", "redis-1.internal:6379"},', '\t})', `\treturn &Store${c.n}{rdb: rdb}`, '}', '');
    }
    lines.push(`type memo${c.n} struct {`, '\tmu      sync.RWMutex', '\tentries map[string]string', '}', '', `func (m *memo${c.n}) Get(key string) (string, bool) {`, '\tm.mu.RLock()', '\tdefer m.mu.RUnlock()', '\tv, ok := m.entries[key]', '\treturn v, ok', '}', '', `func (m *memo${c.n}) Set(key, value string) {`, '\tm.mu.Lock()', '\tm.entries[key] = value', '\tm.mu.Unlock()', '}', '');
    return lines;
  },
  redisBlock(c, i) {
    const r = c.rng;
    const body: string[] = [];
    for (let o = 0, ops = r.int(1, 3); o < ops; o++) {
      const kind = r.int(0, 5);
      if (kind === 0) body.push(`\tif v, err := s.rdb.Get(ctx, ${goKey(keySpec(r, 'uid'))}).Result(); err == nil {`, '\t\tout = append(out, v)', '\t}');
      else if (kind === 1) body.push(`\ts.rdb.Set(ctx, ${goKey(keySpec(r, 'oid'))}, payload, ${r.int(1, 48)}*time.Hour)`);
      else if (kind === 2) {
        const cmd = r.pick(MULTI_KEY);
        const keys = keyGroup(r, 'uid', cmd === 'sunionstore' ? 3 : 2).map(goKey);
        const method = { mget: 'MGet', sdiff: 'SDiff', sinter: 'SInter', sunionstore: 'SUnionStore', rename: 'Rename', del: 'Del', smove: 'SMove' }[cmd];
        body.push(`\tif res := s.rdb.${method}(ctx, ${keys.join(', ')}${cmd === 'smove' ? ', oid' : ''}); res.Err() != nil {`, '\t\treturn nil, res.Err()', '\t}');
      } else if (kind === 3) {
        const keys = keyGroup(r, 'uid', 2).map(goKey);
        body.push(`\tif _, err := s.rdb.${r.chance(0.5) ? 'TxPipelined' : 'Pipelined'}(ctx, func(pipe redis.Pipeliner) error {`, `\t\tpipe.Incr(ctx, ${keys[0]})`, `\t\tpipe.Expire(ctx, ${keys[1]}, time.Minute)`, '\t\treturn nil', '\t}); err != nil {', '\t\treturn nil, err', '\t}');
      } else if (kind === 4) {
        c.decls.push(`var script${c.n}x${i}x${o} = redis.NewScript(\``, ...LUA_BODY, '`)', '');
        body.push(`\tif err := script${c.n}x${i}x${o}.Run(ctx, s.rdb, []string{${keyGroup(r, 'uid', 2).map(goKey).join(', ')}}, 1, oid).Err(); err != nil {`, '\t\treturn nil, err', '\t}');
      } else body.push(`\ts.rdb.Do(ctx, "SUNIONSTORE", ${keyGroup(r, 'oid', 3).map(goKey).join(', ')})`);
    }
    return [`func (s *Store${c.n}) ${cap(r.pick(NOUNS))}${i}(ctx context.Context, uid, oid, payload string) ([]string, error) {`, '\tvar out []string', ...body, '\treturn out, nil', '}', ''];
  },
  plainBlock(c, i) {
    const r = c.rng;
    const noun = r.pick(NOUNS);
    const name = `${cap(noun)}${i}`;
    switch (r.int(0, 3)) {
      case 0:
        return [`func warm${name}(m *memo${c.n}) {`, `\tlabels := map[string]string{"${noun}:1": "Ada", "order:42:status": "paid"}`, `\tm.Set("${noun}:1", labels["${noun}:1"])`, `\tif v, ok := m.Get("order:42:status"); !ok || v == "" {`, '\t\tm.Set("order:42:status", labels["order:42:status"])', '\t}', '\tvar seen sync.Map', '\tseen.Store("session:abc", true)', '}', ''];
      case 1:
        return [`func handle${name}(w http.ResponseWriter, r *http.Request) {`, '\tid := r.URL.Query().Get("id")', '\tif id == "" {', '\t\thttp.Error(w, "missing id", http.StatusBadRequest)', '\t\treturn', '\t}', `\tbody := map[string]interface{}{"id": id, "kind": "${noun}", "at": time.Now().Unix()}`, '\tw.Header().Set("Content-Type", "application/json")', '\t_ = json.NewEncoder(w).Encode(body)', '}', ''];
      case 2:
        return [`type ${name}Row struct {`, '\tKey   string', '\tValue float64', '}', '', `func total${name}(rows []${name}Row) map[string]float64 {`, '\tout := make(map[string]float64)', '\tfor _, row := range rows {', '\t\tout[row.Key] += row.Value', '\t}', `\tout["${noun}:total"] = float64(len(rows)) * ${r.int(1, 9)}`, '\treturn out', '}', ''];
      default:
        return [`func describe${name}(ctx context.Context, id int64) string {`, '\tselect {', '\tcase <-ctx.Done():', '\t\treturn ""', '\tdefault:', '\t}', `\treturn fmt.Sprintf("${noun}:%d:%s", id, time.Now().Format(time.RFC3339))`, '}', ''];
    }
  },
  footer: () => [],
};

// ---------------------------------------------------------------- Java (Jedis, Lettuce)

const java: Kit = {
  dir: 'java/src/main/java/com/acme',
  ext: '.java',
  header(c) {
    const pkg = 'com.acme.' + path.basename(path.dirname(c.rel)).replace(/[^a-z0-9]/g, '');
    const cls = path.basename(c.rel, '.java');
    const lines = [`package ${pkg};`, '', 'import java.util.Arrays;', 'import java.util.Collections;', 'import java.util.HashMap;', 'import java.util.List;', 'import java.util.Map;', 'import java.util.stream.Collectors;', ''];
    if (c.redis && c.flavour === 0) lines.push('import redis.clients.jedis.HostAndPort;', 'import redis.clients.jedis.JedisCluster;', '');
    if (c.redis && c.flavour === 1) lines.push('import io.lettuce.core.RedisURI;', 'import io.lettuce.core.cluster.RedisClusterClient;', 'import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;', '');
    lines.push(`public class ${cls} {`, '', '    private final Map<String, String> cache = new HashMap<>();');
    if (c.redis && c.flavour === 0) lines.push('    private final JedisCluster jedis = new JedisCluster(new HostAndPort("redis-0.internal", 6379));');
    if (c.redis && c.flavour === 1) lines.push('    private final RedisAdvancedClusterCommands<String, String> redis =', '        RedisClusterClient.create(RedisURI.create("redis://redis-0.internal:6379")).connect().sync();');
    lines.push('');
    return lines;
  },
  redisBlock(c, i) {
    const r = c.rng;
    const cl = c.flavour === 0 ? 'jedis' : 'redis';
    const body: string[] = [];
    for (let o = 0, ops = r.int(1, 3); o < ops; o++) {
      const kind = r.int(0, 4);
      if (kind === 0) body.push(`        out = ${cl}.get(${javaKey(keySpec(r, 'uid'))});`);
      else if (kind === 1) body.push(`        ${cl}.set(${javaKey(keySpec(r, 'oid'))}, payload);`);
      else if (kind === 2) {
        const cmd = r.pick(MULTI_KEY);
        const keys = keyGroup(r, 'uid', cmd === 'sunionstore' ? 3 : 2).map(javaKey);
        body.push(`        ${cl}.${cmd}(${keys.join(', ')}${cmd === 'smove' ? ', oid' : ''});`);
      } else if (kind === 3 && c.flavour === 0) {
        c.decls.push(`    private static final String LUA_${i}_${o} =`, ...LUA_BODY.map((l, j) => `        ${j ? '+ ' : ''}"${l} "`), '        ;', '');
        body.push(`        ${cl}.eval(LUA_${i}_${o}, Arrays.asList(${keyGroup(r, 'uid', 2).map(javaKey).join(', ')}), Collections.singletonList(oid));`);
      } else body.push(`        ${cl}.incr(${javaKey(keySpec(r, 'oid'))});`, `        ${cl}.expire(${javaKey(keySpec(r, 'uid'))}, ${r.int(60, 3600)}L);`);
    }
    return [`    public String ${r.pick(NOUNS)}${i}(String uid, String oid, String payload) {`, '        String out = null;', ...body, '        return out;', '    }', ''];
  },
  plainBlock(c, i) {
    const r = c.rng;
    const noun = r.pick(NOUNS);
    switch (r.int(0, 2)) {
      case 0:
        return [`    public String cached${cap(noun)}${i}(long id) {`, `        cache.put("${noun}:1", "beta");`, `        String hit = cache.get("${noun}:" + id);`, `        return hit != null ? hit : cache.getOrDefault("${noun}:1", "stable");`, '    }', ''];
      case 1:
        return [`    public List<String> top${cap(noun)}${i}(List<Map<String, Object>> rows) {`, '        return rows.stream()', `            .filter(r -> r.get("${noun}") != null)`, `            .map(r -> String.valueOf(r.get("${noun}")))`, `            .limit(${r.int(5, 50)})`, '            .collect(Collectors.toList());', '    }', ''];
      default:
        return [`    public long ${noun}Ttl${i}() {`, '        String env = System.getenv("SESSION_TTL");', `        String fallback = System.getProperty("${noun}.ttl", "${r.int(60, 3600)}");`, '        return Long.parseLong(env != null ? env : fallback);', '    }', ''];
    }
  },
  footer: () => ['}'],
};

// ---------------------------------------------------------------- Lua (Redis scripts; OpenResty-style plain code)

const lua: Kit = {
  dir: 'lua',
  ext: '.lua',
  header: (c) => (c.redis ? ['-- Redis script: KEYS[1] source, KEYS[2] destination, ARGV[1] amount', ''] : ['local cjson = require("cjson")', 'local cache = ngx.shared.cache', 'local M = {}', '']),
  redisBlock(c, i) {
    const r = c.rng;
    return [`local v${i} = tonumber(redis.call('GET', KEYS[${r.int(1, 2)}]) or '0')`, `if v${i} > ${r.int(0, 100)} then`, `  redis.call('${r.pick(['INCRBY', 'DECRBY'])}', KEYS[1], ARGV[1])`, `  redis.call('RPUSH', KEYS[1] .. ':log', ARGV[2])`, 'end', `redis.call('${r.pick(['SUNIONSTORE', 'SDIFFSTORE'])}', KEYS[2], KEYS[1], KEYS[2])`, `redis.call('INCR', 'stats:${r.pick(ENTITIES)}')`, ''];
  },
  plainBlock(c, i) {
    const noun = c.rng.pick(NOUNS);
    return [`function M.${noun}${i}(id)`, `  local hit = cache:get("${noun}:" .. id)`, '  if hit then', '    return cjson.decode(hit)', '  end', `  local value = { id = id, kind = "${noun}", at = ngx.now() }`, `  cache:set("${noun}:" .. id, cjson.encode(value), ${c.rng.int(10, 600)})`, '  return value', 'end', ''];
  },
  footer: (c) => (c.redis ? ['return 1'] : ['return M']),
};

const KITS: Record<Lang, Kit> = { python, javascript: jsKit(false), typescript: jsKit(true), go, java, lua };

function redisCliFile(r: Rng): string {
  const lines = ['# seed data for a local development cluster', ''];
  for (let i = 0; i < r.int(20, 60); i++) {
    const [a, b] = keyGroup(r, 'x', 2).map(literalKey);
    lines.push(r.pick([`SET ${a} "${r.int(1, 9999)}"`, `HSET ${a} name "n${i}" qty ${r.int(1, 9)}`, `MSET ${a} 1 ${b} 2`, `SADD ${a} A100 B200`, `RENAME ${a} ${b}`, `EXPIRE ${a} 600`]));
    if (r.chance(0.1)) lines.push('MULTI', `INCR ${a}`, `INCR ${b}`, 'EXEC');
  }
  return lines.join('\n') + '\n';
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Shared key builders that Redis files import, so cross-file resolution is part of the work. */
const SHARED_FILES: Record<string, string> = {
  'py/app/keys.py': 'SESSION_PREFIX = "session:"\n\n\ndef profile_key(user_id):\n    return f"{{user:{user_id}}}:profile"\n',
  'js/src/keys.js': '"use strict";\n\nfunction sessionKey(id) {\n  return `session:${id}`;\n}\n\nmodule.exports = { sessionKey };\n',
  'ts/src/keys.ts': 'export function sessionKey(id: string): string {\n  return `{session:${id}}:data`;\n}\n',
};

function chooseLang(r: Rng): Lang {
  const total = LANG_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  let x = r.next() * total;
  for (const [l, w] of LANG_WEIGHTS) if ((x -= w) < 0) return l;
  return 'python';
}

/** Picks exactly `count` of `n` indices (partial Fisher-Yates). */
function sample(r: Rng, n: number, count: number): Set<number> {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(r.next() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return new Set(idx.slice(0, count));
}

/** Writes the tree into `dir` (which must be empty or missing). */
export function generateWorkspace(dir: string, opts: GenerateOptions): GeneratedStats {
  const master = new Rng(opts.seed);
  const n = opts.files;
  const redisCliCount = Math.max(1, Math.round(n * 0.001));
  const redisSet = sample(master, n, Math.min(n, Math.round(n * opts.redisShare)));
  const bigSet = sample(master, n, Math.round(n * opts.bigShare));
  const stats: GeneratedStats = { files: 0, redisFiles: 0, bigFiles: bigSet.size, lines: 0, bytes: 0, byLanguage: {} };
  const write = (rel: string, text: string, language: string, redis: boolean) => {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
    stats.files++;
    stats.redisFiles += redis ? 1 : 0;
    stats.bytes += Buffer.byteLength(text);
    stats.lines += text.split('\n').length - 1;
    stats.byLanguage[language] = (stats.byLanguage[language] ?? 0) + 1;
  };
  for (const [rel, text] of Object.entries(SHARED_FILES)) write(rel, text, rel.endsWith('.py') ? 'python' : rel.endsWith('.ts') ? 'typescript' : 'javascript', false);
  for (let i = 0; stats.files < n; i++) {
    const r = new Rng(mix(opts.seed, i));
    const redis = redisSet.has(i);
    // a few .redis files, counted as Redis files
    if (i < redisCliCount) {
      write(`redis/seed${i}.redis`, redisCliFile(r), 'redis', true);
      continue;
    }
    const lang = chooseLang(r);
    const kit = KITS[lang];
    const group = Math.floor(i / 80);
    const base = lang === 'java' ? `${cap(r.pick(NOUNS))}Service${i}` : lang === 'go' ? `${r.pick(NOUNS)}_${i}` : `${r.pick(NOUNS)}${lang === 'python' ? '_' : '-'}${i}`;
    const sub = lang === 'go' || lang === 'java' ? `pkg${group}` : `mod${group % 25}/part${group}`;
    const rel = `${kit.dir}/${sub}/${base}${kit.ext}`;
    const c: FileCtx = { rng: r, n: i, rel, redis, flavour: r.int(0, 1), decls: [] };
    const target = bigSet.has(i) ? r.int(4500, 5500) : Math.round(50 * Math.pow(8, r.next())); // 50..400, skewed small
    const body: string[] = [];
    let redisBlocks = 0;
    for (let b = 0; body.length < target; b++) {
      // Redis files are still mostly ordinary code; at least two blocks talk to Redis
      const useRedis = redis && (redisBlocks < 2 || r.chance(0.3));
      if (useRedis) redisBlocks++;
      body.push(...(useRedis ? kit.redisBlock(c, b) : kit.plainBlock(c, b)));
    }
    write(rel, [...kit.header(c), ...c.decls, ...body, ...kit.footer(c)].join('\n') + '\n', lang, redis);
  }
  return stats;
}

/** `node --import tsx bench/generate.ts OUT_DIR [--files N] [--redis-share X] [--seed S]` */
if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const out = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
  if (!out) {
    process.stderr.write('usage: node --import tsx bench/generate.ts OUT_DIR [--files N] [--redis-share X] [--seed S]\n');
    process.exit(2);
  }
  if (fs.existsSync(out) && fs.readdirSync(out).length) {
    process.stderr.write(`generate: ${out} is not empty\n`);
    process.exit(2);
  }
  const stats = generateWorkspace(out, { ...DEFAULT_GENERATE, files: opt('--files', DEFAULT_GENERATE.files), redisShare: opt('--redis-share', DEFAULT_GENERATE.redisShare), seed: opt('--seed', DEFAULT_GENERATE.seed) });
  process.stdout.write(JSON.stringify(stats, null, 2) + '\n');
}
