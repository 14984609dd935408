package store

import (
	"context"
	"time"

	"github.com/kring-social/kring/app/model"
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

// AcceptBatchForTest stores activities as one batch of the inbox's shared accept.
func (s *Store) AcceptBatchForTest(ctx context.Context, activities []model.InboundActivity) ([]bool, error) {
	return s.acceptBatch(ctx, activities)
}

// PrereadBatchForTest reads activities as one batch of the worker's shared first read.
func (s *Store) PrereadBatchForTest(ctx context.Context, ids []string) ([]*InboundToProcess, error) {
	return s.prereadBatch(ctx, ids)
}

// SettleBatchForTest records the outcome state of activities ids, closing their tasks, as one batch
// of the worker's shared settle.
func (s *Store) SettleBatchForTest(ctx context.Context, ids, taskIDs []string, state model.InboundState) error {
	calls := make([]settleCall, len(ids))
	for i := range ids {
		calls[i] = settleCall{id: ids[i], taskID: taskIDs[i], state: state, at: s.now()}
	}
	_, err := s.settleBatch(ctx, calls)
	return err
}

// ScanForTest reads a raw query into dest as the store's reads do (scan): the first in a
// TransactionHolding goes with its BEGIN and locks.
func (s *Store) ScanForTest(ctx context.Context, dest any, sql string, args ...any) error {
	return scan(s.conn(ctx).Raw(sql, args...), dest)
}

// CommittedWithTailForTest says whether the TransactionHolding tx ran in sent its COMMIT with the
// last statement of its tail.
func CommittedWithTailForTest(tx *Store) bool {
	conn, ok := tx.db.Statement.ConnPool.(*connWithoutTransactions)
	return ok && conn.committed
}

// ExecFinalForTest makes sql the transaction's final write, judged by check.
func (s *Store) ExecFinalForTest(ctx context.Context, check func(rowsAffected int64) error, sql string, args ...any) error {
	return s.execFinal(ctx, "final write for test", check, sql, args...)
}

// RoundTripsForTest counts the statements and pipelines the TransactionHolding tx ran in sent.
func RoundTripsForTest(tx *Store) int {
	conn, ok := tx.db.Statement.ConnPool.(*connWithoutTransactions)
	if !ok {
		return -1
	}
	return conn.roundTrips
}

// ExecDeferredForTest runs sql as a write whose outcome is not read (deferWrite).
func (s *Store) ExecDeferredForTest(ctx context.Context, sql string, args ...any) error {
	return s.conn(deferWrite(ctx)).Exec(sql, args...).Error
}

// ScanBeforeDeferredForTest reads a raw query into dest as a read that goes ahead of the
// transaction's deferred writes (readBeforeDeferred).
func (s *Store) ScanBeforeDeferredForTest(ctx context.Context, dest any, sql string, args ...any) error {
	return scan(s.conn(readBeforeDeferred(ctx)).Raw(sql, args...), dest)
}

// RecordedTaskIDsForTest lists the ids of the tasks recorded in the transaction s is in.
func (s *Store) RecordedTaskIDsForTest() []string {
	var ids []string
	for _, task := range *s.txTasks {
		ids = append(ids, task.ID)
	}
	return ids
}
