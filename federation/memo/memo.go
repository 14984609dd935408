// Package memo is a small in-process cache with an expiry and a size bound, for the values federation
// reads on every request or delivery and that change rarely (keys, signers, groups, activities).
// Every entry expires, so a change made by another process is seen within the time-to-live.
package memo

import (
	"sync"
	"time"
)

// Cache maps keys to values for a time-to-live. When full, it is emptied and refills itself: crude,
// but bounded, and the values are always one read away.
type Cache[K comparable, V any] struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	now     func() time.Time
	entries map[K]entry[V]
}

type entry[V any] struct {
	value   V
	expires time.Time
}

// New returns a cache keeping values for ttl, at most max of them.
func New[K comparable, V any](ttl time.Duration, max int) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, max: max, now: time.Now, entries: map[K]entry[V]{}}
}

// Get returns the value cached for key, if it has not expired.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || c.now().After(e.expires) {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Put caches value for key.
func (c *Cache[K, V]) Put(key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[key] = entry[V]{value: value, expires: c.now().Add(c.ttl)}
}

// Delete forgets key.
func (c *Cache[K, V]) Delete(key K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}
