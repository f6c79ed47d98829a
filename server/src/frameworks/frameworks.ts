import type { CallExpr, Expr, FileFacts } from '../extract/ir';

/*
 * Frameworks that keep their own keys in Redis, made by a constructor the code calls with a
 * connection (../shared/docs/client-libraries.md, "Frameworks"):
 *   - BullMQ (`new Queue(name, { connection, prefix })`, `Worker`, `QueueEvents`, `FlowProducer`)
 *     runs Lua scripts over several keys of a queue (`bull:email:wait`, `bull:email:meta` …): on a
 *     cluster they need one slot, which only a hash tag in the prefix gives (`prefix: '{bull}'`).
 *   - Bull (`new Queue(name, { createClient, prefix })`), BullMQ's predecessor, the same: its Lua
 *     scripts take several keys of a queue, so on a cluster (connections made by `createClient`)
 *     the prefix needs a hash tag (Bull's README, "Cluster support").
 *   - rq (`Queue(name, connection=…)`, `Worker(queues, connection=…)`) does not support Redis
 *     Cluster: its pipelines touch the queue and the job keys together.
 * The analysis records a 'framework' group over the keys the framework will use, with the
 * connection's mode; rules/framework.ts judges it.
 */
export type Framework = 'bullmq' | 'bull' | 'rq' | 'celery' | 'django-redis';

export interface FrameworkSite {
  framework: Framework;
  /** the constructor, for messages (`Queue`, `Worker`) */
  what: string;
  /** the queue name, when the constructor takes one */
  name?: Expr;
  /** the connection expression (an option or keyword) */
  connection?: Expr;
  /** Bull's `createClient` option: the function that makes the queue's connections */
  clientFactory?: Expr;
  /** BullMQ's `prefix` option */
  prefix?: Expr;
  /** the options object literal, where a fix can add the prefix */
  options?: Extract<Expr, { k: 'dict' }>;
}

/**
 * The edit that gives a BullMQ queue a hash-tagged prefix: `prefix: "mailer"` → `"{mailer}"`, or
 * `prefix: "{bull}", ` added at the start of the options object. None when the prefix is not a
 * plain string or there is no options object written out.
 */
