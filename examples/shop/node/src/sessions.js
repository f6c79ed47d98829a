"use strict";

const Redis = require("ioredis");
const {
  SESSION_PREFIX,
  cartItemsKey,
  savedForLaterKey,
  profileKey,
  recentlyViewedKey,
} = require("./keys");

const SESSION_TTL = 60 * 60;

const cluster = new Redis.Cluster(
  [
    { host: "redis-0.shop.internal", port: 6379 },
    { host: "redis-1.shop.internal", port: 6379 },
  ],
  { scaleReads: "slave", redisOptions: { password: process.env.REDIS_PASSWORD } }
);

cluster.defineCommand("moveItem", {
  numberOfKeys: 2,
  lua: `
    local qty = redis.call('HGET', KEYS[1], ARGV[1])
    if not qty then return 0 end
    redis.call('HDEL', KEYS[1], ARGV[1])
    redis.call('HINCRBY', KEYS[2], ARGV[1], qty)
    return tonumber(qty)
  `,
});

async function createSession(id, userId) {
  const data = JSON.stringify({ userId, createdAt: Date.now() });
  await cluster.set(`session:${id}`, data, "EX", SESSION_TTL);
  return cluster.get(`session:${id}`);
}

async function touchSession(id) {
  return cluster.expire(SESSION_PREFIX + id, SESSION_TTL);
}

async function mergeGuestSession(guestId, id) {
  const results = await cluster.pipeline().get(`session:${guestId}`).get(`session:${id}`).exec();
  const [guest, current] = results.map(([err, value]) => (err || !value ? {} : JSON.parse(value)));
  return { ...guest, ...current };
}

async function login(id, userId) {
  await cluster
    .multi()
    .set(`{user:${userId}}:last_login`, Date.now())
    .incr(`{user:${userId}}:logins`)
    .exec();
  return createSession(id, userId);
}

async function saveForLater(userId, sku) {
  return cluster.moveItem(cartItemsKey(userId), savedForLaterKey(userId), sku);
}

async function sessionWithProfile(id, userId) {
  const [session, profile] = await cluster.call("MGET", `session:${id}`, profileKey(userId));
  return { session: JSON.parse(session), profile };
}

async function recordView(userId, sku) {
  const key = recentlyViewedKey(userId);
  // both keys start with {} but that does not put them in one slot
  await cluster.multi().lpush(key, sku).ltrim(key, 0, 19).incr(`{}:views:${sku}`).exec();
}

async function logout(id, userId) {
  await cluster.del(`session:${id}`, cartItemsKey(userId));
}

module.exports = {
  createSession,
  touchSession,
  mergeGuestSession,
  login,
  saveForLater,
  sessionWithProfile,
  recordView,
  logout,
};
