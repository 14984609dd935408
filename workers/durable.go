package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/logctx"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
)

// outboxWriteTimeout bounds the bookkeeping after a handler, which runs on a context detached from the
// handler's so a cancelled attempt can still be recorded.
const outboxWriteTimeout = 10 * time.Second

// guardsItself names the task types whose handler finds out for itself that its work is done, from
// the state of the row it works on, in the read it makes anyway: processing an inbound activity
// loads the activity and does nothing unless it is still pending. For these durable does not load
// the task's row first, a round trip per inbound activity (5 % of the worker's CPU while it
// processed public posts); a second copy of finished work costs one read and a DELETE of no row.
var guardsItself = map[string]bool{tasks.TypeProcessInbound: true}

// durable wraps a handler with the outbox bookkeeping: it runs the handler, on one of runners, only
// while the task's row exists (or, for the types guardsItself lists, leaves that to the handler),
// deletes the row when the handler succeeds, and records failures, marking the row dead when asynq
// will not retry again. The handler's context carries the task's id and type (logctx), so every line
// logged while the task runs names it.
func durable(st *store.Store, logger *slog.Logger, runners *taskRunners, next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, task *asynq.Task) error {
		id, ok := asynq.GetTaskID(ctx)
		if !ok {
			return fmt.Errorf("run %s task: no task id in context: %w", task.Type(), asynq.SkipRetry)
		}
		ctx = logctx.WithTaskID(ctx, id, task.Type())
		if !guardsItself[task.Type()] {
			if _, err := st.FindTask(ctx, id); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					// The row goes when the work is done: this is a second copy of finished work (the
					// sweeper raced a completion, or the broker kept a task the outbox already closed).
					logger.DebugContext(ctx, "task already completed; dropping it")
					return nil
				}
				return fmt.Errorf("load outbox row of task %s: %w", id, err)
			}
		}

		ctx, inHand := store.WithTaskInHand(ctx, id)
		var err error
		runners.run(func() { err = runRecovering(ctx, next, task) })

		bookCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), outboxWriteTimeout)
		defer cancel()
		if err == nil {
			if inHand.Completed() {
				return nil // the handler's last write closed the row
			}
			if cerr := st.CompleteTask(bookCtx, id); cerr != nil {
				// The work is done but the row stays: the sweeper will run it again later, which is
				// why handlers must be idempotent.
				logger.ErrorContext(ctx, "task done but not marked complete", slog.Any("error", cerr))
			}
			return nil
		}
		if isPostponed(err) {
			return err // not tried, so not failed: nothing to record
		}
		if errors.Is(ctx.Err(), context.Canceled) {
			// Shutdown ran out of time (or the lease was lost): asynq has put the task back, so
			// this was no failure of the work itself.
			logger.InfoContext(ctx, "task interrupted; it will run again", slog.Any("error", err))
			return err
		}
		if ferr := recordFailure(bookCtx, st, id, task, err, isFinalAttempt(ctx, err)); ferr != nil {
			logger.ErrorContext(ctx, "task failure not recorded", slog.Any("error", ferr))
		}
		return err
	})
}

// isFinalAttempt reports whether asynq will not retry a task after err: retries exhausted, or the
// handler said the failure is permanent (SkipRetry) or dropped the task (RevokeTask).
func isFinalAttempt(ctx context.Context, err error) bool {
	if errors.Is(err, asynq.SkipRetry) || errors.Is(err, asynq.RevokeTask) {
		return true
	}
	retried, ok1 := asynq.GetRetryCount(ctx)
	maxRetry, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && retried >= maxRetry
}

// runRecovering turns a panic in the handler into an error, so the failure is recorded in the outbox
// like any other (asynq would recover it too, but after the bookkeeping).
func runRecovering(ctx context.Context, handler asynq.Handler, task *asynq.Task) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s handler panicked: %v", task.Type(), r)
		}
	}()
	return handler.ProcessTask(ctx, task)
}

// recordFailure counts a failed attempt on the task's outbox row. The task of an inbound activity
// may have none (model.QueuedTask.Unrecorded): its first failure writes it.
func recordFailure(ctx context.Context, st *store.Store, id string, task *asynq.Task, cause error, dead bool) error {
	if task.Type() != tasks.TypeProcessInbound {
		return st.RecordTaskFailure(ctx, id, cause, dead)
	}
	row := model.QueuedTask{ID: id, TaskType: task.Type(), Queue: tasks.QueueFor(task.Type()), Payload: string(task.Payload())}
	return st.RecordFailureOfTask(ctx, row, cause, dead)
}
