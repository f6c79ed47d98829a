"""Key names shared by the web cache layer and the background workers.

Keys that are read or written together carry the same hash tag, so they live
on one cluster slot.
"""

USER_PREFIX = "user:"
PRODUCT_PREFIX = "product:"

# str.format template: {sku} is a placeholder, not a hash tag.
STOCK_KEY = "stock:{sku}"

# %-templates scoped to the user entity.
PROFILE_KEY = "{user:%s}:profile"
SETTINGS_KEY = "{user:%s}:settings"

# Legacy purchase records, tagged by the bare numeric id.
PURCHASE_KEY = "purchase:{%s}"

FEATURED_PRODUCTS = "products:featured"
PENDING_ORDERS = "orders:pending"
CART_TTL_SECONDS = 7 * 24 * 3600


def product_key(sku):
    return PRODUCT_PREFIX + sku


def last_seen_key(user_id):
    return "%s%s:last_seen" % (USER_PREFIX, user_id)
