package workers

import (
	"context"
	"log/slog"
	"time"

	"github.com/kring-social/kring/app/store"
)

// How long settled records are kept. Inbound activities are kept a fortnight for moderators and
// debugging (a redelivery within that time is still recognised); dead tasks a month, for operators
// to look into.
const (
	pruneInterval         = time.Hour
	keepInboundActivities = 14 * 24 * time.Hour
	keepDeadTasks         = 30 * 24 * time.Hour
	keepExpiredResets     = 24 * time.Hour
	// keepUnusedPictures leaves an upload a day to be sent with its form (or kept in a draft)
	// before it counts as unused.
	keepUnusedPictures = 24 * time.Hour
)

// runPruner deletes settled records that have served their time, hourly, until ctx ends. Several
// workers pruning at once delete the same rows once.
func runPruner(ctx context.Context, st *store.Store, pictures PictureSweeper, retention time.Duration, logger *slog.Logger) {
	pruneAll := func() {
		prune(ctx, st, logger, time.Now())
		pruneOutbox(ctx, st, logger, time.Now().Add(-retention))
		pruneMentions(ctx, st, logger, time.Now().Add(-retention))
		sweepPictures(ctx, pictures, logger, time.Now())
	}
	pruneAll()
	every(ctx, pruneInterval, pruneAll)
}

func prune(ctx context.Context, st *store.Store, logger *slog.Logger, now time.Time) {
	inbound, err := st.PruneInboundActivities(ctx, now.Add(-keepInboundActivities))
	if err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "pruning inbound activities failed", slog.Any("error", err))
	}
	dead, err := st.PruneDeadTasks(ctx, now.Add(-keepDeadTasks))
	if err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "pruning dead tasks failed", slog.Any("error", err))
	}
	resets, err := st.PrunePasswordResetTokens(ctx, now.Add(-keepExpiredResets))
	if err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "pruning password reset links failed", slog.Any("error", err))
	}
	if inbound+dead+resets > 0 {
		logger.InfoContext(ctx, "pruned old records", slog.Int64("inbound_activities", inbound), slog.Int64("dead_tasks", dead),
			slog.Int64("password_resets", resets))
	}
}

// pruneMentions deletes the mentions of groups by non-members received before cutoff: strangers'
// words are kept as long as the delivery records, the analytics retention; the day's counts stay.
func pruneMentions(ctx context.Context, st *store.Store, logger *slog.Logger, cutoff time.Time) {
	mentions, err := st.PruneGroupMentions(ctx, cutoff)
	if err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "pruning mentions failed", slog.Any("error", err))
	}
	if mentions > 0 {
		logger.InfoContext(ctx, "pruned old mentions", slog.Int64("mentions", mentions), slog.Time("received_before", cutoff))
	}
}

// sweepPictures deletes the posts' pictures nothing has used for a day; several workers sweeping at
// once delete each file once (a file already gone is no error).
func sweepPictures(ctx context.Context, pictures PictureSweeper, logger *slog.Logger, now time.Time) {
	if pictures == nil {
		return
	}
	removed, err := pictures.SweepUnusedPictures(ctx, now.Add(-keepUnusedPictures))
	if err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "sweeping unused pictures failed", slog.Any("error", err))
	}
	if removed > 0 {
		logger.InfoContext(ctx, "deleted unused pictures", slog.Int("pictures", removed))
	}
}
