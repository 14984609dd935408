package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/kring-social/kring/app/logctx"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
)

// inboundBatchParallelism bounds the activities of one batch processed at once: a batch holds one
// of the worker's task slots, and an activity waiting on a remote server should not hold up the
// rest of its batch, nor should a batch of 64 take 64 connections.
const inboundBatchParallelism = 8

// processInboundBatch processes the inbound activities a batch task names (the inbox hands the
// activities it accepts together to the broker as one task, so the broker's enqueue, fetch and
// completion are paid once for all of them), each as its own task would: its settle closes the row
// its task may have been given meanwhile, and its lines name it. An activity that fails is then
// handed to a task of its own, under the activity's id, which has counted the attempt and retries it
// as that task would have been retried. The batch itself does not fail unless it was interrupted
// (shutdown, lease lost): then nothing is handed over, asynq runs the batch again, and the activities
// settled meanwhile are skipped. Handing over only after the whole batch has run keeps an activity
// from being run by a batch that comes back while its own task runs too.
func (s *Server) processInboundBatch(ctx context.Context, processor InboundProcessor, ids []string) error {
	type failure struct {
		id  string
		err error
	}
	var (
		wg       sync.WaitGroup
		slots    = make(chan struct{}, inboundBatchParallelism)
		mu       sync.Mutex
		failures []failure
	)
	for _, id := range ids {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			activityCtx, _ := store.WithTaskInHand(logctx.WithTaskID(ctx, id, tasks.TypeProcessInbound), id)
			if err := processRecovering(activityCtx, processor, id); err != nil {
				mu.Lock()
				failures = append(failures, failure{id, err})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("batch of %d inbound activities interrupted, %d not processed: %w", len(ids), len(failures), err)
	}
	bookCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), outboxWriteTimeout)
	defer cancel()
	for _, f := range failures {
		s.handOverFailedInbound(logctx.WithTaskID(bookCtx, f.id, tasks.TypeProcessInbound), f.id, f.err)
	}
	return nil
}

// processRecovering processes one activity, turning a panic into its failure.
func processRecovering(ctx context.Context, processor InboundProcessor, id string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("processing inbound activity panicked: %v", r)
		}
	}()
	return processor.ProcessInBatch(ctx, id)
}

// handOverFailedInbound gives the activity whose processing failed with cause a task of its own:
// its row records the failed attempt (listed and counted like any task's), and the broker holds the
// task for its first retry. Either may fail alone: the task without its row records its next
// failure itself (durable), and the row without its task is swept once its lease has run out.
func (s *Server) handOverFailedInbound(ctx context.Context, id string, cause error) {
	s.logger.WarnContext(ctx, "inbound activity failed; retrying it as a task of its own", slog.Any("error", cause))
	row, err := inboundTaskRow(id)
	if err != nil {
		s.logger.ErrorContext(ctx, "failed inbound activity not handed over", slog.Any("error", err))
		return
	}
	if err := s.store.RecordFailureOfTask(ctx, row, cause, false); err != nil {
		s.logger.ErrorContext(ctx, "failure of inbound activity not recorded", slog.Any("error", err))
	}
	row.Attempts = 1
	row.RunAt = time.Now().Add(retryDelay(RetryPolicyFor(row.TaskType), 0, cause, rand.Float64()))
	if err := s.client.Enqueue(ctx, row); err != nil {
		s.logger.ErrorContext(ctx, "retry of inbound activity not enqueued; the sweeper will find it after the lease", slog.Any("error", err))
	}
}

// inboundTaskRow is the outbox row of the task that processes inbound activity id alone.
func inboundTaskRow(id string) (model.QueuedTask, error) {
	payload, err := json.Marshal(tasks.ProcessInboundPayload{InboundActivityID: id})
	if err != nil {
		return model.QueuedTask{}, fmt.Errorf("encode inbound task payload: %w", err)
	}
	return model.QueuedTask{ID: id, TaskType: tasks.TypeProcessInbound, Queue: tasks.QueueFor(tasks.TypeProcessInbound),
		Payload: string(payload)}, nil
}
