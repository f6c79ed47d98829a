import type { Expr } from '../extract/ir';
import { Ctx, evaluate, lookupName, Value } from '../resolve/evaluate';
import type { ClientInfo } from './profiles';

/*
 * Where a client sends reads (../shared/docs/client-libraries.md): to primaries only, to replicas,
 * or to either (round-robin over primary and replicas, latency-based, an option keyslot cannot
 * resolve). Writes always go to primaries; replication is asynchronous, so a replica read right
 * after a write may return the old value.
 */
export type ReadRoute = 'primary' | 'replica' | 'maybe-replica';

export interface Routing {
  reads: ReadRoute;
  /** the option that decides it, as written (`scaleReads: "slave"`), or the default that applies */
  why: string;
}

const PRIMARY = (why: string): Routing => ({ reads: 'primary', why });

/** The text a value stands for: a literal, or the expression of an unresolved name (`True`, `ReadFrom.REPLICA`). */
function valueText(v: Value | undefined): string | undefined {
  if (!v) return undefined;
  if (v.t === 'num') return String(v.n);
  if (v.t !== 'str') return undefined;
  return v.segs.map((s) => (s.kind === 'lit' ? s.text : s.expr)).join('');
}

/** An option of a constructor call: a keyword argument, or an entry of an object / struct argument (followed through variables). */
function option(call: Expr | undefined, names: string[], ctx: Ctx | undefined): { text: string | undefined; written: string } | undefined {
  if (!call || call.k !== 'call' || !ctx) return undefined;
  for (const n of names) {
    const kw = call.kwargs[n];
    if (kw) return { text: valueText(evaluate(kw, ctx)), written: `${n}=${kw.text}` };
  }
  for (const arg of call.args) {
    const target = arg.k === 'other' && arg.text.startsWith('&') ? undefined : arg;
    const v = target ? evaluate(target, ctx) : undefined;
    const found = v ? findEntry(v, names) : undefined;
    if (found) return { text: valueText(found[1]), written: `${valueText(found[0])}: ${valueText(found[1]) ?? '…'}` };
    // Go: &redis.ClusterOptions{ReadOnly: true} - the struct literal is after the `&`
    if (arg.k === 'other' && arg.text.startsWith('&')) {
      const m = new RegExp(`\\b(${names.join('|')})\\s*:\\s*([^,}\\n]+)`).exec(arg.text);
      if (m) return { text: m[2].trim(), written: `${m[1]}: ${m[2].trim()}` };
    }
  }
  return undefined;
}

/**
 * A builder method called on the configuration a constructor is given (Java: `Config.builder()…
 * .readFrom(ReadFrom.PREFER_REPLICA).build()`), written in the call or in the variable it passes.
 */
function builderCall(call: Expr | undefined, method: string, ctx: Ctx | undefined): { text: string | undefined; written: string } | undefined {
  if (!call || call.k !== 'call' || !ctx) return undefined;
  const pattern = new RegExp(`\\.${method}\\(\\s*([\\w.]+)\\s*\\)`);
  for (const arg of call.args) {
    let text = arg.text;
    if (arg.k === 'name') {
      const b = lookupName(arg.name, ctx);
      if (b && 'binding' in b && b.binding.value) text = b.binding.value.text;
    }
    const m = pattern.exec(text);
    if (m) return { text: m[1], written: `${method}(${m[1]})` };
  }
  return undefined;
}

/**
 * A GLIDE client known only by its type (a field or parameter, made elsewhere): the read-from of the
 * GLIDE configurations written in the project (Java `.readFrom(ReadFrom.X)`, Go
 * `.WithReadFrom(config.X)`), as for Spring's connection factory. Any that is not the primary makes
 * the client's reads maybe-replica: it may be the client made with it.
 */
function glideReadFrom(ctx: Ctx | undefined): { text: string | undefined; written: string } | undefined {
  const lang = ctx?.file.language;
  if (!ctx || (lang !== 'java' && lang !== 'kotlin' && lang !== 'go')) return undefined;
  const [method, constant, primary] = lang === 'go' ? ['WithReadFrom', /\bconfig\.(\w+)/, 'Primary'] : ['readFrom', /ReadFrom\.(\w+)/, 'PRIMARY'];
  const set = ctx.ws
    .callers(method, ctx.file)
    .filter(({ file }) => file.imports.some((i) => /^glide\.|valkey-glide\/go/.test(i.module)))
    .flatMap(({ file, site }) => {
      const m = constant.exec(site.call.args[0]?.text ?? '');
      return m ? [{ mode: m[0], where: file.file }] : [];
    });
  const replica = set.find((x) => !x.mode.endsWith(`.${primary}`)) ?? set[0];
  return replica && { text: replica.mode, written: `${method}(${replica.mode}) in ${replica.where}, a configuration this client may be made with` };
}

