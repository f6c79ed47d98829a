"""Helpers that look like Redis calls but are not."""
import os
from collections import defaultdict

import requests

cache = {}
counters = defaultdict(int)

API_BASE = os.environ.get("API_BASE", "http://users.internal")
SECRET = os.environ.get("KEY")


def cached_user(user_id):
    user = cache.get("user:1")
    if user is None:
        resp = requests.get("http://x/user:1", timeout=2)
        user = resp.json()
        cache["user:%s" % user_id] = user
    return user


def remember(key, value):
    dict.setdefault(cache, key, value)
    cache.setdefault("session:abc", {})
    counters["hits"] += 1
    return cache.get(key)


def forget(key):
    cache.pop(key, None)
    requests.delete(f"{API_BASE}/cache/{key}", timeout=2)


def settings_for(user_id):
    return {
        "theme": cache.get(f"{{user:{user_id}}}:settings", {}).get("theme", "light"),
        "debug": os.getenv("DEBUG") == "1",
    }
