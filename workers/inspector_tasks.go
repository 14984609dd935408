package workers

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
)

// ForgetTask deletes the broker's copy of task id (archived, retrying or scheduled), so the outbox
// row can be enqueued again under the same id or dropped. A task the broker does not hold is no
// error: the broker may have lost it, or never had it.
func (i *Inspector) ForgetTask(_ context.Context, queue, id string) error {
	err := i.asynq.DeleteTask(queue, id)
	if err == nil || errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return nil
	}
	return fmt.Errorf("delete task %s of queue %s from the broker: %w", id, queue, err)
}

// QueueStatsWithin is QueueStats given up when ctx ends first: the inspector's calls take no
// context, and a metrics scrape must not hang on an unreachable broker.
func (i *Inspector) QueueStatsWithin(ctx context.Context) ([]QueueStats, error) {
	type answer struct {
		stats []QueueStats
		err   error
	}
	answered := make(chan answer, 1)
	go func() {
		stats, err := i.QueueStats()
		answered <- answer{stats, err}
	}()
	select {
	case a := <-answered:
		return a.stats, a.err
	case <-ctx.Done():
		return nil, fmt.Errorf("read queue state: %w", ctx.Err())
	}
}
