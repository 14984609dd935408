package store

import (
	"context"
	"time"
)

// ClassifyForTest exposes classify to the tests of this package.
var ClassifyForTest = classify

// PruneOutboxForTest prunes settled deliveries, then finished outbound activities, batch rows a
// statement, so a test sees the batches loop without writing thousands of rows.
func (s *Store) PruneOutboxForTest(ctx context.Context, before time.Time, batch int) (deliveries, activities int64, err error) {
	if deliveries, err = s.pruneSettledDeliveries(ctx, before, batch); err != nil {
		return deliveries, 0, err
	}
	activities, err = s.pruneFinishedOutboundActivities(ctx, before, batch)
	return deliveries, activities, err
}

// ExecLastForTest defers an increment of table to the end of the transaction, as the counters do.
func (s *Store) ExecLastForTest(ctx context.Context, table, sql string, args ...any) error {
	return s.execLast(ctx, table, sql, args...)
}
