import type { Annotation, Expr, FileFacts, FuncDef } from '../extract/ir';
import { normalizeSegments, type Segment, type Span } from '../model/pattern';

/*
 * Keys that Spring writes for annotations, with no Redis call in the code:
 *   - the cache annotations on a Redis cache (Spring Data Redis's RedisCache): `@Cacheable("books")`
 *     on `find(String isbn)` reads `books::${isbn}` and writes it on a miss; `@CachePut` writes it,
 *     `@CacheEvict` deletes it. The key is the cache name, `::` (RedisCacheConfiguration's default
 *     prefix, CacheKeyPrefix.simple(); `prefixCacheNameWith(p)` puts `p` before the name,
 *     `disableKeyPrefix()` drops it) and the annotation's `key` expression, or else what Spring's
 *     SimpleKeyGenerator makes of the parameters: the only parameter itself, `SimpleKey []` for none,
 *     `SimpleKey [a, b]` for several. The cache is on Redis only where the code configures it so
 *     (a file that imports org.springframework.data.redis.cache); another provider keeps no keys.
 *   - `@RedisHash("people")` on an entity: Spring Data Redis's repositories keep each entity in the
 *     hash `people:${id}` and its ids in the set `people` (RedisKeyValueAdapter).
 */
export interface AnnotatedUse {
  /** the annotation (`Cacheable`) and where it is written */
  annotation: string;
  span: Span;
  command: string;
  access: 'read' | 'write';
  segments: Segment[];
}

/** What a Redis cache puts before a cache name's keys: text (the name and `::` follow), nothing, or unknown (`computePrefixWith`). */
export type CachePrefix = { kind: 'text'; segments: Segment[] } | { kind: 'none' } | { kind: 'unknown'; scope: string };

const CACHE_COMMANDS: Record<string, [string, 'read' | 'write'][]> = {
  Cacheable: [
    ['get', 'read'],
    ['set', 'write'],
  ],
  CachePut: [['set', 'write']],
  CacheEvict: [['del', 'write']],
};

/** The prefix the project's RedisCacheConfiguration sets, read from the files that configure it. */
export function cachePrefix(configs: FileFacts[], text: (e: Expr, file: FileFacts) => Segment[] | undefined): CachePrefix {
  let prefix: CachePrefix = { kind: 'text', segments: [] };
  for (const f of configs)
    for (const { call } of f.calls) {
      if (call.callee.k !== 'attr') continue;
      const name = call.callee.name;
      if (name === 'computePrefixWith') return { kind: 'unknown', scope: `${f.file}#module` };
      if (name === 'disableKeyPrefix') prefix = { kind: 'none' };
      if (name === 'prefixCacheNameWith' && call.args[0]) {
        const segs = text(call.args[0], f);
        if (!segs) return { kind: 'unknown', scope: `${f.file}#module` };
        prefix = { kind: 'text', segments: segs };
      }
    }
  return prefix;
}

/** The keys a file's Spring annotations make Redis keep. */
export function annotatedUses(file: FileFacts, prefix: CachePrefix | null, text: (e: Expr) => Segment[] | undefined): AnnotatedUse[] {
  if (file.language !== 'java' && file.language !== 'kotlin') return [];
  const imported = (pkg: RegExp) => file.imports.some((i) => pkg.test(i.module));
  const out: AnnotatedUse[] = [];
  if (prefix && imported(/^org\.springframework\.cache\.annotation(\.|$)/))
    for (const fn of file.functions) for (const a of fn.annotations ?? []) if (CACHE_COMMANDS[a.name]) out.push(...cacheUses(file, fn, a, prefix, text));
  if (imported(/^org\.springframework\.data\.redis\.core(\.RedisHash)?$/))
    for (const s of file.scopes.values()) {
      const hash = s.kind === 'class' ? s.annotations?.find((a) => a.name === 'RedisHash') : undefined;
      const keyspace = hash && (hash.args.value ? text(hash.args.value) : undefined);
      if (!hash || !keyspace) continue;
      const id: Segment = { kind: 'hole', expr: 'id', scope: `${file.file}#${s.id}` };
      const entity = normalizeSegments([...keyspace, { kind: 'lit', text: ':' }, id]);
      const at = { annotation: hash.name, span: hash.span };
      out.push({ ...at, command: 'hset', access: 'write', segments: entity }, { ...at, command: 'hgetall', access: 'read', segments: entity }, { ...at, command: 'sadd', access: 'write', segments: keyspace });
    }
  return out;
}

