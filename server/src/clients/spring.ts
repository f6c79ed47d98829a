/*
 * Spring Data Redis (org.springframework.data.redis): a template (`RedisTemplate`,
 * `StringRedisTemplate`, their reactive twins, `RedisOperations`) whose methods are named for what
 * they do, not for the command, and whose operations views (`opsForHash()`, `boundHashOps(key)`)
 * give one name several commands (`size` is STRLEN, HLEN, LLEN, SCARD or ZCARD). Each method's
 * command and where its keys go are read from spring-data-redis's Default*Operations and
 * RedisTemplate (main, 2026); see docs/libraries/spring-data-redis.md.
 *
 * A form is the command line in the server's order, one token per argument:
 *   `0`, `1` … the method's argument at that index;
 *   `*1`      that argument, one key or a collection of keys;
 *   `...1`    every argument from that index on (varargs keys);
 *   `#`       the number of keys that follow (numkeys commands);
 *   `_`       an argument whose value does not matter;
 *   `CREATE`  a literal word (a subcommand).
 * A bound view (`boundHashOps(key).put(hk, v)`) takes the bound key as its argument 0, so the
 * forms are the same as for `opsForHash().put(key, hk, v)`.
 */

/** The operations view a method is called on: the template itself, or `opsForX()` / `boundXOps(key)`. */
export type SpringOps = 'template' | 'value' | 'hash' | 'list' | 'set' | 'zset' | 'hyperloglog' | 'geo' | 'stream' | 'connection';

/** Forms by argument count; `n` is any count not listed. */
type Forms = string | Record<number | 'n', string>;

const TEMPLATE: Record<string, Forms> = {
  delete: 'del *0',
  unlink: 'unlink *0',
  hasKey: 'exists 0',
  countExistingKeys: 'exists *0',
  expire: 'pexpire 0',
  expireAt: 'pexpireat 0',
  persist: 'persist 0',
  getExpire: { 1: 'ttl 0', n: 'pttl 0' },
  rename: 'rename 0 1',
  renameIfAbsent: 'renamenx 0 1',
  type: 'type 0',
  dump: 'dump 0',
  restore: 'restore 0',
  copy: 'copy 0 1',
  watch: 'watch *0',
};

const VALUE: Record<string, Forms> = {
  get: { 1: 'get 0', n: 'getrange 0' },
  getAndDelete: 'getdel 0',
  getAndExpire: 'getex 0',
  getAndPersist: 'getex 0',
  getAndSet: 'getset 0 1',
  increment: { 1: 'incr 0', n: 'incrby 0 1' },
  decrement: { 1: 'decr 0', n: 'decrby 0 1' },
  append: 'append 0 1',
  size: 'strlen 0',
  setBit: 'setbit 0',
  getBit: 'getbit 0',
  bitField: 'bitfield 0',
  multiGet: 'mget *0',
  multiSet: 'mset *0',
  multiSetIfAbsent: 'msetnx *0',
  set: 'set 0 1',
  setIfAbsent: 'set 0 1',
  setIfPresent: 'set 0 1',
  setGet: 'set 0 1',
  // the reactive view's
  delete: 'del 0',
};

const HASH: Record<string, Forms> = {
  get: 'hget 0 1',
  hasKey: 'hexists 0 1',
  increment: 'hincrby 0 1',
  randomKey: 'hrandfield 0',
  randomKeys: 'hrandfield 0',
  randomEntry: 'hrandfield 0',
  randomEntries: 'hrandfield 0',
  keys: 'hkeys 0',
  size: 'hlen 0',
  lengthOfValue: 'hstrlen 0 1',
  putAll: 'hmset 0',
  multiGet: 'hmget 0',
  put: 'hset 0 1 2',
  putIfAbsent: 'hsetnx 0 1 2',
  values: 'hvals 0',
  delete: 'hdel 0',
  entries: 'hgetall 0',
  scan: 'hscan 0',
  getAndDelete: 'hgetdel 0',
  getAndExpire: 'hgetex 0',
  putAndExpire: 'hsetex 0',
  expire: 'hexpire 0',
  expireAt: 'hexpireat 0',
  persist: 'hpersist 0',
  getTimeToLive: 'httl 0',
};

