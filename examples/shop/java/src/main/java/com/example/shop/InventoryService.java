package com.example.shop;

import java.util.List;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;

public class InventoryService implements AutoCloseable {

    private static final String STOCK_PREFIX = "stock:";
    private static final String RESERVED_PREFIX = "reserved:";
    private static final String CATALOG_TAG = "{catalog}";

    private final RedisClusterClient client;
    private final StatefulRedisClusterConnection<String, String> connection;
    private final RedisAdvancedClusterCommands<String, String> redis;

    public InventoryService() {
        client = RedisClusterClient.create(RedisURI.create("redis://redis-0.shop.internal:6379"));
        connection = client.connect();
        connection.setReadFrom(ReadFrom.REPLICA);
        redis = connection.sync();
    }

    public long restock(String sku, long qty) {
        redis.incrby(STOCK_PREFIX + sku, qty);
        String level = redis.get(STOCK_PREFIX + sku);
        return level == null ? 0 : Long.parseLong(level);
    }

    public long available(String sku) {
        List<KeyValue<String, String>> values = redis.mget(STOCK_PREFIX + sku, RESERVED_PREFIX + sku);
        long stock = Long.parseLong(values.get(0).getValueOrElse("0"));
        long reserved = Long.parseLong(values.get(1).getValueOrElse("0"));
        return stock - reserved;
    }

    public long reserve(String sku, long qty) {
        return redis.incrby(RESERVED_PREFIX + sku, qty);
    }

    public long rebuildCatalog() {
        return redis.sunionstore("catalog:all", "catalog:eu", "catalog:us");
    }

    public long rebuildSale() {
        return redis.sinterstore(CATALOG_TAG + ":sale", CATALOG_TAG + ":discounted", CATALOG_TAG + ":in-stock");
    }

    public String warehouseOf(String sku) {
        return redis.hget("sku:" + sku, "warehouse");
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
