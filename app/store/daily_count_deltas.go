package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kring-social/kring/app/model"
)

// An event that adds a constant to its group's or organisation's row of the day (a post shared, a
// mention kept, a support conversation opened) inserts a delta into daily_count_deltas instead of
// updating the row: every event of a busy group would otherwise wait for that one row, locked by
// the transaction before it until its commit reached the disk (migration 00026 has the figures).
// FoldDailyCounts adds the deltas to the rows and deletes them in one transaction, so each counts
// exactly once and exactly when its event committed; the readers of the rollups fold first, and
// the workers fold every few seconds (workers/count_folder.go) so deltas never pile up.

// foldedCounters are the counters of each rollup that events add to through deltas: the ones
// counted with a constant (countEvent), and the deliveries of the day (countDeliveriesSettled), which
// every settle of a fan-out adds to one row of its group and one of its post. Columns are constants,
// written into the statements' text.
var foldedCounters = map[string][]groupCounter{
	groupRollup.table: {countPostsShared, countGroupPosts, countMentions, countPostsHeld, countPostsDeclined,
		countPostsRemoved, countReportsReceived, countSupportOpened, countSupportClosed,
		countDeliveriesAttempted, countDeliveriesSucceeded, countDeliveriesFailed},
	organisationRollup.table: {countReportsReceived},
	postDeliveryRollup.table: {countDeliveriesAttempted, countDeliveriesSucceeded, countDeliveriesFailed},
}

// foldedRollups are the rollups deltas are kept for.
var foldedRollups = []rollup{groupRollup, organisationRollup, postDeliveryRollup}

// countEvent adds one to counter of key's row of the day of now, as a delta folded later.
func (s *Store) countEvent(ctx context.Context, into rollup, counter groupCounter, key string) error {
	if !slices.Contains(foldedCounters[into.table], counter) {
		return fmt.Errorf("count %s of %s: not a counter kept through deltas", counter, into.table)
	}
	// A new row, locking nothing: it waits for the end of the transaction only to go with the
	// transaction's other increments in one round trip (commit_tail.go).
	err := s.execLast(ctx, "daily_count_deltas", `INSERT INTO daily_count_deltas (id, rollup_table, row_key, day, counter, amount)
		VALUES (?, ?, ?, ?, ?, 1)`, model.NewID(), into.table, key, StatsDay(s.now()), string(counter))
	if err != nil {
		return fmt.Errorf("count %s of the day: %w", counter, err)
	}
	return nil
}

// FoldDailyCounts adds every waiting delta to its rollup row and deletes it.
func (s *Store) FoldDailyCounts(ctx context.Context) error {
	for _, into := range foldedRollups {
		if err := s.foldDailyCounts(ctx, into); err != nil {
			return err
		}
	}
	return nil
}

// foldDailyCounts folds the deltas of one rollup table in one transaction. Folds take turns (an
// advisory lock on PostgreSQL; SQLite has one writer): a reader that folds waits for a fold in
// progress, whose deltas it must see, instead of skipping them.
func (s *Store) foldDailyCounts(ctx context.Context, into rollup) error {
	counters := foldedCounters[into.table]
	columns := make([]string, len(counters))
	sums := make([]string, len(counters))
	for i, counter := range counters {
		columns[i] = string(counter)
		sums[i] = fmt.Sprintf("SUM(CASE WHEN moved.counter = '%s' THEN moved.amount ELSE 0 END)", counter)
	}
	// Deltas of a row whose parent is gone are dropped (the join); a carried column is the parent's.
	var carriedColumn, carriedValue string
	if into.carried != "" {
		carriedColumn, carriedValue = ", "+into.carried, ", parent."+into.carried
	}
	upsert := func(from string) string {
		return fmt.Sprintf(`INSERT INTO %[1]s (%[2]s, day%[8]s, %[3]s)
			SELECT moved.row_key, moved.day%[9]s, %[4]s FROM %[5]s JOIN %[6]s AS parent ON parent.id = moved.row_key
			GROUP BY moved.row_key, moved.day%[9]s
			ON CONFLICT (%[2]s, day) DO UPDATE SET %[7]s`,
			into.table, into.key, strings.Join(columns, ", "), strings.Join(sums, ", "), from, into.parent,
			addExcluded(into.table, columns...), carriedColumn, carriedValue)
	}
	folding := []AdvisoryLock{AdvisoryLock(advisoryKey("kring fold daily counts", into.table))}
	err := s.TransactionHolding(ctx, folding, func(tx *Store) error {
		if tx.dialect != Postgres {
			if err := tx.conn(ctx).Exec(upsert("(SELECT * FROM daily_count_deltas WHERE rollup_table = ?) AS moved"), into.table).Error; err != nil {
				return err
			}
			return tx.conn(ctx).Exec("DELETE FROM daily_count_deltas WHERE rollup_table = ?", into.table).Error
		}
		return tx.conn(ctx).Exec(`WITH moved AS (DELETE FROM daily_count_deltas WHERE rollup_table = ?
			RETURNING row_key, day, counter, amount) `+upsert("moved"), into.table).Error
	})
	if err != nil {
		return fmt.Errorf("fold the counts of the day into %s: %w", into.table, err)
	}
	return nil
}