const LIST: Record<string, Forms> = {
  index: 'lindex 0',
  indexOf: 'lpos 0',
  lastIndexOf: 'lpos 0',
  // leftPop(key), leftPop(key, count) or leftPop(key, Duration); leftPop(key, timeout, unit) blocks
  leftPop: { 3: 'blpop 0 _', n: 'lpop 0' },
  rightPop: { 3: 'brpop 0 _', n: 'rpop 0' },
  leftPush: { 3: 'linsert 0 _ _ _', n: 'lpush 0' },
  rightPush: { 3: 'linsert 0 _ _ _', n: 'rpush 0' },
  leftPushAll: 'lpush 0',
  rightPushAll: 'rpush 0',
  leftPushIfPresent: 'lpushx 0',
  rightPushIfPresent: 'rpushx 0',
  size: 'llen 0',
  range: 'lrange 0',
  remove: 'lrem 0',
  set: 'lset 0',
  trim: 'ltrim 0',
  rightPopAndLeftPush: { 2: 'rpoplpush 0 1', n: 'brpoplpush 0 1 _' },
  // move(sourceKey, from, destinationKey, to[, timeout…])
  move: { 4: 'lmove 0 2 _ _', n: 'blmove 0 2 _ _ _' },
};

/** SUNION-like set algebra: (keys), (key, otherKey or otherKeys); the store forms end with the destination. */
function setAlgebra(command: string): Record<string, Forms> {
  return {
    [command]: { 1: `s${command} *0`, n: `s${command} 0 *1` },
    [`${command}AndStore`]: { 2: `s${command}store 1 *0`, n: `s${command}store 2 0 *1` },
  };
}

const SET: Record<string, Forms> = {
  add: 'sadd 0',
  isMember: 'sismember 0',
  members: 'smembers 0',
  move: 'smove 0 2 1',
  randomMember: 'srandmember 0',
  randomMembers: 'srandmember 0',
  distinctRandomMembers: 'srandmember 0',
  remove: 'srem 0',
  pop: 'spop 0',
  size: 'scard 0',
  scan: 'sscan 0',
  intersectSize: { 1: 'sintercard # *0', n: 'sintercard # 0 *1' },
  // the methods are union/intersect/difference; the commands SUNION/SINTER/SDIFF
  ...renamed(setAlgebra('union'), 'union'),
  ...renamed(setAlgebra('inter'), 'intersect'),
  ...renamed(setAlgebra('diff'), 'difference'),
};

function renamed(forms: Record<string, Forms>, method: string): Record<string, Forms> {
  return Object.fromEntries(Object.entries(forms).map(([m, f]) => [m.replace(/^(union|inter|diff)/, method), f]));
}

/** ZUNION-like: (key, otherKey(s)[, aggregate, weights]), the store form with the destination third. */
function zsetAlgebra(command: string, method: string): Record<string, Forms> {
  return {
    [method]: `z${command} # 0 *1`,
    [`${method}WithScores`]: `z${command} # 0 *1`,
    [`${method}AndStore`]: `z${command}store 2 # 0 *1`,
  };
}

const ZSET: Record<string, Forms> = {
  add: 'zadd 0',
  addIfAbsent: 'zadd 0',
  incrementScore: 'zincrby 0',
  randomMember: 'zrandmember 0',
  randomMembers: 'zrandmember 0',
  distinctRandomMembers: 'zrandmember 0',
  randomMemberWithScore: 'zrandmember 0',
  randomMembersWithScore: 'zrandmember 0',
  distinctRandomMembersWithScore: 'zrandmember 0',
  range: 'zrange 0',
  rangeWithScores: 'zrange 0',
  reverseRange: 'zrevrange 0',
  reverseRangeWithScores: 'zrevrange 0',
  rangeByLex: 'zrangebylex 0',
  reverseRangeByLex: 'zrevrangebylex 0',
  rangeByScore: 'zrangebyscore 0',
  rangeByScoreWithScores: 'zrangebyscore 0',
  reverseRangeByScore: 'zrevrangebyscore 0',
  reverseRangeByScoreWithScores: 'zrevrangebyscore 0',
  rangeAndStoreByLex: 'zrangestore 1 0',
  reverseRangeAndStoreByLex: 'zrangestore 1 0',
  rangeAndStoreByScore: 'zrangestore 1 0',
  reverseRangeAndStoreByScore: 'zrangestore 1 0',
  rank: 'zrank 0',
  reverseRank: 'zrevrank 0',
  remove: 'zrem 0',
  removeRange: 'zremrangebyrank 0',
  removeRangeByLex: 'zremrangebylex 0',
  removeRangeByScore: 'zremrangebyscore 0',
  score: 'zscore 0',
  count: 'zcount 0',
  lexCount: 'zlexcount 0',
  popMin: { 3: 'bzpopmin 0 _', n: 'zpopmin 0' },
  popMax: { 3: 'bzpopmax 0 _', n: 'zpopmax 0' },
  size: 'zcard 0',
  zCard: 'zcard 0',
  scan: 'zscan 0',
  ...zsetAlgebra('union', 'union'),
  ...zsetAlgebra('inter', 'intersect'),
  ...zsetAlgebra('diff', 'difference'),
};

