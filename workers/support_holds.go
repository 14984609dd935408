package workers

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// SupportHolds notes on the broker's Redis the members a worker finds over a group's support inbox
// limit, until the limit lifts for them (community.HeldBack). InboundQuota.Take reads the notes in
// the script it runs for every inbound activity anyway, so every serve process acknowledges such a
// member's direct messages to the group without storing them, at no extra round trip. Losing
// Redis's data loses only the notes: the workers refuse her messages as before.
type SupportHolds struct {
	client redis.UniversalClient
	logger *slog.Logger
	now    func() time.Time
}

// NewSupportHolds notes on the Redis at opt; logger tells of notes that could not be written.
func NewSupportHolds(opt asynq.RedisConnOpt, logger *slog.Logger) (*SupportHolds, error) {
	client, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		return nil, fmt.Errorf("broker connection %T does not make a Redis client", opt)
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &SupportHolds{client: client, logger: logger, now: time.Now}, nil
}

// Close releases the connection pool.
func (h *SupportHolds) Close() error { return h.client.Close() }

// HoldBack notes that the actor is over the group's support limit until until. A note that cannot be
// written is logged and dropped: it is only a hint (community.HeldBack).
func (h *SupportHolds) HoldBack(ctx context.Context, groupID, actorIRI string, until time.Time) {
	ttl := until.Sub(h.now())
	if ttl <= 0 {
		return
	}
	if err := h.client.Set(ctx, supportHeldKey(groupID, actorIRI), 1, ttl).Err(); err != nil {
		h.logger.WarnContext(ctx, "note a member held back by a support limit", "group", groupID, "actor", actorIRI, "error", err)
	}
}

// supportHeldKey is the note that actorIRI is held back by groupID's support limit.
func supportHeldKey(groupID, actorIRI string) string {
	return "kring:support-held:" + groupID + ":" + actorKeyPart(actorIRI)
}
