package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// NewTask describes background work to record.
type NewTask struct {
	Type    string
	Queue   string
	Payload any       // marshalled to JSON
	RunAt   time.Time // zero means now
}

// RecordTask writes the task to the outbox table. Inside a transaction it is dispatched after commit;
// outside one, at once.
func (s *Store) RecordTask(ctx context.Context, task NewTask) (model.QueuedTask, error) {
	row, err := newTaskRow(task, s.db.NowFunc())
	if err != nil {
		return model.QueuedTask{}, err
	}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return model.QueuedTask{}, fmt.Errorf("record %s task: %w", task.Type, err)
	}
	s.afterRecording(ctx, []model.QueuedTask{row})
	return row, nil
}

// RecordTasks writes many tasks in batched inserts; like RecordTask, they are dispatched after
// commit inside a transaction, at once outside one.
func (s *Store) RecordTasks(ctx context.Context, tasks []NewTask) error {
	if len(tasks) == 0 {
		return nil
	}
	now := s.db.NowFunc()
	rows := make([]model.QueuedTask, len(tasks))
	for i, task := range tasks {
		row, err := newTaskRow(task, now)
		if err != nil {
			return err
		}
		rows[i] = row
	}
	if err := s.conn(deferWrite(ctx)).CreateInBatches(rows, deliveryBatch).Error; err != nil {
		return fmt.Errorf("record %d tasks: %w", len(rows), err)
	}
	s.afterRecording(ctx, rows)
	return nil
}

func newTaskRow(task NewTask, now time.Time) (model.QueuedTask, error) {
	payload, err := json.Marshal(task.Payload)
	if err != nil {
		return model.QueuedTask{}, fmt.Errorf("encode %s payload: %w", task.Type, err)
	}
	runAt := now
	if !task.RunAt.IsZero() {
		runAt = task.RunAt.UTC().Truncate(time.Microsecond)
	}
	return model.QueuedTask{ID: model.NewID(), TaskType: task.Type, Queue: task.Queue, Payload: string(payload),
		RunAt: runAt, CreatedAt: now}, nil
}

// afterRecording dispatches recorded tasks: after commit inside a transaction, at once outside one.
func (s *Store) afterRecording(ctx context.Context, rows []model.QueuedTask) {
	if s.InTransaction() {
		*s.txTasks = append(*s.txTasks, rows...)
		return
	}
	s.dispatch(ctx, rows)
}

// FindTask loads a task by id; ErrNotFound once it has completed.
func (s *Store) FindTask(ctx context.Context, id string) (model.QueuedTask, error) {
	var row model.QueuedTask
	err := s.conn(ctx).Where("id = ?", id).Take(&row).Error
	if err != nil {
		return model.QueuedTask{}, fmt.Errorf("find task %s: %w", id, notFoundAs(err))
	}
	return row, nil
}

// TaskInHand is the outbox row of the task a worker is running. The worker puts it in the task's
// context (WithTaskInHand); a store method that writes the task's last state change may delete the
// row in the same commit and say so (Completed), sparing the worker a commit of its own.
type TaskInHand struct {
	id        string
	completed bool
}

// Completed reports whether the task's row was deleted with the task's last write.
func (t *TaskInHand) Completed() bool { return t.completed }

type taskInHandKey struct{}

// WithTaskInHand returns a context that carries the task with outbox row id.
func WithTaskInHand(ctx context.Context, id string) (context.Context, *TaskInHand) {
	task := &TaskInHand{id: id}
	return context.WithValue(ctx, taskInHandKey{}, task), task
}

func taskInHandOf(ctx context.Context) *TaskInHand {
	task, _ := ctx.Value(taskInHandKey{}).(*TaskInHand)
	return task
}

// CompleteTask removes a finished task.
func (s *Store) CompleteTask(ctx context.Context, id string) error {
	if err := s.conn(ctx).Where("id = ?", id).Delete(&model.QueuedTask{}).Error; err != nil {
		return fmt.Errorf("complete task %s: %w", id, err)
	}
	return nil
}

// RecordTaskFailure counts a failed attempt; dead marks the task as out of retries.
func (s *Store) RecordTaskFailure(ctx context.Context, id string, cause error, dead bool) error {
	updates := map[string]any{
		"attempts":   gorm.Expr("attempts + 1"),
		"last_error": truncate(cause.Error(), 2000),
	}
	if dead {
		updates["dead_at"] = s.db.NowFunc()
	}
	if err := s.conn(ctx).Model(&model.QueuedTask{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("record failure of task %s: %w", id, err)
	}
	return nil
}

// TasksToSweep returns live tasks not handed to the broker since before, oldest first, after the id
// afterID (for paging; empty to start).
func (s *Store) TasksToSweep(ctx context.Context, before time.Time, afterID string, limit int) ([]model.QueuedTask, error) {
	var rows []model.QueuedTask
	err := s.conn(ctx).
		Where("dead_at IS NULL AND (enqueued_at IS NULL OR enqueued_at < ?) AND id > ?", before, afterID).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list tasks to sweep: %w", err)
	}
	return rows, nil
}

// MarkTasksEnqueued records that the broker holds these tasks as of at, in one statement per
// idsPerQuery of them.
func (s *Store) MarkTasksEnqueued(ctx context.Context, ids []string, at time.Time) error {
	for chunk := range slices.Chunk(ids, idsPerQuery) {
		err := s.conn(ctx).Model(&model.QueuedTask{}).Where("id IN ?", chunk).
			Update("enqueued_at", at.UTC().Truncate(time.Microsecond)).Error
		if err != nil {
			return fmt.Errorf("mark %d tasks enqueued: %w", len(chunk), err)
		}
	}
	return nil
}

func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max]
}