function findEntry(v: Value, names: string[]): [Value, Value] | undefined {
  if (v.t !== 'dict') return undefined;
  for (const e of v.entries) {
    const k = valueText(e[0]);
    if (k && names.includes(k)) return e;
    const inner = findEntry(e[1], names);
    if (inner) return inner;
  }
  return undefined;
}

const TRUE = /^(true|True|1)$/;

/** The name a lookup of every call in a file is recorded under (see WorkspaceFacts.siteNames). */
export const ANY_CALL = '\0calls';

/**
 * The first argument of a call to `method` in the file that built the client (`setReadFrom(ReadFrom.REPLICA)`):
 * on one of the variables the client passed through when they are known, so two connections keep their own settings.
 */
function configCall(c: ClientInfo, method: RegExp, perConnection = false): string | undefined {
  const names = perConnection && c.names?.length ? new Set(c.names) : undefined;
  // reads every call of the file, not a name: an edit that changes calls redoes who read them (index/reuse.ts)
  c.optionsCtx?.ws.siteNames?.add(ANY_CALL);
  for (const site of c.optionsCtx?.file.calls ?? []) {
    const callee = site.call.callee;
    if (callee.k !== 'attr' || !method.test(callee.name)) continue;
    const on = callee.object.k === 'name' ? callee.object.name : callee.object.k === 'attr' ? callee.object.name : undefined;
    if (names && on && !names.has(on)) continue;
    return site.call.args[0]?.text ?? '';
  }
  return undefined;
}

