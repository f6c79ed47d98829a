package com.example.shop;

import java.time.Duration;
import java.util.Arrays;

import org.redisson.Redisson;
import org.redisson.api.RBucket;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

public class RateLimiter {

    private static final String GLOBAL_COUNTER = "ratelimit:global";
    private static final int WINDOW_SECONDS = 60;

    private static final String WINDOW_LUA =
        "local n = redis.call('INCR', KEYS[1]) "
        + "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
        + "redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1]) "
        + "return n";

    private final RedissonClient redisson;

    public RateLimiter() {
        Config config = new Config();
        config.useClusterServers()
            .addNodeAddress("redis://redis-0.shop.internal:6379", "redis://redis-1.shop.internal:6379");
        this.redisson = Redisson.create(config);
    }

    private static String counterKey(String clientId) {
        return "ratelimit:{api:" + clientId + "}:count";
    }

    public boolean allow(String clientId, long limit) {
        RScript script = redisson.getScript(StringCodec.INSTANCE);
        String lastSeen = "ratelimit:{api:" + clientId + "}:last";
        Long count = script.eval(RScript.Mode.READ_WRITE, WINDOW_LUA, RScript.ReturnType.INTEGER,
            Arrays.asList(counterKey(clientId), lastSeen), WINDOW_SECONDS, System.currentTimeMillis());
        return count <= limit;
    }

    public boolean allowWithGlobalCap(String clientId, long limit) {
        RScript script = redisson.getScript(StringCodec.INSTANCE);
        Long count = script.eval(RScript.Mode.READ_WRITE, WINDOW_LUA, RScript.ReturnType.INTEGER,
            Arrays.asList(GLOBAL_COUNTER, counterKey(clientId)), WINDOW_SECONDS, System.currentTimeMillis());
        return count <= limit;
    }

    public void block(String clientId, Duration duration) {
        RBucket<String> bucket = redisson.getBucket("ratelimit:blocked:" + clientId, StringCodec.INSTANCE);
        bucket.set("1", duration);
    }

    public boolean isBlocked(String clientId) {
        RBucket<String> bucket = redisson.getBucket("ratelimit:blocked:" + clientId, StringCodec.INSTANCE);
        return bucket.isExists();
    }

    public void shutdown() {
        redisson.shutdown();
    }
}
