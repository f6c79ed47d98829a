"""Where the service gets its Redis connection: one factory, configured from the environment."""
import os

from redis.cluster import RedisCluster


def make_client(**overrides):
    options = {"host": os.environ.get("REDIS_HOST", "redis-cluster.internal"), "port": 6379}
    options.update(overrides)
    return RedisCluster(**options)
