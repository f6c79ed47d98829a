import json
import time

from redis.cluster import RedisCluster

from app.keys import (
    FEATURED_PRODUCTS,
    PENDING_ORDERS,
    PROFILE_KEY,
    PURCHASE_KEY,
    SETTINGS_KEY,
    STOCK_KEY,
    product_key,
)

SESSION_PREFIX = "session:"
SESSION_TTL = 3600

rc = RedisCluster(host="redis-cluster.internal", port=6379, read_from_replicas=True)

RESERVE_LUA = """
local stock = tonumber(redis.call('GET', KEYS[1]) or '0')
if stock < tonumber(ARGV[1]) then
  return 0
end
redis.call('DECRBY', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[1])
return 1
"""
reserve_stock = rc.register_script(RESERVE_LUA)


def cart_key(user_id):
    return f"{{cart:{user_id}}}:items"


def save_session(session_id, data):
    rc.set(SESSION_PREFIX + session_id, json.dumps(data), ex=SESSION_TTL)


def load_session(session_id):
    raw = rc.get(SESSION_PREFIX + session_id)
    return json.loads(raw) if raw else None


def add_to_cart(user_id, sku, qty):
    key = cart_key(user_id)
    rc.hset(key, mapping={sku: qty, "updated_at": int(time.time())})
    return rc.hgetall(key)


def product_page(sku):
    # product JSON and live stock level in one round trip
    details, stock = rc.mget(product_key(sku), STOCK_KEY.format(sku=sku))
    return json.loads(details or "{}"), int(stock or 0)


def account(user_id):
    profile, settings = rc.mget(PROFILE_KEY % user_id, SETTINGS_KEY % user_id)
    return {"profile": profile, "settings": settings}


def update_profile(user_id, profile):
    rc.set(PROFILE_KEY % user_id, json.dumps(profile))
    return json.loads(rc.get(PROFILE_KEY % user_id))


def order_status(order_id):
    return rc.get("order:{}:status".format(order_id))


def legacy_purchase(user_id):
    return rc.get(PURCHASE_KEY % user_id)


def homepage_banner():
    # the two hero products are picked by marketing
    hero = rc.execute_command("MGET", "price:A100", "price:B200")
    return hero, rc.smembers(FEATURED_PRODUCTS)


def staff_discount(staff_id):
    purchase, employee = rc.mget(PURCHASE_KEY % staff_id, "employee:{%s}" % staff_id)
    return bool(purchase and employee)


def preview_account():
    return rc.mget("{user:1001}:profile", "{user:1001}:settings")


def reserve(user_id, sku, qty):
    return reserve_stock(keys=[STOCK_KEY.format(sku=sku), cart_key(user_id)], args=[qty, sku])


def checkout(user_id, order_id):
    items_key = cart_key(user_id)
    with rc.pipeline(transaction=True) as pipe:
        pipe.hgetall(items_key)
        pipe.delete(items_key)
        pipe.lpush(PENDING_ORDERS, order_id)
        items, _, _ = pipe.execute()
    return items


def logout(session_id, user_id):
    rc.delete(SESSION_PREFIX + session_id, cart_key(user_id))
