package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// The task that processes an inbound activity has no outbox row while all goes well (migration 30):
// the activity's pending row stands for it, so accepting an activity writes one row, not two, and
// its settle deletes none. These are the ways such a task gets a row, each when something went
// wrong, after which it is an outbox task like any other: swept, retried, listed when dead.

// RecordMissingTaskRows writes outbox rows for tasks that have none (model.QueuedTask.Unrecorded),
// not handed to the broker, so that the next sweep enqueues them; a row that exists already is left
// as it is. The dispatcher calls it for tasks the broker refused.
func (s *Store) RecordMissingTaskRows(ctx context.Context, rows []model.QueuedTask) error {
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		rows[i].EnqueuedAt, rows[i].Unrecorded = nil, false
	}
	err := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoNothing: true}).
		CreateInBatches(rows, deliveryBatch).Error
	if err != nil {
		return fmt.Errorf("record %d task rows: %w", len(rows), err)
	}
	return nil
}

// RecordStaleInboundTasks gives an outbox row, not handed to the broker, to the task of every
// inbound activity received from since (zero: from the first) until before and still pending
// without one: the broker lost its task, or never got it (the serve process stopped between its
// commit and the enqueue). task makes the task of an activity id; the rows go in pages of limit. It
// returns how many rows it wrote.
func (s *Store) RecordStaleInboundTasks(ctx context.Context, since, before time.Time, task func(inboundID string) NewTask, limit int) (int, error) {
	total := 0
	for {
		var stale []model.InboundActivity
		query := s.conn(ctx).Select("id", "received_at").
			Where("state = ? AND received_at < ?", model.InboundPending, dbTime(before)).
			Where("NOT EXISTS (SELECT 1 FROM queued_tasks WHERE queued_tasks.id = inbound_activities.id)")
		if !since.IsZero() {
			query = query.Where("received_at >= ?", dbTime(since))
		}
		err := query.Order("received_at, id").Limit(limit).Find(&stale).Error
		if err != nil {
			return total, fmt.Errorf("list stale inbound activities: %w", err)
		}
		rows := make([]model.QueuedTask, 0, len(stale))
		for _, activity := range stale {
			row, err := unrecordedInboundTask(task, activity)
			if err != nil {
				return total, err
			}
			row.RunAt = s.now()
			rows = append(rows, row)
		}
		if err := s.RecordMissingTaskRows(ctx, rows); err != nil {
			return total, err
		}
		total += len(rows)
		if len(stale) < limit {
			return total, nil
		}
	}
}

// RecordFailureOfTask is RecordTaskFailure for a task that may have no outbox row (an inbound
// activity's): the first failure writes its row, handed to the broker now (which holds it for its
// retry), so that from then on the task is counted, retried and listed when dead like any other.
func (s *Store) RecordFailureOfTask(ctx context.Context, task model.QueuedTask, cause error, dead bool) error {
	now := s.now()
	task.Attempts, task.LastError, task.EnqueuedAt, task.Unrecorded = 1, truncate(cause.Error(), 2000), &now, false
	task.RunAt, task.CreatedAt = now, now
	updates := map[string]any{
		"attempts":    gorm.Expr("queued_tasks.attempts + 1"),
		"last_error":  task.LastError,
		"enqueued_at": now,
	}
	if dead {
		task.DeadAt = &now
		updates["dead_at"] = now
	}
	err := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoUpdates: clause.Assignments(updates)}).
		Create(&task).Error
	if err != nil {
		return fmt.Errorf("record failure of task %s: %w", task.ID, err)
	}
	return nil
}

// failInboundOfTasks settles as failed, for why, the pending inbound activities whose tasks are
// the outbox rows that match where (with args): their tasks are going for good, and an activity
// left pending without a task would be given a new one by the sweep.
func (s *Store) failInboundOfTasks(ctx context.Context, why, where string, args ...any) error {
	err := s.conn(ctx).Model(&model.InboundActivity{}).
		Where("state = ? AND id IN (SELECT id FROM queued_tasks WHERE "+where+")", append([]any{model.InboundPending}, args...)...).
		Updates(map[string]any{"state": model.InboundFailed, "error": why, "processed_at": s.now()}).Error
	if err != nil {
		return fmt.Errorf("settle the inbound activities of discarded tasks: %w", err)
	}
	return nil
}
