import type { Expr, FileFacts, Language } from '../extract/ir';

/*
 * One profile per client library: how code makes a client (and in which mode), how its method
 * names map to Redis commands, and how its arguments line up with the command line. Facts are
 * from ../shared/docs/client-libraries.md (read from each library's source).
 */
export type Library =
  | 'redis-py'
  | 'ioredis'
  | 'node-redis'
  | 'go-redis'
  | 'redigo'
  | 'rueidis'
  | 'jedis'
  | 'lettuce'
  | 'redisson'
  | 'spring-data-redis'
  | 'valkey-glide'
  | 'lua'
  | 'redis-cli';

export type ClientMode = 'cluster' | 'standalone' | 'sentinel' | 'universal' | 'unknown';

export interface ClientInfo {
  library: Library;
  mode: ClientMode;
  /** the constructor or type that told us, for messages */
  evidence: string;
  /** the constructor call, whose options decide where reads go (routing.ts) */
  options?: Expr;
  /** variables the client was assigned to on its way (`client` → `connection` → `redis`) */
  names?: string[];
  /** where the constructor call is, to evaluate its options */
  optionsCtx?: import('../resolve/evaluate').Ctx;
  /** how the value analysis knows: the chain of places from the receiver back to the constructor or type */
  via?: Step[];
  /** high (a constructor or declared type, followed through the code; the default), medium (Redis-only methods called on it), low (its name) */
  confidence?: 'medium' | 'low';
  /** Spring Data Redis: the operations view the value is (`opsForHash()`), and the key a bound view holds (null: one the code does not show) */
  spring?: { ops: import('./spring').SpringOps; bound?: Expr | null; boundCtx?: import('../resolve/evaluate').Ctx };
}

/** One place on a value's way to the receiver: `self._c` = `RedisCluster(…)` in store.py, at that expression. */
export interface Step {
  what: string;
  file?: string;
  /** the expression's span object in the facts: an edit that moves it moves this too */
  span?: import('../model/pattern').Span;
}

/** Argument layout: 'verbatim' passes the command line as written; 'idiomatic' omits numkeys and takes lists. */
export type Layout = 'verbatim' | 'idiomatic';

export interface Profile {
  library: Library;
  languages: Language[];
  /** import module names that mark a file as using this library */
  modules: RegExp;
  layout: Layout;
  /** the first argument is a context to skip (go-redis ctx); a list: only in those languages, and only where it looks like one */
  skipFirstArg?: boolean | Language[];
  constructors: { match: RegExp; mode: ClientMode; needsNew?: boolean }[];
  /** declared types that are clients */
  clientTypes: RegExp;
  /** declared types that are pipelines / transactions */
  pipelineTypes?: { match: RegExp; transaction: boolean }[];
  /** methods that return a client of the same kind (connect, sync, getResource …) */
  passThrough: RegExp;
  /** methods that start a pipeline or transaction group */
  pipelineMethods: { match: RegExp; transaction: boolean | 'kwarg' }[];
  /** generic command forms: first argument is the command name (or the whole line as an array) */
  genericMethods: RegExp;
  /** method name aliases that differ from the command */
  aliases?: Record<string, string>;
  /**
   * Methods whose arguments are not the command line: a subcommand in the name (`XGroupCreate` →
   * `XGROUP CREATE key …`), or the keys in a field of an args struct (`XAdd(ctx, &XAddArgs{Stream: k})`;
   * `Streams` holds the keys, then as many IDs).
   */
  argumentForms?: Record<string, ArgumentForm>;
}