const HYPERLOGLOG: Record<string, Forms> = {
  add: 'pfadd 0',
  size: 'pfcount ...0',
  union: 'pfmerge 0 ...1',
  delete: 'del 0',
};

const GEO: Record<string, Forms> = {
  add: 'geoadd 0',
  distance: 'geodist 0',
  hash: 'geohash 0',
  position: 'geopos 0',
  radius: 'georadius 0',
  search: 'geosearch 0',
  searchAndStore: 'geosearchstore 1 0',
  remove: 'zrem 0',
};

const STREAM: Record<string, Forms> = {
  add: 'xadd 0',
  acknowledge: 'xack 0',
  delete: 'xdel 0',
  createGroup: 'xgroup CREATE 0',
  destroyGroup: 'xgroup DESTROY 0',
  deleteConsumer: 'xgroup DELCONSUMER 0',
  size: 'xlen 0',
  range: 'xrange 0',
  reverseRange: 'xrevrange 0',
  trim: 'xtrim 0',
  pending: 'xpending 0',
  claim: 'xclaim 0',
};

/**
 * What every bound view also is (BoundKeyOperations): the bound key's own expiry, type and name.
 * `boundHashOps(k).expire(timeout, unit)` is PEXPIRE of k; HashOperations' `expire(k, timeout, fields)` is HEXPIRE.
 */
const BOUND_KEY: Record<string, Forms> = {
  expire: 'pexpire 0',
  expireAt: 'pexpireat 0',
  persist: 'persist 0',
  getExpire: 'ttl 0',
  getType: 'type 0',
  rename: 'rename 0 1',
};

const FORMS: Record<Exclude<SpringOps, 'connection'>, Record<string, Forms>> = { template: TEMPLATE, value: VALUE, hash: HASH, list: LIST, set: SET, zset: ZSET, hyperloglog: HYPERLOGLOG, geo: GEO, stream: STREAM };

/** The view `opsForHash()` / `boundHashOps(k)` returns, or that a declared `HashOperations<…>` / `BoundZSetOperations<…>` is. */
export function springOpsOf(name: string): SpringOps | undefined {
  if (SPRING_CONNECTION.test(name)) return 'connection';
  const m = SPRING_VIEW.exec(name) ?? SPRING_BOUND.exec(name) ?? SPRING_VIEW_TYPE.exec(name);
  return m ? (m[1].toLowerCase() as SpringOps) : undefined;
}

/**
 * The connection under the template (`factory.getConnection()`, a `RedisConnection` in a callback, its
 * `stringCommands()` …): methods named for the command (`mGet`, `pSetEx`, `hSet`), read as any client's.
 */
const SPRING_CONNECTION = /^(get(Cluster|Reactive|ReactiveCluster)?Connection|(string|key|hash|list|set|zSet|geo|hyperLogLog|stream|scripting)Commands)$|^(Reactive)?(String)?Redis(Cluster)?Connection(<.*>)?$|^Redis(String|Key|Hash|List|Set|ZSet|Geo|HyperLogLog|Stream|Scripting)Commands$/;

const SPRING_VIEW_TYPE = /^(?:Reactive)?(?:Bound)?(Value|Hash|List|Set|ZSet|HyperLogLog|Geo|Stream)Operations(<.*>)?$/;

/** A method that returns a bound view over the key it is given. */
export const SPRING_BOUND = /^bound(Value|Hash|List|Set|ZSet|Geo|Stream)Ops$/;
/** A method that returns an operations view of the template. */
export const SPRING_VIEW = /^opsFor(Value|Hash|List|Set|ZSet|HyperLogLog|Geo|Stream)$/;

/**
 * The form (tokens) of a method called with `argc` arguments (a bound view's key counted) on a view,
 * or undefined when it sends no keyed command. `keyLevel`: a bound view's method of the key itself.
 */
export function springForm(ops: Exclude<SpringOps, 'connection'>, method: string, argc: number, keyLevel = false): string[] | undefined {
  const table = keyLevel && Object.prototype.hasOwnProperty.call(BOUND_KEY, method) ? BOUND_KEY : FORMS[ops];
  if (!Object.prototype.hasOwnProperty.call(table, method)) return undefined;
  const forms = table[method];
  const form = typeof forms === 'string' ? forms : (forms[argc] ?? forms.n);
  return form?.split(' ');
}

/** Spring's Kotlin extensions: `getAndAwait(key)` is `get(key)` awaited, `membersAsFlow(key)` is `members(key)` as a Flow. */
export function springMethod(name: string): string {
  return name.replace(/(AndAwait|AsFlow)$/, '');
}

/** Every method name a view can send a command with, and the template's script and callback methods. */
export const SPRING_METHODS = new Set([...Object.values(FORMS).flatMap((f) => Object.keys(f)), ...Object.keys(BOUND_KEY), 'execute', 'executePipelined']);
