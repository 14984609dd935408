package delivery

import (
	"context"
	"sync"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// activityCache keeps the bodies of recent outbound activities: a fan-out's thousands of deliveries
// carry one activity, which need not be read thousands of times. Activities never change once
// stored, so a cached copy is never stale.
type activityCache struct {
	mu      sync.Mutex
	entries map[string]model.OutboundActivity
}

// maxCachedActivities bounds the cache; at ~2 KiB an activity it stays well under a megabyte.
const maxCachedActivities = 256

func newActivityCache() *activityCache {
	return &activityCache{entries: map[string]model.OutboundActivity{}}
}

func (c *activityCache) get(ctx context.Context, st *store.Store, id string) (model.OutboundActivity, error) {
	c.mu.Lock()
	activity, ok := c.entries[id]
	c.mu.Unlock()
	if ok {
		return activity, nil
	}
	activity, err := st.OutboundActivityByID(ctx, id)
	if err != nil {
		return model.OutboundActivity{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedActivities {
		clear(c.entries) // crude, but a fan-out refills it with one read
	}
	c.entries[id] = activity
	return activity, nil
}
