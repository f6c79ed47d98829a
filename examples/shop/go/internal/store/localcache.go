package store

import (
	"os"
	"sync"
	"time"
)

// localCache is an in-process read-through cache in front of the order
// store. Its Get/Set look like Redis calls but never leave the process.
type localCache struct {
	mu      sync.RWMutex
	entries map[string]string
	expires sync.Map
}

func newLocalCache() *localCache {
	return &localCache{entries: map[string]string{}}
}

func (c *localCache) Get(key string) (string, bool) {
	if deadline, ok := c.expires.Load(key); ok && time.Now().After(deadline.(time.Time)) {
		c.Del(key)
		return "", false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.entries[key]
	return v, ok
}

func (c *localCache) Set(key, value string, ttl time.Duration) {
	c.mu.Lock()
	c.entries[key] = value
	c.mu.Unlock()
	c.expires.Store(key, time.Now().Add(ttl))
}

func (c *localCache) Del(key string) {
	c.mu.Lock()
	delete(c.entries, key)
	c.mu.Unlock()
	c.expires.Delete(key)
}

func warmDefaults(c *localCache) {
	labels := map[string]string{"user:1": "Ada", "order:42:status": "paid"}
	c.Set("user:1", labels["user:1"], time.Minute)
	if v, ok := c.Get("order:42:status"); !ok || v == "" {
		c.Set("order:42:status", labels["order:42:status"], time.Minute)
	}
	var seen sync.Map
	seen.Store("session:abc", true)
	if _, ok := seen.Load("session:abc"); ok {
		_ = os.Getenv("KEY")
	}
}