/** How a method's arguments become the command line when they are not it (Profile.argumentForms). */
export interface ArgumentForm {
  command: string;
  /** the subcommand the method name carries */
  sub?: string;
  /** the args-struct field holding the key (and, with `streams`, the STREAMS list) */
  field?: string;
  streams?: 'STREAMS' | 'GROUP';
  /**
   * Where the method takes a blocking pop's timeout: `first` (Jedis, Lettuce, go-redis:
   * `bzpopmin(2.5, k1, k2)`; the server wants it last), or `default` (redis-py `blpop(keys, timeout=0)`).
   */
  timeout?: 'first' | 'default';
  /**
   * LMPOP/BLMPOP/ZMPOP/BZMPOP as a method: the keys come after this many arguments (timeout,
   * direction, count …); the method counts them itself. `countMayFollow`: one more when that
   * argument is a number (Jedis's overloads with and without a count).
   */
  keysAfter?: number;
  countMayFollow?: boolean;
}

const TIMEOUT_FIRST = (names: string[], rename: (n: string) => string = (n) => n): Record<string, ArgumentForm> =>
  Object.fromEntries(names.map((n) => [rename(n), { command: n, timeout: 'first' } satisfies ArgumentForm]));

const BLOCKING_POPS = ['blpop', 'brpop', 'bzpopmin', 'bzpopmax'];