export function prefixFix(site: FrameworkSite, quote: string): { span: import('../model/pattern').Span; text: string; tag: string } | undefined {
  if (site.prefix) {
    if (site.prefix.k !== 'str' || /[{}]/.test(site.prefix.value) || !/^['"`]/.test(site.prefix.text)) return undefined;
    const q = site.prefix.text[0];
    return { span: site.prefix.span, text: `${q}{${site.prefix.value}}${q}`, tag: site.prefix.value };
  }
  if (!site.options) return undefined;
  return { span: { start: site.options.span.start + 1, end: site.options.span.start + 1 }, text: ` prefix: ${quote}{${BULLMQ_PREFIX}}${quote},`, tag: BULLMQ_PREFIX };
}

/** BullMQ's (and Bull's) default key prefix. */
export const BULLMQ_PREFIX = 'bull';

/**
 * Keys of one queue that BullMQ's job scripts take together (adding a job touches the queue's
 * wait list, its meta hash, its id counter and its event stream).
 */
export const BULLMQ_QUEUE_KEYS = ['wait', 'meta', 'id', 'events'];

/** The keys of one queue Bull's addJob script takes (OptimalBits/bull lib/commands/addJob-6.lua: KEYS[1…6]). */
export const BULL_QUEUE_KEYS = ['wait', 'paused', 'meta-paused', 'id', 'delayed', 'priority'];

const BULLMQ_CTORS = /^(Queue|Worker|QueueEvents|FlowProducer|QueueScheduler)$/;
const RQ_CTORS = /^(Queue|Worker|SimpleWorker|Scheduler)$/;

function entry(options: Expr | undefined, key: string): Expr | undefined {
  if (options?.k !== 'dict') return undefined;
  return options.entries.find(([k]) => (k.k === 'str' ? k.value : k.k === 'name' ? k.name : k.text) === key)?.[1];
}

/** The framework constructor this call is, given the file's imports; `optionsOf` resolves a variable to its object literal. */
export function frameworkSite(call: CallExpr, file: FileFacts, optionsOf: (e: Expr) => Expr | undefined): FrameworkSite | undefined {
  const callee = call.callee;
  const name = callee.k === 'name' ? callee.name : callee.k === 'attr' ? callee.name : undefined;
  if (!name) return undefined;
  const local = callee.k === 'name' ? callee.name : callee.k === 'attr' && callee.object.k === 'name' ? callee.object.name : undefined;
  const importedFrom = (module: RegExp) => file.imports.some((i) => module.test(i.module) && (i.local === local || i.member === name));
  if (['javascript', 'typescript', 'tsx'].includes(file.language) && call.isNew && BULLMQ_CTORS.test(name) && importedFrom(/^bullmq(\/|$)/)) {
    // Queue(name, opts), Worker(name, processor, opts), QueueEvents(name, opts), FlowProducer(opts)
    const named = name !== 'FlowProducer';
    const raw = named ? call.args[call.args.length - 1] : call.args[0];
    const options = raw && (named ? call.args.length > 1 : true) ? (optionsOf(raw) ?? raw) : undefined;
    return {
      framework: 'bullmq',
      what: name,
      name: named ? call.args[0] : undefined,
      connection: entry(options, 'connection'),
      prefix: entry(options, 'prefix'),
      options: options?.k === 'dict' ? options : undefined,
    };
  }
  if (['javascript', 'typescript', 'tsx'].includes(file.language) && call.isNew && importedFrom(/^bull$/)) {
    // Queue(name, [redis URL], opts): Bull makes its own standalone connections unless createClient makes them
    const raw = call.args.length > 1 ? call.args[call.args.length - 1] : undefined;
    const options = raw ? (optionsOf(raw) ?? raw) : undefined;
    return {
      framework: 'bull',
      what: 'Queue',
      name: call.args[0],
      clientFactory: entry(options, 'createClient'),
      prefix: entry(options, 'prefix'),
      options: options?.k === 'dict' ? options : undefined,
    };
  }
  if (file.language === 'python' && RQ_CTORS.test(name) && importedFrom(/^rq(\.|$)/))
    return { framework: 'rq', what: name, name: name === 'Queue' ? call.args[0] : undefined, connection: call.kwargs['connection'] ?? (name === 'Queue' ? undefined : call.args[1]) };
  return undefined;
}

/*
 * Python frameworks configured by settings rather than given a connection object:
 *   - django-redis (`CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", …}}`) does
 *     not support Redis Cluster (jazzband/django-redis#606): its connection factory cannot make a
 *     `redis.cluster.RedisCluster`, and pointed at one node its get_many / delete_many fail with
 *     CROSSSLOT and keys of other nodes with MOVED (tried on a 3-node cluster with django-redis
 *     5.2.0 and redis-py 4.3.4).
 *   - Celery's Redis broker and result backend (`Celery(broker=…, backend=…)`, `app.conf.update(…)`,
 *     `CELERY_BROKER_URL` in Django settings, `broker_url` in a celeryconfig module) connect to one
 *     node: the broker's pipelines and BRPOP take several queue keys at once and fail with CROSSSLOT
 *     (celery/celery#2852, #9436, #9019).
 * Settings name a URL, not a client, so a cluster shows only in what the URL or the options say: a
 * cluster client class, or an AWS cluster configuration endpoint (ElastiCache / MemoryDB
 * `clustercfg.` hosts, ElastiCache Serverless hosts, which are always clustered).
 */
export type Evidence = { kind: 'cluster-client'; text: string } | { kind: 'cluster-url'; host: string } | { kind: 'redis-url' };

export interface SettingsSite {
  framework: 'django-redis' | 'celery';
  /** what is configured: `cache "default"`, `broker`, `result backend` */
  what: string;
  span: import('../model/pattern').Span;
  evidence: Evidence;
}

/** Cluster client classes django-redis can be told to make (`OPTIONS.REDIS_CLIENT_CLASS`). */
const CLUSTER_CLIENT_CLASSES = /^(redis\.cluster\.RedisCluster|rediscluster\.RedisCluster|rediscluster\.client\.RedisCluster|valkey\.cluster\.ValkeyCluster)$/;
const REDIS_URL = /\b(?:redis|rediss|valkey|valkeys)(?:\+[a-z]+)?:\/\/(?:[^@\s'"/]*@)?([^:/\s'",;]+)/g;
/** AWS cluster endpoints: an ElastiCache or MemoryDB configuration endpoint, an ElastiCache Serverless cache */
const CLUSTER_HOST = /(?:^|\.)clustercfg\.|\.serverless\.[a-z0-9-]+\.cache\.amazonaws\.com$/;
const CELERY_SETTINGS: Record<string, string> = { CELERY_BROKER_URL: 'broker', BROKER_URL: 'broker', broker_url: 'broker', CELERY_RESULT_BACKEND: 'result backend', result_backend: 'result backend' };

/** What an expression's Redis URLs say about the deployment; undefined when it shows no Redis URL. */
function urlEvidence(e: Expr): Evidence | undefined {
  let redis = false;
  for (const m of e.text.matchAll(REDIS_URL)) {
    redis = true;
    if (CLUSTER_HOST.test(m[1])) return { kind: 'cluster-url', host: m[1] };
  }
  return redis ? { kind: 'redis-url' } : undefined;
}

function stringAt(options: Expr | undefined, key: string): Extract<Expr, { k: 'str' }> | undefined {
  const v = entry(options, key);
  return v?.k === 'str' ? v : undefined;
}

/** The django-redis caches and Celery broker / backend settings of a Python file. */
export function settingsSites(file: FileFacts): SettingsSite[] {
  if (file.language !== 'python') return [];
  const out: SettingsSite[] = [];
  const celery = (what: string, value: Expr) => {
    const evidence = urlEvidence(value);
    if (evidence) out.push({ framework: 'celery', what, span: value.span, evidence });
  };
  for (const b of file.bindings) {
    if (b.kind !== 'var' || file.scopes.get(b.scope)?.kind !== 'module') continue;
    if (b.name === 'CACHES' && b.value.k === 'dict') {
      for (const [alias, config] of b.value.entries) {
        if (!/^django_redis\.cache\.RedisCache$/.test(stringAt(config, 'BACKEND')?.value ?? '')) continue;
        const name = alias.k === 'str' ? alias.value : alias.text;
        const clientClass = stringAt(entry(config, 'OPTIONS'), 'REDIS_CLIENT_CLASS');
        const location = entry(config, 'LOCATION');
        const evidence: Evidence | undefined =
          clientClass && CLUSTER_CLIENT_CLASSES.test(clientClass.value) ? { kind: 'cluster-client', text: clientClass.value } : location ? urlEvidence(location) : undefined;
        if (evidence) out.push({ framework: 'django-redis', what: `cache "${name}"`, span: evidence.kind === 'cluster-client' ? clientClass!.span : location!.span, evidence });
      }
    }
    const what = CELERY_SETTINGS[b.name];
    if (what) celery(what, b.value);
  }
  const fromCelery = (local: string) => file.imports.some((i) => /^celery(\.|$)/.test(i.module) && i.local === local);
  for (const { call } of file.calls) {
    const callee = call.callee;
    // Celery('tasks', broker=…, backend=…)
    if (callee.k === 'name' && callee.name === 'Celery' && fromCelery('Celery')) {
      if (call.kwargs['broker']) celery('broker', call.kwargs['broker']);
      if (call.kwargs['backend']) celery('result backend', call.kwargs['backend']);
    }
    // app.conf.update(broker_url=…, result_backend=…)
    if (callee.k === 'attr' && callee.name === 'update' && callee.object.k === 'attr' && callee.object.name === 'conf')
      for (const [k, v] of Object.entries(call.kwargs)) if (CELERY_SETTINGS[k]) celery(CELERY_SETTINGS[k], v);
  }
  return out;
}