function cacheUses(file: FileFacts, fn: FuncDef, a: Annotation, prefix: CachePrefix, text: (e: Expr) => Segment[] | undefined): AnnotatedUse[] {
  // @CacheEvict(allEntries = true) clears the cache by a pattern, not one key
  if (a.name === 'CacheEvict' && a.args.allEntries?.text === 'true') return [];
  const classConfig = fn.className ? file.scopes.get(file.scopes.get(fn.scope)?.parent ?? '')?.annotations?.find((x) => x.name === 'CacheConfig') : undefined;
  const namesExpr = a.args.cacheNames ?? a.args.value ?? classConfig?.args.cacheNames ?? classConfig?.args.value;
  if (!namesExpr) return [];
  const names = (namesExpr.k === 'list' ? namesExpr.items : [namesExpr]).map((e) => text(e)).filter((s): s is Segment[] => !!s);
  const scope = `${file.file}#${fn.scope}`;
  const key = a.args.keyGenerator ? [{ kind: 'hole' as const, expr: a.args.keyGenerator.text, scope }] : a.args.key?.k === 'str' ? spelKey(a.args.key.value, fn, scope) : simpleKey(fn, scope);
  const out: AnnotatedUse[] = [];
  for (const name of names) {
    const head: Segment[] = prefix.kind === 'none' ? [] : prefix.kind === 'unknown' ? [{ kind: 'hole', expr: 'prefix', scope: prefix.scope }] : [...prefix.segments, ...name, { kind: 'lit', text: '::' }];
    const segments = normalizeSegments([...head, ...key]);
    for (const [command, access] of CACHE_COMMANDS[a.name]) out.push({ annotation: a.name, span: a.span, command, access, segments });
  }
  return out;
}

/** Spring's SimpleKeyGenerator: the only parameter, or a SimpleKey of all of them (`SimpleKey [a, b]`, `SimpleKey []`). */
function simpleKey(fn: FuncDef, scope: string): Segment[] {
  if (fn.params.length === 1) return [{ kind: 'hole', expr: fn.params[0].name, scope }];
  const segs: Segment[] = [{ kind: 'lit', text: 'SimpleKey [' }];
  fn.params.forEach((p, i) => segs.push(...(i ? [{ kind: 'lit' as const, text: ', ' }] : []), { kind: 'hole', expr: p.name, scope }));
  segs.push({ kind: 'lit', text: ']' });
  return normalizeSegments(segs);
}

/** A `key` SpEL expression: `'user:' + #id`, `#user.id`, `#p0` (the first parameter); anything else is one runtime value. */
function spelKey(spel: string, fn: FuncDef, scope: string): Segment[] {
  const out: Segment[] = [];
  for (const raw of splitPlus(spel)) {
    const part = raw.trim();
    const literal = /^'((?:[^']|'')*)'$/.exec(part);
    if (literal) {
      out.push({ kind: 'lit', text: literal[1].replace(/''/g, "'") });
      continue;
    }
    const param = /^#(\w+)((?:\.\w+)*)$/.exec(part);
    const indexed = param && /^[pa](\d+)$/.exec(param[1]);
    const name = indexed ? fn.params[Number(indexed[1])]?.name : param?.[1];
    out.push({ kind: 'hole', expr: name ? name + (param![2] ?? '') : part, scope });
  }
  return normalizeSegments(out);
}

/** `a + 'b+c' + #d` → the operands of its top-level `+`. */
function splitPlus(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && (c === '(' || c === '[')) depth++;
    else if (!quoted && (c === ')' || c === ']')) depth--;
    else if (!quoted && depth === 0 && c === '+') {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}
