package workers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/model"
)

// Client hands outbox rows to asynq.
type Client struct {
	asynq *asynq.Client
}

// NewClient connects a client to the broker at opt.
func NewClient(opt asynq.RedisConnOpt) *Client {
	return &Client{asynq: asynq.NewClient(opt)}
}

// Enqueue hands one outbox row to the broker under the row's id. A row the broker already holds
// (waiting, scheduled, retrying or running) is refused by asynq with ErrTaskIDConflict, which counts as
// enqueued: it is why sweeping and dispatching the same row twice is harmless.
func (c *Client) Enqueue(ctx context.Context, row model.QueuedTask) error {
	policy := RetryPolicyFor(row.TaskType)
	// Attempts already spent (before the broker lost the task) count against the policy, so a task
	// re-enqueued by the sweeper does not start its two days of retries over.
	maxRetry := max(policy.MaxRetry-row.Attempts, 0)
	task := asynq.NewTask(row.TaskType, []byte(row.Payload))
	_, err := c.asynq.EnqueueContext(ctx, task,
		asynq.TaskID(row.ID),
		asynq.Queue(row.Queue),
		asynq.ProcessAt(processAt(row.RunAt)),
		asynq.MaxRetry(maxRetry),
		asynq.Timeout(policy.Timeout),
	)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue %s task %s: %w", row.TaskType, row.ID, err)
	}
	return nil
}

// Close releases the client's connection.
func (c *Client) Close() error {
	return c.asynq.Close()
}

// processAt rounds a future run time up to a whole second: asynq schedules by Unix second and would
// otherwise start a task up to a second early, a scheduled post before the minute it was promised for.
// A time already past is kept, so the task is queued at once rather than scheduled.
func processAt(runAt time.Time) time.Time {
	if !runAt.After(time.Now()) {
		return runAt
	}
	if truncated := runAt.Truncate(time.Second); truncated.Before(runAt) {
		return truncated.Add(time.Second)
	}
	return runAt
}
