package com.example.shop;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory feature flags and config lookups. Nothing here talks to Redis,
 * even though the keys look like Redis keys.
 */
public class FeatureFlags {

    private final Map<String, String> flags = new HashMap<>();
    private final Map<String, Long> hits = new ConcurrentHashMap<>();
    private final Properties defaults = new Properties();

    public FeatureFlags() {
        flags.put("user:1", "beta");
        flags.put("cart:guest:checkout", "on");
        defaults.setProperty("session:ttl", "3600");
    }

    public String flagFor(long userId) {
        hits.merge("user:" + userId, 1L, Long::sum);
        String flag = flags.get("user:1");
        return flag != null ? flag : flags.getOrDefault("user:" + userId, "stable");
    }

    public String redisHost() {
        return System.getProperty("redis.host", "localhost");
    }

    public long sessionTtl() {
        String env = System.getenv("SESSION_TTL");
        return Long.parseLong(env != null ? env : defaults.getProperty("session:ttl"));
    }

    public boolean guestCheckout() {
        return "on".equals(flags.get("cart:guest:checkout"));
    }
}
