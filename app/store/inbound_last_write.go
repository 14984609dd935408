package store

import (
	"context"

	"github.com/kring-social/kring/app/model"
)

// An inbound activity's outcome and the deletion of its task's row are one commit of their own
// (FinishInboundActivity), after the processing's writes committed in theirs: two commits, each an
// fsync, for every activity. Where the processing knows which transaction is its last write, the
// settle goes into that transaction's commit tail instead (commit_tail.go): on PostgreSQL it joins
// the tail's one statement, and the activity costs one commit fewer.
//
// Only the last write may carry it: work done after a transaction that settled the activity would
// be lost in a crash, since a retry finds the activity processed and its task gone.

// lastWrite is the intent WithSettleInLastWrite puts in a context.
type lastWrite struct {
	inboundID string
	settled   bool
}

type lastWriteKey struct{}

// WithSettleInLastWrite returns a context whose next transaction is the last write of processing
// the inbound activity inboundID: when it commits, the activity is recorded as processed and the
// task in hand (WithTaskInHand) is closed with it. Without a task in hand it changes nothing. An
// outcome other than processed, found after that transaction, is recorded as before, over it.
func WithSettleInLastWrite(ctx context.Context, inboundID string) context.Context {
	return context.WithValue(ctx, lastWriteKey{}, &lastWrite{inboundID: inboundID})
}

// settleInTail adds the settle of the inbound activity ctx names to the transaction's commit tail and returns the
// task in hand it closes, or nil when ctx asks for none (or has had it already).
func (s *Store) settleInTail(ctx context.Context) (*TaskInHand, *lastWrite) {
	intent, _ := ctx.Value(lastWriteKey{}).(*lastWrite)
	task := taskInHandOf(ctx)
	if intent == nil || intent.settled || task == nil || task.completed {
		return nil, nil
	}
	now := s.now()
	s.tail.statements = append(s.tail.statements,
		tailStatement{table: "inbound_activities", order: "inbound_activities",
			sql:  `UPDATE inbound_activities SET state = ?, error = '', attempts = attempts + 1, processed_at = ? WHERE id = ?`,
			args: []any{model.InboundProcessed, now, intent.inboundID}},
		tailStatement{table: "queued_tasks", order: "queued_tasks",
			sql: `DELETE FROM queued_tasks WHERE id = ?`, args: []any{task.id}})
	return task, intent
}

// settledInLastWrite says whether the task in hand was closed by a last write that recorded state.
func settledInLastWrite(task *TaskInHand, state model.InboundState) bool {
	return task != nil && task.completed && task.settledAs == state
}
