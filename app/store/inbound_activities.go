package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// RecordInboundActivity stores an activity received at an inbox. An activity already stored (the same
// id, delivered again or to several inboxes) is not stored twice: the result's second value is false
// and the first is the stored row.
func (s *Store) RecordInboundActivity(ctx context.Context, activity model.InboundActivity) (model.InboundActivity, bool, error) {
	activity.ID = model.NewID()
	activity.State = model.InboundPending
	activity.ReceivedAt = s.now()
	// ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a failed
	// statement would abort the caller's transaction.
	result := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "activity_iri"}}, DoNothing: true}).
		Create(&activity)
	if result.Error != nil {
		return model.InboundActivity{}, false, fmt.Errorf("store inbound activity %s: %w", activity.ActivityIRI, result.Error)
	}
	if result.RowsAffected == 1 {
		return activity, true, nil
	}
	existing, err := s.InboundActivityByIRI(ctx, activity.ActivityIRI)
	if err != nil {
		return model.InboundActivity{}, false, err
	}
	return existing, false, nil
}

// InboundActivityByIRI finds a stored activity by its id.
func (s *Store) InboundActivityByIRI(ctx context.Context, iri string) (model.InboundActivity, error) {
	var row model.InboundActivity
	if err := s.conn(ctx).Where("activity_iri = ?", iri).Take(&row).Error; err != nil {
		return model.InboundActivity{}, fmt.Errorf("find inbound activity %s: %w", iri, classify(err))
	}
	return row, nil
}

// FinishInboundActivity records the outcome of processing: processed, ignored or failed with why.
// When the context carries the worker's task in hand (WithTaskInHand), the task's outbox row goes in
// the same commit: settling an activity and closing its task cost one commit, not two. On PostgreSQL
// that is one statement (a data-modifying CTE), which the workers' concurrent settles share.
func (s *Store) FinishInboundActivity(ctx context.Context, id string, state model.InboundState, reason string) error {
	reason = truncate(reason, 2000)
	now := s.now()
	task := taskInHandOf(ctx)
	if s.InTransaction() {
		task = nil // the row would be gone only if the caller's transaction commits: leave it to the worker
	}
	var err error
	switch {
	case task == nil:
		err = s.finishInbound(ctx, id, state, reason, now)
	case s.batches != nil:
		_, err = s.batches.settle.do(ctx, settleCall{id: id, taskID: task.id, state: state, reason: reason, at: now})
	default:
		err = s.Transaction(ctx, func(tx *Store) error {
			if err := tx.finishInbound(ctx, id, state, reason, now); err != nil {
				return err
			}
			return tx.CompleteTask(ctx, task.id)
		})
	}
	if err != nil {
		return fmt.Errorf("record outcome of inbound activity %s: %w", id, err)
	}
	if task != nil {
		task.completed = true
	}
	return nil
}

func (s *Store) finishInbound(ctx context.Context, id string, state model.InboundState, reason string, at time.Time) error {
	return s.conn(ctx).Model(&model.InboundActivity{}).Where("id = ?", id).Updates(map[string]any{
		"state":        state,
		"error":        reason,
		"attempts":     gorm.Expr("attempts + 1"),
		"processed_at": at,
	}).Error
}

// AcceptInboundActivity stores an activity received at an inbox and, once it is committed, hands
// the task that will process it to the broker; task is made from the stored row's id. It reports
// false, storing nothing, for an activity already stored. The task has no outbox row (see
// model.QueuedTask.Unrecorded): its id is the activity's, and the activity's pending row is what
// the sweeper finds if the broker never ran it. On PostgreSQL the insert is one statement that
// concurrent requests share, so an inbox request costs at most one round trip.
func (s *Store) AcceptInboundActivity(ctx context.Context, activity model.InboundActivity, task func(inboundID string) NewTask) (bool, error) {
	if s.batches == nil || s.InTransaction() {
		created := false
		err := s.Transaction(ctx, func(tx *Store) error {
			stored, isNew, err := tx.RecordInboundActivity(ctx, activity)
			if err != nil || !isNew {
				return err
			}
			row, err := unrecordedInboundTask(task, stored)
			if err != nil {
				return err
			}
			created = true
			tx.afterRecording(ctx, []model.QueuedTask{row})
			return nil
		})
		return created, err
	}
	activity.ID = model.NewID()
	activity.State = model.InboundPending
	activity.ReceivedAt = s.now()
	row, err := unrecordedInboundTask(task, activity)
	if err != nil {
		return false, err
	}
	isNew, err := s.batches.accept.do(ctx, activity)
	if err != nil {
		return false, fmt.Errorf("store inbound activity %s: %w", activity.ActivityIRI, err)
	}
	if !isNew {
		return false, nil
	}
	s.dispatch(ctx, []model.QueuedTask{row})
	return true, nil
}

// unrecordedInboundTask is the task, made by task, that processes the stored activity: its id is
// the activity's, and it has no outbox row.
func unrecordedInboundTask(task func(inboundID string) NewTask, activity model.InboundActivity) (model.QueuedTask, error) {
	row, err := newTaskRow(task(activity.ID), activity.ReceivedAt)
	row.ID, row.Unrecorded = activity.ID, true
	return row, err
}
