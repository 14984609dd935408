package workers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

func TestTaskWithoutOutboxRowIsDropped(t *testing.T) {
	t.Parallel()
	if n := runsOfOrphan(t, tasks.TypeDeliverActivity, tasks.QueueDeliveries, `{"delivery_id":"x"}`); n != 0 {
		t.Errorf("handler ran %d times for a task without a row, want 0", n)
	}
}

// An inbound activity's handler tells finished work apart itself (the activity is no longer
// pending), so its task runs without the outbox row being read first.
func TestInboundTaskWithoutOutboxRowIsLeftToItsHandler(t *testing.T) {
	t.Parallel()
	if n := runsOfOrphan(t, tasks.TypeProcessInbound, tasks.QueueInbound, `{"inbound_activity_id":"x"}`); n != 1 {
		t.Errorf("handler ran %d times for an inbound task without a row, want 1", n)
	}
}

// runsOfOrphan enqueues a task of taskType whose outbox row is gone, as if it had been completed
// while the broker still held a copy, and says how many times its handler ran.
func runsOfOrphan(t *testing.T, taskType, queue, payload string) int {
	t.Helper()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	runs := newExecutions()
	srv := newServer(t, st, opt, nil)
	srv.HandleFunc(taskType, func(ctx context.Context, task *asynq.Task) error {
		runs.record(ctx)
		return nil
	})
	start(t, srv)

	orphan := model.QueuedTask{ID: model.NewID(), TaskType: taskType, Queue: queue, Payload: payload, RunAt: time.Now()}
	client := workers.NewClient(opt)
	defer client.Close()
	if err := client.Enqueue(context.Background(), orphan); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the broker is empty", func() bool {
		total := queueTotals(t, opt)
		return total.Pending+total.Active+total.Retry+total.Archived == 0
	})
	return runs.count(orphan.ID)
}

func TestPanicIsRecordedAsFailure(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	opt := testenv.Redis(t)
	wireDispatcher(t, st, opt)
	runs := newExecutions()
	attemptsSeen := make(chan model.QueuedTask, 1)
	srv := newServer(t, st, opt, nil)
	srv.HandleFunc(typeTest, func(ctx context.Context, task *asynq.Task) error {
		if runs.record(ctx) == 1 {
			panic("nil post")
		}
		id, _ := asynq.GetTaskID(ctx)
		row, err := st.FindTask(ctx, id)
		if err != nil {
			return err
		}
		attemptsSeen <- row
		return nil
	})
	start(t, srv)

	row := record(t, st, testTask("p1", time.Time{}))
	waitFor(t, "the row is deleted", func() bool { return rowGone(t, st, row.ID) })
	seen := <-attemptsSeen
	if seen.Attempts != 1 || !strings.Contains(seen.LastError, "panicked: nil post") {
		t.Errorf("after the panic the row had attempts %d, last error %q", seen.Attempts, seen.LastError)
	}
}

func TestUnhandledTaskTypeFailsInsteadOfVanishing(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	wireDispatcher(t, st, opt)
	srv := newServer(t, st, opt, nil) // no handlers
	start(t, srv)

	row := record(t, st, testTask("a1", time.Time{}))
	waitFor(t, "the failure is recorded", func() bool { return findRow(t, st, row.ID).Attempts >= 1 })
	if got := findRow(t, st, row.ID); got.LastError == "" {
		t.Error("no error recorded for a task nobody handles")
	}
}
