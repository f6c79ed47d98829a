package store

import (
	"fmt"
	"strconv"
)

// Key layout for order data. Everything an order touches atomically lives
// under the owning user's hash tag.
const (
	orderPrefix    = "order:"
	userOrdersFmt  = "{user:%d}:orders"
	userOrderFmt   = "{user:%d}:order:%d"
	pendingOrders  = "orders:pending"
	stockPrefix    = "stock:"
	promoEligible  = "{promo:spring}:eligible"
	promoVIP       = "{promo:spring}:vip"
	promoOptIn     = "{promo:spring}:newsletter"
	purchaseTagFmt = "purchase:{%d}"
)

func orderStatusKey(orderID int64) string {
	return orderPrefix + strconv.FormatInt(orderID, 10) + ":status"
}

func userOrderKey(userID, orderID int64) string {
	return fmt.Sprintf(userOrderFmt, userID, orderID)
}

func productViewsKey(sku string) string {
	return "{}:views:" + sku
}
