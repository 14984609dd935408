package workers

import (
	"context"
	"log/slog"
	"time"

	"github.com/kring-social/kring/app/store"
)

// countFoldInterval is how often a worker folds the day's counts waiting as deltas into their
// rollups (app/store/daily_count_deltas.go). The analytics fold before they read, so this only
// keeps the deltas few: a busy group adds a few hundred a second.
const countFoldInterval = 10 * time.Second

// runCountFolder folds the waiting counts every countFoldInterval until ctx ends.
func runCountFolder(ctx context.Context, st *store.Store, logger *slog.Logger) {
	every(ctx, countFoldInterval, func() {
		if err := st.FoldDailyCounts(ctx); err != nil && ctx.Err() == nil {
			logger.WarnContext(ctx, "counts of the day not folded; the next fold takes them", slog.Any("error", err))
		}
	})
}
