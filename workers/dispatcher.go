package workers

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Dispatcher hands tasks committed to the outbox to the broker, as the store's TaskDispatcher.
type Dispatcher struct {
	client *Client
	store  *store.Store
	logger *slog.Logger
	marks  enqueueMarks
}

// enqueueMarks records in the background which tasks the broker took. A mark only spares the
// sweeper work: a row left unmarked is enqueued again by the next sweep and refused by its task id
// (or taken anew, if the broker lost it). So the request that recorded a task does not wait for its
// mark, which cost every accepted inbound activity a commit of its own (an fsync) on its answer's
// path. Marks handed in while others are being written are written together next: at rest a mark
// is written at once, under load one UPDATE marks everything that arrived meanwhile.
type enqueueMarks struct {
	mu      sync.Mutex
	pending []string
	since   time.Time // when the broker took the first of pending: the time the marks record
	writing bool
	written *sync.Cond // broadcast when writing stops
}

// markTimeout bounds one write of marks; a mark that fails is only logged (see enqueueMarks).
const markTimeout = 30 * time.Second

var _ store.TaskDispatcher = (*Dispatcher)(nil)

// NewDispatcher returns a dispatcher enqueuing through client and marking rows in st.
func NewDispatcher(client *Client, st *store.Store, logger *slog.Logger) *Dispatcher {
	if logger == nil {
		logger = slog.Default()
	}
	d := &Dispatcher{client: client, store: st, logger: logger}
	d.marks.written = sync.NewCond(&d.marks.mu)
	return d
}

// DispatchTasks enqueues each task and records which ones the broker took. Failures are only logged:
// the transaction that recorded the tasks has committed, and the sweeper enqueues what is left.
func (d *Dispatcher) DispatchTasks(ctx context.Context, tasks []model.QueuedTask) {
	d.enqueue(ctx, tasks)
}

// enqueue returns how many tasks the broker took. It marks the rows of those it took; a task
// without a row (model.QueuedTask.Unrecorded) needs no mark when the broker takes it, since its
// activity's time of arrival stands for one, and gets a row when the broker refuses it, so that
// the next sweep tries again rather than the one after the lease.
func (d *Dispatcher) enqueue(ctx context.Context, tasks []model.QueuedTask) int {
	marks := make([]string, 0, len(tasks))
	var refusedUnrecorded []model.QueuedTask
	var firstErr error
	taken := 0
	for _, task := range tasks {
		if err := d.client.Enqueue(ctx, task); err != nil {
			firstErr = cmp.Or(firstErr, err)
			if task.Unrecorded {
				refusedUnrecorded = append(refusedUnrecorded, task)
			}
			continue
		}
		taken++
		if !task.Unrecorded {
			marks = append(marks, task.ID)
		}
	}
	if failed := len(tasks) - taken; failed > 0 {
		// One line per batch: with the broker down, a sweep would otherwise log every row.
		d.logger.WarnContext(ctx, "tasks not enqueued; the sweeper will retry",
			slog.Int("failed", failed), slog.Any("error", firstErr))
	}
	if err := d.store.RecordMissingTaskRows(ctx, refusedUnrecorded); err != nil {
		// Their activities are pending: the sweep finds them once the lease has run out.
		d.logger.WarnContext(ctx, "tasks the broker refused not recorded; the sweeper will find them after the lease",
			slog.Int("tasks", len(refusedUnrecorded)), slog.Any("error", err))
	}
	d.mark(marks, time.Now())
	return taken
}

// mark hands the ids of tasks the broker took at a time to the background writer of marks.
func (d *Dispatcher) mark(ids []string, at time.Time) {
	if len(ids) == 0 {
		return
	}
	d.marks.mu.Lock()
	defer d.marks.mu.Unlock()
	if len(d.marks.pending) == 0 {
		d.marks.since = at
	}
	d.marks.pending = append(d.marks.pending, ids...)
	if !d.marks.writing {
		d.marks.writing = true
		go d.writeMarks()
	}
}

// writeMarks writes the pending marks until none are left.
func (d *Dispatcher) writeMarks() {
	for {
		d.marks.mu.Lock()
		// The marks record when the broker took the batch's first task, never a later time: a
		// sweep that began meanwhile looks for rows enqueued before it began.
		ids, at := d.marks.pending, d.marks.since
		d.marks.pending = nil
		if len(ids) == 0 {
			d.marks.writing = false
			d.marks.written.Broadcast()
			d.marks.mu.Unlock()
			return
		}
		d.marks.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), markTimeout)
		if err := d.store.MarkTasksEnqueued(ctx, ids, at); err != nil {
			// The broker has the tasks; the sweeper will only find them again early and be
			// refused by their task ids.
			d.logger.Warn("enqueued tasks not marked", slog.Int("tasks", len(ids)), slog.Any("error", err))
		}
		cancel()
	}
}

// Flush waits until the marks of every task enqueued so far are written (or have failed). A
// process calls it before it closes the store; a sweep, before it ends.
func (d *Dispatcher) Flush() {
	d.marks.mu.Lock()
	defer d.marks.mu.Unlock()
	for d.marks.writing {
		d.marks.written.Wait()
	}
}
