package com.example.shop;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

public class CartService {

    private static final String CART_PREFIX = "cart:";
    private static final String USER_TAG_FMT = "{user:%d}";
    private static final String CART_ITEMS_FMT = "{cart:%d}:items";
    private static final long CART_TTL_SECONDS = 7L * 24 * 3600;

    private static final String MERGE_CART_LUA =
        "local items = redis.call('HGETALL', KEYS[1]) "
        + "for i = 1, #items, 2 do "
        + "  redis.call('HINCRBY', KEYS[2], items[i], items[i + 1]) "
        + "end "
        + "redis.call('DEL', KEYS[1]) "
        + "return #items / 2";

    private final JedisCluster jedis;

    public CartService() {
        Set<HostAndPort> nodes = new HashSet<>();
        nodes.add(new HostAndPort("redis-0.shop.internal", 6379));
        nodes.add(new HostAndPort("redis-1.shop.internal", 6379));
        this.jedis = new JedisCluster(nodes);
    }

    private static String cartKey(long userId) {
        return String.format(CART_ITEMS_FMT, userId);
    }

    public void addItem(long userId, String sku, int qty) {
        String key = cartKey(userId);
        jedis.hincrBy(key, sku, qty);
        jedis.expire(key, CART_TTL_SECONDS);
    }

    public Map<String, String> items(long userId) {
        return jedis.hgetAll(cartKey(userId));
    }

    public String coupon(long userId) {
        return jedis.get(CART_PREFIX + userId + ":coupon");
    }

    public List<String> checkoutHeader(long userId) {
        String profileKey = String.format(USER_TAG_FMT, userId) + ":profile";
        return jedis.mget(profileKey, CART_PREFIX + userId + ":coupon");
    }

    public List<String> account(long userId) {
        String tag = String.format(USER_TAG_FMT, userId);
        return jedis.mget(tag + ":profile", tag + ":settings");
    }

    public Object mergeGuestCart(String guestId, long userId) {
        String guestKey = "cart:guest:" + guestId;
        return jedis.eval(MERGE_CART_LUA, Arrays.asList(guestKey, cartKey(userId)), Collections.emptyList());
    }

    public boolean isStaffPurchase(long userId) {
        String employee = jedis.get("employee:{" + userId + "}");
        String purchase = jedis.get("purchase:{" + userId + "}");
        return employee != null && purchase != null;
    }

    public long clear(long userId) {
        return jedis.del(cartKey(userId), CART_PREFIX + userId + ":coupon");
    }
}
