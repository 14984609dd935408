package workers

import (
	"context"
	"log/slog"
	"time"

	"github.com/kring-social/kring/app/store"
)

// DefaultAnalyticsRetention is how long settled deliveries are kept unless KRING_ANALYTICS_RETENTION
// says otherwise: long enough to look into a delivery problem, while what they add up to stays in
// the daily rollups for good.
const DefaultAnalyticsRetention = 90 * 24 * time.Hour

// pruneOutbox deletes the delivery outbox's settled rows created before cutoff: settled deliveries
// first, then the outbound activities that have none left and that no server reads again. Both go in
// batches of store.PruneBatch, so the first prune of a long history holds no long transaction.
func pruneOutbox(ctx context.Context, st *store.Store, logger *slog.Logger, cutoff time.Time) {
	deliveries, err := st.PruneSettledDeliveries(ctx, cutoff)
	if err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "pruning settled deliveries failed", slog.Any("error", err))
		return // an activity is pruned only once its deliveries are gone
	}
	activities, err := st.PruneFinishedOutboundActivities(ctx, cutoff)
	if err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "pruning finished outbound activities failed", slog.Any("error", err))
	}
	if deliveries+activities > 0 {
		logger.InfoContext(ctx, "pruned old delivery records", slog.Int64("deliveries", deliveries),
			slog.Int64("outbound_activities", activities), slog.Time("created_before", cutoff))
	}
}
