import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { checkFolder } from '../../server/src/index/check';
import { loadConfig } from '../../server/src/index/config';
import { usesByLine } from '../helpers/uses';

/*
 * Spring Data Redis: the command each template or view method sends and the keys it takes, on the
 * rule fixture (the commands are spring-data-redis's, read from its Default*Operations and
 * RedisTemplate). A bound view's key is used on the line of the method that sends.
 */
const dir = path.join(__dirname, '..', 'fixtures', 'rules', 'java-spring-data-redis');

const EXPECTED: Record<string, string[]> = {
  'CartService.java:37': ['HINCRBY {cart:${userId}}:items'],
  'CartService.java:38': ['PEXPIRE {cart:${userId}}:items'],
  'CartService.java:42': ['HGETALL {cart:${userId}}:items'],
  'CartService.java:46': ['GET price:${sku}'],
  'CartService.java:51': ['MGET cart:${userId}:coupon', 'MGET user:${userId}:profile'],
  'CartService.java:55': ['MGET {user:${userId}}:profile', 'MGET {user:${userId}}:settings'],
  'CartService.java:60': ['ZUNIONSTORE rank:monday', 'ZUNIONSTORE rank:tuesday', 'ZUNIONSTORE rank:wednesday', 'ZUNIONSTORE rank:week'],
  'CartService.java:64': ['SINTER {tags}:${a}', 'SINTER {tags}:${b}'],
  'CartService.java:70': ['HSET {cart:${userId}}:items'],
  'CartService.java:71': ['EVAL stock:${sku}', 'EVAL {cart:${userId}}:items'],
  // keys from a list a helper returns: both are KEYS of the script, at the call
  'CartService.java:81': ['EVAL reserved:${sku}', 'EVAL stock:${sku}'],
  'CartService.java:85': ['DEL {cart:${userId}}:items'],
  'JobQueue.java:25': ['LPUSH queue:${queue}'],
  'JobQueue.java:30': ['RPOPLPUSH processing:${queue}', 'RPOPLPUSH queue:${queue}'],
  'JobQueue.java:34': ['RPOPLPUSH {queue:${queue}}:active', 'RPOPLPUSH {queue:${queue}}:waiting'],
  'JobQueue.java:38': ['SET worker:${worker}:heartbeat'],
  'JobQueue.java:39': ['PEXPIRE worker:${worker}:heartbeat'],
  'JobQueue.java:45': ['LLEN queue:${queue}'],
  'JobQueue.java:57': ['LREM processing:${queue}'],
  'JobQueue.java:58': ['INCR stats:${queue}:done'],
};

describe('Spring Data Redis', () => {
  test('every template, view, bound view and connection call gives its command and keys', async () => {
    const { settings } = loadConfig(dir);
    const r = await checkFolder(dir, [dir], settings);
    assert.deepEqual(usesByLine(r.uses, r.texts, (u) => u.language === 'java'), EXPECTED);
  });
});
