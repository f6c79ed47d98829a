package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

const orderTTL = 30 * 24 * time.Hour

var ErrNotCancellable = errors.New("order can no longer be cancelled")

var releaseStock = redis.NewScript(`
local reserved = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if reserved == 0 then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
return redis.call('INCRBY', KEYS[2], reserved)
`)

type OrderStore struct {
	rdb *redis.ClusterClient
}

func NewOrderStore() *OrderStore {
	rdb := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs: []string{"redis-0.shop.internal:6379", "redis-1.shop.internal:6379", "redis-2.shop.internal:6379"},
	})
	return &OrderStore{rdb: rdb}
}

func itemsKey(orderID int64) string {
	return fmt.Sprintf("order:%d:items", orderID)
}

func (s *OrderStore) Status(ctx context.Context, orderID int64) (string, error) {
	return s.rdb.Get(ctx, orderStatusKey(orderID)).Result()
}

func (s *OrderStore) Summary(ctx context.Context, orderID int64) ([]interface{}, error) {
	statusKey := orderStatusKey(orderID)
	totalKey := fmt.Sprintf("order:%d:total", orderID)
	return s.rdb.MGet(ctx, statusKey, totalKey).Result()
}

func (s *OrderStore) Place(ctx context.Context, userID, orderID int64, payload string) error {
	_, err := s.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.Set(ctx, userOrderKey(userID, orderID), payload, orderTTL)
		pipe.SAdd(ctx, fmt.Sprintf(userOrdersFmt, userID), orderID)
		pipe.LPush(ctx, pendingOrders, orderID)
		return nil
	})
	return err
}

func (s *OrderStore) Cancel(ctx context.Context, userID, orderID int64) error {
	key := userOrderKey(userID, orderID)
	ordersKey := fmt.Sprintf(userOrdersFmt, userID)
	return s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		state, err := tx.Get(ctx, key).Result()
		if err != nil {
			return err
		}
		if state == "shipped" {
			return ErrNotCancellable
		}
		_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			pipe.Set(ctx, key, "cancelled", orderTTL)
			pipe.SRem(ctx, ordersKey, orderID)
			return nil
		})
		return err
	}, key, ordersKey)
}

func (s *OrderStore) Release(ctx context.Context, orderID int64, sku string) (int64, error) {
	k1 := itemsKey(orderID)
	k2 := stockPrefix + sku
	return releaseStock.Run(ctx, s.rdb, []string{k1, k2}, sku).Int64()
}

func (s *OrderStore) RefreshPromoAudience(ctx context.Context) (int64, error) {
	return s.rdb.Do(ctx, "SUNIONSTORE", promoEligible, promoVIP, promoOptIn).Int64()
}

func (s *OrderStore) BundleBuyers(ctx context.Context, skuA, skuB string) error {
	return s.rdb.Do(ctx, "SUNIONSTORE", "buyers:bundle", "buyers:"+skuA, "buyers:"+skuB).Err()
}

func (s *OrderStore) LegacyPurchase(ctx context.Context, userID int64) (string, error) {
	return s.rdb.Get(ctx, fmt.Sprintf(purchaseTagFmt, userID)).Result()
}

func (s *OrderStore) TrackView(ctx context.Context, sku string) error {
	return s.rdb.Incr(ctx, productViewsKey(sku)).Err()
}
