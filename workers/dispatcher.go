package workers

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Dispatcher hands tasks committed to the outbox to the broker, as the store's TaskDispatcher.
type Dispatcher struct {
	client *Client
	store  *store.Store
	logger *slog.Logger
}

var _ store.TaskDispatcher = (*Dispatcher)(nil)

// NewDispatcher returns a dispatcher enqueuing through client and marking rows in st.
func NewDispatcher(client *Client, st *store.Store, logger *slog.Logger) *Dispatcher {
	if logger == nil {
		logger = slog.Default()
	}
	return &Dispatcher{client: client, store: st, logger: logger}
}

// DispatchTasks enqueues each task and records which ones the broker took. Failures are only logged:
// the transaction that recorded the tasks has committed, and the sweeper enqueues what is left.
func (d *Dispatcher) DispatchTasks(ctx context.Context, tasks []model.QueuedTask) {
	d.enqueue(ctx, tasks)
}

// enqueue returns how many tasks the broker took.
func (d *Dispatcher) enqueue(ctx context.Context, tasks []model.QueuedTask) int {
	enqueued := make([]string, 0, len(tasks))
	var firstErr error
	for _, task := range tasks {
		if err := d.client.Enqueue(ctx, task); err != nil {
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		enqueued = append(enqueued, task.ID)
	}
	if failed := len(tasks) - len(enqueued); failed > 0 {
		// One line per batch: with the broker down, a sweep would otherwise log every row.
		d.logger.WarnContext(ctx, "tasks not enqueued; the sweeper will retry",
			slog.Int("failed", failed), slog.Any("error", firstErr))
	}
	if err := d.store.MarkTasksEnqueued(ctx, enqueued, time.Now()); err != nil {
		// The broker has the tasks; the sweeper will only find them again early and be refused by
		// their task ids.
		d.logger.WarnContext(ctx, "enqueued tasks not marked", slog.Int("tasks", len(enqueued)), slog.Any("error", err))
	}
	return len(enqueued)
}