/** How a client routes reads, from its constructor options and the library's defaults. */
export function routingOf(c: ClientInfo): Routing {
  const ctx = c.optionsCtx;
  switch (c.library) {
    case 'redis-py': {
      if (/slave_for/.test(c.evidence)) return { reads: 'replica', why: 'Sentinel slave_for() connects to a replica' };
      const lb = option(c.options, ['load_balancing_strategy'], ctx);
      if (lb) {
        if (/REPLICA/.test(lb.text ?? '')) return { reads: 'replica', why: lb.written };
        if (/ROUND_ROBIN|RANDOM/.test(lb.text ?? '') || lb.text === undefined) return { reads: 'maybe-replica', why: lb.written };
      }
      const rr = option(c.options, ['read_from_replicas'], ctx);
      if (rr && TRUE.test(rr.text ?? '')) return { reads: 'maybe-replica', why: `${rr.written}, which round-robins reads over the primary and its replicas` };
      if (rr && !/^(False|0)$/.test(rr.text ?? '')) return { reads: 'maybe-replica', why: `${rr.written}, which keyslot cannot resolve` };
      return PRIMARY('redis-py reads from primaries unless read_from_replicas or load_balancing_strategy says otherwise');
    }
    case 'ioredis': {
      const role = option(c.options, ['role'], ctx);
      if (role && /slave|replica/.test(role.text ?? '')) return { reads: 'replica', why: role.written };
      const sr = option(c.options, ['scaleReads'], ctx);
      if (!sr || sr.text === 'master') return PRIMARY(sr ? sr.written : 'ioredis reads from primaries by default (scaleReads: "master")');
      if (sr.text === 'slave') return { reads: 'replica', why: sr.written };
      return { reads: 'maybe-replica', why: sr.text === 'all' ? `${sr.written}, which spreads reads over primaries and replicas` : `${sr.written}, which keyslot cannot resolve` };
    }
    case 'node-redis': {
      const ur = option(c.options, ['useReplicas'], ctx);
      if (!ur || /^false$/.test(ur.text ?? '')) return PRIMARY('node-redis reads from primaries unless useReplicas: true');
      return { reads: 'maybe-replica', why: TRUE.test(ur.text ?? '') ? `${ur.written}, which spreads read-only commands over primaries and replicas` : `${ur.written}, which keyslot cannot resolve` };
    }
    case 'go-redis': {
      const ro = option(c.options, ['ReplicaOnly'], ctx);
      if (ro && TRUE.test(ro.text ?? '')) return { reads: 'replica', why: ro.written };
      const lat = option(c.options, ['RouteByLatency', 'RouteRandomly'], ctx);
      if (lat && TRUE.test(lat.text ?? '')) return { reads: 'maybe-replica', why: `${lat.written}, which reads from the fastest or a random node, replicas included` };
      const ronly = option(c.options, ['ReadOnly'], ctx);
      if (ronly && TRUE.test(ronly.text ?? '')) return { reads: 'replica', why: `${ronly.written}, which sends read-only commands to replicas` };
      return PRIMARY('go-redis reads from primaries unless ReadOnly, RouteByLatency or RouteRandomly is set');
    }
    case 'spring-data-redis': {
      // the template reads where its connection factory's LettuceClientConfiguration says: `.readFrom(ReadFrom.REPLICA_PREFERRED)`,
      // written in a @Configuration class anywhere in the project
      const set = ctx?.ws.callers('readFrom', ctx.file).flatMap(({ file, site }) => {
        const m = /ReadFrom\.(\w+)/.exec(site.call.args[0]?.text ?? '');
        return m ? [{ mode: m[1], where: file.file }] : [];
      })[0];
      if (!set || /^(MASTER|UPSTREAM)$/.test(set.mode)) return PRIMARY(set ? `readFrom(ReadFrom.${set.mode}) in ${set.where}` : 'Spring Data Redis reads from primaries unless LettuceClientConfiguration.readFrom(…) says otherwise');
      return { reads: /^(REPLICA|SLAVE|ANY_REPLICA)$/.test(set.mode) ? 'replica' : 'maybe-replica', why: `readFrom(ReadFrom.${set.mode}) in ${set.where}, the connection factory every template uses` };
    }
    case 'valkey-glide': {
      // Node and Python: an option of the configuration; Java: the configuration builder's `.readFrom(ReadFrom.X)`
      const rf =
        option(c.options, ['readFrom', 'read_from'], ctx) ?? builderCall(c.options, 'readFrom', ctx) ?? builderCall(c.options, 'WithReadFrom', ctx) ?? (c.options ? undefined : glideReadFrom(ctx));
      if (!rf || /^(primary|PRIMARY|ReadFrom\.PRIMARY|config\.Primary)$/.test(rf.text ?? '')) return PRIMARY(rf ? rf.written : 'Valkey GLIDE reads from primaries unless readFrom says otherwise');
      return { reads: 'maybe-replica', why: `${rf.written}: reads prefer replicas` };
    }
    case 'rueidis': {
      const r = option(c.options, ['SendToReplicas'], ctx);
      if (!r) return PRIMARY('rueidis reads from primaries unless SendToReplicas says otherwise');
      return { reads: 'maybe-replica', why: `${r.written}: the function decides which reads go to replicas` };
    }
    case 'lettuce': {
      const m = /ReadFrom\.(\w+)/.exec(configCall(c, /^setReadFrom$/, true) ?? '');
      if (!m || /^(MASTER|UPSTREAM)$/.test(m[1])) return PRIMARY(m ? `setReadFrom(ReadFrom.${m[1]})` : 'Lettuce reads from primaries unless setReadFrom says otherwise');
      return { reads: /^(REPLICA|SLAVE|ANY_REPLICA)$/.test(m[1]) ? 'replica' : 'maybe-replica', why: `setReadFrom(ReadFrom.${m[1]})` };
    }
    case 'redisson': {
      const m = /ReadMode\.(\w+)/.exec(configCall(c, /^setReadMode$/) ?? '');
      if (m) return m[1] === 'MASTER' ? PRIMARY(`setReadMode(ReadMode.MASTER)`) : { reads: m[1] === 'SLAVE' ? 'replica' : 'maybe-replica', why: `setReadMode(ReadMode.${m[1]})` };
      if (configCall(c, /^useSingleServer$/) !== undefined) return PRIMARY('a single-server Redisson config');
      return { reads: 'replica', why: 'Redisson readMode defaults to SLAVE: reads go to replicas out of the box' };
    }
    default:
      return PRIMARY(`${c.library} reads from primaries`);
  }
}