export const PROFILES: Profile[] = [
  {
    library: 'redis-py',
    languages: ['python'],
    // valkey-py is redis-py's fork for Valkey: the same API under Valkey names
    modules: /^(redis|redis\..*|aioredis|valkey|valkey\..*)$/,
    layout: 'idiomatic',
    constructors: [
      { match: /(^|\.)(RedisCluster|ValkeyCluster)(\.from_url)?$/, mode: 'cluster' },
      { match: /(^|\.)(Redis|StrictRedis|Valkey|StrictValkey)(\.from_url)?$|^(redis|valkey)\.from_url$|^(aioredis|redis\.asyncio|valkey\.asyncio)\.from_url$/, mode: 'standalone' },
      { match: /\.(master_for|slave_for)$/, mode: 'sentinel' },
    ],
    clientTypes: /^(redis\.|valkey\.)?(asyncio\.)?(cluster\.)?(Redis|StrictRedis|RedisCluster|Valkey|StrictValkey|ValkeyCluster)(\[.*\])?$|^["'](Redis|RedisCluster|Valkey|ValkeyCluster)["']$/,
    pipelineTypes: [{ match: /(^|\.)(Pipeline|ClusterPipeline)$/, transaction: false }],
    passThrough: /^(client|get_redis|get_connection)$/,
    pipelineMethods: [{ match: /^pipeline$/, transaction: 'kwarg' }],
    genericMethods: /^execute_command$/,
    // incr/decr send INCRBY/DECRBY with amount=1 (redis-py commands/core.py)
    // r[k], r[k] = v, del r[k], k in r: Redis.__getitem__ / __setitem__ / __delitem__ / __contains__
    aliases: { delete: 'del', mget_nonatomic: 'mget', mset_nonatomic: 'mset', incr: 'incrby', decr: 'decrby', __getitem__: 'get', __setitem__: 'set', __delitem__: 'del', __contains__: 'exists' },
    // blpop(keys, timeout=0): the timeout may be left out
    argumentForms: Object.fromEntries(BLOCKING_POPS.map((n) => [n, { command: n, timeout: 'default' } satisfies ArgumentForm])),
  },
  {
    library: 'ioredis',
    languages: ['javascript', 'typescript', 'tsx'],
    // iovalkey is ioredis's fork for Valkey, with the same API and cluster behaviour
    modules: /^(ioredis|iovalkey)$/,
    layout: 'verbatim',
    constructors: [
      { match: /^(Redis\.Cluster|IORedis\.Cluster|Cluster|ioredis\.Cluster|Valkey\.Cluster|iovalkey\.Cluster)$/, mode: 'cluster', needsNew: true },
      { match: /^(Redis|IORedis|ioredis|Redis\.default|Valkey|iovalkey|Valkey\.default)$/, mode: 'standalone', needsNew: true },
    ],
    clientTypes: /^(Redis|IORedis|Cluster|Redis\.Cluster|Valkey|Valkey\.Cluster)$/,
    pipelineTypes: [{ match: /^(ChainableCommander|Pipeline)$/, transaction: false }],
    passThrough: /^(duplicate)$/,
    pipelineMethods: [
      { match: /^pipeline$/, transaction: false },
      { match: /^multi$/, transaction: true },
    ],
    genericMethods: /^(call|send_command|callBuffer)$/,
  },
  {
    library: 'node-redis',
    languages: ['javascript', 'typescript', 'tsx'],
    modules: /^(redis|@redis\/client)$/,
    layout: 'idiomatic',
    constructors: [
      { match: /(^|\.)createCluster$/, mode: 'cluster' },
      { match: /(^|\.)createSentinel$/, mode: 'sentinel' },
      { match: /(^|\.)createClient$/, mode: 'standalone' },
    ],
    clientTypes: /^(RedisClientType|RedisClusterType|RedisClientType<.*>|RedisClusterType<.*>|ReturnType<typeof(createClient|createCluster)>)$/,
    passThrough: /^(duplicate|connect|withTypeMapping|isolated)$/,
    pipelineMethods: [{ match: /^multi$/, transaction: true }],
    genericMethods: /^sendCommand$/,
  },
  {
    // Valkey GLIDE (Node `@valkey/valkey-glide`, Python `glide`, Java `glide.api`): methods named after
    // commands, keys of multi-key commands as a list (an array in Java); batches are made with
    // `new ClusterBatch(isAtomic)` (values.ts)
    library: 'valkey-glide',
    languages: ['javascript', 'typescript', 'tsx', 'python', 'java', 'kotlin', 'go'],
    modules: /^@valkey\/valkey-glide$|^glide(\..*)?$|^github\.com\/valkey-io\/valkey-glide\/go(\/v\d+)?$/,
    layout: 'idiomatic',
    // Go: every client method takes a context first (a batch's methods do not)
    skipFirstArg: ['go'],
    constructors: [
      { match: /^GlideClusterClient\.(createClient|create)$|^glide\.NewClusterClient$/, mode: 'cluster' },
      { match: /^GlideClient\.(createClient|create)$|^glide\.NewClient$/, mode: 'standalone' },
    ],
    clientTypes: /^(GlideClient|GlideClusterClient|BaseClient|TGlideClient)$|^\*?glide\.(Client|ClusterClient)$|^interfaces\.(GlideClientCommands|GlideClusterClientCommands|BaseClientCommands)$/,
    pipelineTypes: [
      { match: /^(Batch|ClusterBatch)$/, transaction: false },
      { match: /^(Transaction|ClusterTransaction)$/, transaction: true },
    ],
    passThrough: /^$/,
    pipelineMethods: [],
    genericMethods: /^(customCommand|custom_command|CustomCommand)$/,
    // (the scores variants of ZRANGE in each language's API)
    aliases: { delete: 'del', zrangeWithScores: 'zrange', zrange_withscores: 'zrange', ZRangeWithScores: 'zrange' },
  },
  {
    library: 'go-redis',
    languages: ['go'],
    modules: /^github\.com\/(redis|go-redis)\/(go-)?redis(\/v\d+)?$/,
    layout: 'idiomatic',
    skipFirstArg: true,
    constructors: [
      { match: /^redis\.(NewClusterClient|NewFailoverClusterClient)$/, mode: 'cluster' },
      { match: /^redis\.NewFailoverClient$/, mode: 'sentinel' },
      { match: /^redis\.NewUniversalClient$/, mode: 'universal' },
      { match: /^redis\.(NewClient|NewRing)$/, mode: 'standalone' },
    ],
    clientTypes: /^\*?redis\.(Client|ClusterClient|UniversalClient|Cmdable|Ring|StatefulCmdable)$/,
    pipelineTypes: [
      { match: /^redis\.Pipeliner$/, transaction: false },
      { match: /^\*?redis\.Tx$/, transaction: true },
    ],
    passThrough: /^(WithContext|Conn)$/,
    pipelineMethods: [
      { match: /^(TxPipeline|TxPipelined)$/, transaction: true },
      { match: /^(Pipeline|Pipelined)$/, transaction: false },
    ],
    genericMethods: /^Do$/,
    // go-redis commands.go / stream_commands.go: methods named after a variant, a subcommand, or taking an args struct
    aliases: { XRangeN: 'xrange', XRevRangeN: 'xrevrange', ZAddNX: 'zadd', ZAddXX: 'zadd', ZAddGT: 'zadd', ZAddLT: 'zadd', ZRangeWithScores: 'zrange', ZRevRangeWithScores: 'zrevrange', ZRangeByScoreWithScores: 'zrangebyscore', ZRevRangeByScoreWithScores: 'zrevrangebyscore', SetArgs: 'set', XTrimMaxLen: 'xtrim', XTrimMaxLenApprox: 'xtrim', XTrimMinID: 'xtrim', XTrimMinIDApprox: 'xtrim' },
    argumentForms: {
      XGroupCreate: { command: 'xgroup', sub: 'CREATE' },
      XGroupCreateMkStream: { command: 'xgroup', sub: 'CREATE' },
      XGroupDestroy: { command: 'xgroup', sub: 'DESTROY' },
      XGroupSetID: { command: 'xgroup', sub: 'SETID' },
      XGroupDelConsumer: { command: 'xgroup', sub: 'DELCONSUMER' },
      XGroupCreateConsumer: { command: 'xgroup', sub: 'CREATECONSUMER' },
      XInfoConsumers: { command: 'xinfo', sub: 'CONSUMERS' },
      XInfoGroups: { command: 'xinfo', sub: 'GROUPS' },
      XInfoStream: { command: 'xinfo', sub: 'STREAM' },
      XInfoStreamFull: { command: 'xinfo', sub: 'STREAM' },
      XAdd: { command: 'xadd', field: 'Stream' },
      XPendingExt: { command: 'xpending', field: 'Stream' },
      XAutoClaim: { command: 'xautoclaim', field: 'Stream' },
      XAutoClaimJustID: { command: 'xautoclaim', field: 'Stream' },
      XClaim: { command: 'xclaim', field: 'Stream' },
      XClaimJustID: { command: 'xclaim', field: 'Stream' },
      XRead: { command: 'xread', field: 'Streams', streams: 'STREAMS' },
      XReadGroup: { command: 'xreadgroup', field: 'Streams', streams: 'GROUP' },
      // BLPop(ctx, timeout, keys...), BLMPop(ctx, timeout, direction, count, keys...)
      ...TIMEOUT_FIRST(BLOCKING_POPS, (n) => ({ blpop: 'BLPop', brpop: 'BRPop', bzpopmin: 'BZPopMin', bzpopmax: 'BZPopMax' })[n]!),
      BLMPop: { command: 'blmpop', keysAfter: 3 },
      BZMPop: { command: 'bzmpop', keysAfter: 3 },
      LMPop: { command: 'lmpop', keysAfter: 2 },
      ZMPop: { command: 'zmpop', keysAfter: 2 },
    },
  },
  {
    // github.com/gomodule/redigo: one connection to one node (`redis.Dial`, `pool.Get()`), every command
    // sent as `conn.Do("MGET", k1, k2)` or queued with `conn.Send(…)`; MULTI/EXEC are commands too
    library: 'redigo',
    languages: ['go'],
    modules: /^github\.com\/(gomodule|garyburd)\/redigo\/redis$/,
    layout: 'verbatim',
    constructors: [{ match: /^redis\.(Dial|DialURL|DialContext|DialURLContext|DialTimeout|NewConn)$/, mode: 'standalone' }],
    clientTypes: /^\*?redis\.(Conn|Pool|ConnWithContext|ConnWithTimeout)$/,
    passThrough: /^(Get|GetContext)$/,
    pipelineMethods: [],
    genericMethods: /^(Do|Send)$/,
  },
  {
    // github.com/redis/rueidis and its fork github.com/valkey-io/valkey-go: commands built with
    // `client.B().Mget().Key(a, b).Build()` and sent with Do / DoMulti / DoCache (clients/calls.ts reads
    // the builder chain as the command line); NewClient finds out itself whether the server is a cluster
    library: 'rueidis',
    languages: ['go'],
    modules: /^github\.com\/(redis|rueian)\/rueidis$|^github\.com\/valkey-io\/valkey-go$/,
    layout: 'verbatim',
    constructors: [{ match: /^(rueidis|valkey)\.NewClient$/, mode: 'unknown' }],
    clientTypes: /^(rueidis|valkey)\.(Client|DedicatedClient|CoreClient)$/,
    passThrough: /^$/,
    pipelineMethods: [],
    genericMethods: /^$/,
  },
  {
    library: 'jedis',
    languages: ['java', 'kotlin'],
    modules: /^redis\.clients\.jedis/,
    layout: 'idiomatic',
    constructors: [
      { match: /^JedisCluster$/, mode: 'cluster', needsNew: true },
      { match: /^(Jedis|JedisPooled|UnifiedJedis|JedisPool)$/, mode: 'standalone', needsNew: true },
      { match: /^JedisSentinelPool$/, mode: 'sentinel', needsNew: true },
    ],
    clientTypes: /^(Jedis|JedisCluster|JedisPooled|UnifiedJedis|JedisCommands)$/,
    pipelineTypes: [
      { match: /^(Pipeline|ClusterPipeline)$/, transaction: false },
      { match: /^Transaction$/, transaction: true },
    ],
    passThrough: /^(getResource)$/,
    pipelineMethods: [
      { match: /^pipelined$/, transaction: false },
      { match: /^multi$/, transaction: true },
    ],
    genericMethods: /^sendCommand$/,
    // blpop(timeout, keys…), blmpop(timeout, direction, [count,] keys…), lmpop(direction, [count,] keys…)
    argumentForms: {
      ...TIMEOUT_FIRST(BLOCKING_POPS),
      blmpop: { command: 'blmpop', keysAfter: 2, countMayFollow: true },
      bzmpop: { command: 'bzmpop', keysAfter: 2, countMayFollow: true },
      lmpop: { command: 'lmpop', keysAfter: 1, countMayFollow: true },
      zmpop: { command: 'zmpop', keysAfter: 1, countMayFollow: true },
    },
  },
  {
    library: 'lettuce',
    languages: ['java', 'kotlin'],
    modules: /^io\.lettuce\.core/,
    layout: 'idiomatic',
    constructors: [
      { match: /^RedisClusterClient\.create$/, mode: 'cluster' },
      { match: /^RedisClient\.create$/, mode: 'standalone' },
    ],
    // the command interfaces and their per-group parts (RedisKeyAsyncCommands, RedisStringCommands, RedisClusterAsyncCommands …)
    // (Kotlin: the coroutines API, `connection.coroutines()`, is RedisCoroutinesCommands and its per-group parts)
    clientTypes: /^(Redis(Advanced)?(Cluster)?(Key|String|Hash|List|Set|SortedSet|Script|Stream|Geo|HLL|Transactional|Server)?(Async|Reactive|Coroutines|Suspendable)?Commands|StatefulRedisConnection|StatefulRedisClusterConnection)(<.*>)?$/,
    passThrough: /^(connect|connectPubSub|sync|async|reactive|coroutines|getConnection)$/,
    pipelineMethods: [],
    genericMethods: /^dispatch$/,
    // WAIT on a MasterReplica / standalone connection
    aliases: { waitForReplication: 'wait' },
    // blpop(timeout, keys…), blmpop(timeout, LMPopArgs, keys…), lmpop(LMPopArgs, keys…)
    argumentForms: {
      ...TIMEOUT_FIRST(BLOCKING_POPS),
      blmpop: { command: 'blmpop', keysAfter: 2 },
      bzmpop: { command: 'bzmpop', keysAfter: 2 },
      lmpop: { command: 'lmpop', keysAfter: 1 },
      zmpop: { command: 'zmpop', keysAfter: 1 },
    },
  },
  {
    library: 'redisson',
    languages: ['java', 'kotlin'],
    modules: /^org\.redisson/,
    layout: 'idiomatic',
    constructors: [{ match: /^Redisson\.create$/, mode: 'unknown' }],
    // CommandAsyncExecutor: the command executor Redisson's own objects (and libraries built on it) send through
    clientTypes: /^(RedissonClient|RScript|CommandAsyncExecutor|CommandExecutor|CommandAsyncService|CommandSyncService)$/,
    pipelineTypes: [{ match: /^RBatch$/, transaction: false }],
    passThrough: /^(getScript)$/,
    pipelineMethods: [{ match: /^createBatch$/, transaction: false }],
    genericMethods: /^$/,
  },
  {
    // a template whose methods are named for what they do (clients/spring.ts maps them to commands);
    // Lettuce or Jedis underneath decides nothing here: Spring's own cluster connection splits or refuses
    library: 'spring-data-redis',
    languages: ['java', 'kotlin'],
    modules: /^org\.springframework\.data\.redis/,
    layout: 'verbatim',
    constructors: [{ match: /^(Reactive)?(String)?RedisTemplate$/, mode: 'unknown', needsNew: true }],
    clientTypes:
      /^(Reactive)?(String)?Redis(Template|Operations)(<.*>)?$|^(Reactive)?(Bound)?(Value|Hash|List|Set|ZSet|HyperLogLog|Geo|Stream)Operations(<.*>)?$|^(Reactive)?(String)?Redis(Cluster)?Connection(Factory)?$|^(Lettuce|Jedis)ConnectionFactory$|^Redis(String|Key|Hash|List|Set|ZSet|Geo|HyperLogLog|Stream|Scripting)Commands$/,
    passThrough: /^$/,
    pipelineMethods: [],
    genericMethods: /^$/,
  },
];

export const PROFILE_BY_LIBRARY = new Map(PROFILES.map((p) => [p.library, p]));

/** The Redis libraries a file imports. */
export function librariesOf(file: FileFacts): Profile[] {
  const out: Profile[] = [];
  for (const p of PROFILES) {
    if (!p.languages.includes(file.language)) continue;
    if (file.imports.some((i) => p.modules.test(i.module))) out.push(p);
  }
  return out;
}

/**
 * Methods that only a Redis client (or a wrapper that mirrors one) has: no dict, Map, HTTP client
 * or generic cache calls them. `get`, `set`, `delete`, `exists`, `keys`, `publish` are not here, nor
 * `unlink` (fs.unlink) and `persist` (MobX, sessions).
 * Compared in lower case (go-redis `ZAdd`, node-redis `hGetAll`).
 */
const REDIS_ONLY_METHODS =
  'hget|hset|hsetnx|hmset|hmget|hgetall|hincrby|hincrbyfloat|hdel|hexists|hkeys|hvals|hlen|hscan|zadd|zrem|zrange|zrevrange|zrangebyscore|zrevrangebyscore|zremrangebyscore|zremrangebyrank|zscore|zmscore|zcard|zcount|zincrby|zrank|zrevrank|zpopmin|zpopmax|bzpopmin|zscan|zunionstore|zinterstore|sadd|srem|smembers|sismember|smismember|scard|spop|srandmember|smove|sunion|sunionstore|sinter|sinterstore|sdiff|sdiffstore|sscan|lpush|rpush|lpushx|rpushx|lpop|rpop|lrange|llen|lrem|ltrim|lindex|lset|linsert|blpop|brpop|brpoplpush|rpoplpush|lmove|blmove|incrby|decrby|incrbyfloat|expire|pexpire|expireat|pexpireat|ttl|pttl|setex|psetex|setnx|getset|getdel|getex|mget|mset|msetnx|evalsha|register_script|xadd|xread|xreadgroup|xack|xrange|xrevrange|xlen|xtrim|xdel|xgroup|xpending|xclaim|xautoclaim|pfadd|pfcount|pfmerge|setbit|getbit|bitcount|geoadd|georadius|geosearch|txpipeline|pipelined|txpipelined|scriptload|script_load|definecommand|multi';
export const REDIS_ONLY_METHOD = new RegExp(`^(${REDIS_ONLY_METHODS})$`);
/** A call of a Redis-only method in source text (`.zadd(`, `.HGetAll(`), or `redis.call(` in Lua held in a string. */
export const REDIS_ONLY_CALL_TEXT = new RegExp(`\\.(?:${REDIS_ONLY_METHODS})\\s*\\(|\\bredis\\.p?call\\s*\\(`, 'i');

/**
 * Redisson objects are named keys: `redisson.getBucket("user:1")`. The object's name is the key;
 * the command depends on the method called on the object, so we record the getter itself.
 */
/** Methods on a Redisson object that change it, and that only read it (an `Async`/`Rx` suffix is the same operation). */
export const REDISSON_WRITES = /^(set|trySet|setIfExists|getAndSet|getAndDelete|getAndClear|compareAndSet|put|putIfAbsent|putAll|fastPut|fastPutIfAbsent|fastRemove|add|addAll|addAndGet|incrementAndGet|decrementAndGet|getAndIncrement|getAndDecrement|remove|removeAll|delete|unlink|expire|expireAt|clearExpire|clear|offer|poll|pollFirst|pollLast|push|pop|addFirst|addLast|removeFirst|removeLast|trim|merge|replace)(Async|Rx)?$/;
/** CommandAsyncExecutor methods: (key, codec, command, params…); the eval ones (key, codec, command, script, keys, params…). */
export const REDISSON_EXECUTOR = /^(readAsync|writeAsync|evalReadAsync|evalWriteAsync|evalRead|evalWrite)$/;
export const REDISSON_READS = /^(get|isExists|size|sizeInMemory|readAll|readAllMap|readAllSet|readAllValues|readAllKeySet|readAllEntrySet|contains|containsKey|containsValue|containsAll|peek|peekFirst|peekLast|getAll|entrySet|keySet|values|range|valueRange|first|last|rank|getScore|count|remainTimeToLive)(Async|Rx)?$/;

export const REDISSON_OBJECT_GETTERS = /^get(Bucket|Map|MapCache|Set|SetCache|List|Queue|Deque|BlockingQueue|Lock|FairLock|ReadWriteLock|AtomicLong|AtomicDouble|Semaphore|CountDownLatch|ScoredSortedSet|SortedSet|LexSortedSet|Topic|HyperLogLog|Geo|BitSet|BloomFilter|RateLimiter|Stream|TimeSeries|JsonBucket|BinaryStream|Buckets)$/;

/** Script-defining calls whose first string argument is Lua source. */
export const SCRIPT_DEFINERS: { library: Library; method: RegExp; sourceArg: number | 'lua-option' }[] = [
  { library: 'redis-py', method: /^register_script$/, sourceArg: 0 },
  { library: 'ioredis', method: /^defineCommand$/, sourceArg: 'lua-option' },
  { library: 'node-redis', method: /^defineScript$/, sourceArg: 'lua-option' },
  { library: 'go-redis', method: /^NewScript$/, sourceArg: 0 },
];
