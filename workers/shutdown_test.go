package workers_test

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

func TestShutdownRequeuesTheTaskInFlight(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	wireDispatcher(t, st, opt)

	started := make(chan struct{}, 1)
	interrupted := make(chan error, 1)
	first := newServer(t, st, opt, func(cfg *workers.Config) { cfg.ShutdownTimeout = 300 * time.Millisecond })
	first.HandleFunc(tasks.TypeDeliverActivity, func(ctx context.Context, task *asynq.Task) error {
		started <- struct{}{}
		<-ctx.Done() // a delivery stuck on a slow remote
		interrupted <- ctx.Err()
		return ctx.Err()
	})
	start(t, first)

	row := record(t, st, tasks.NewDeliverActivityTask("slow"))
	select {
	case <-started:
	case <-time.After(20 * time.Second):
		t.Fatal("the first server never started the task")
	}
	first.Shutdown()
	select {
	case err := <-interrupted:
		if err == nil {
			t.Fatal("the handler's context was not cancelled")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler was not interrupted after the shutdown timeout")
	}
	if got := queueTotals(t, opt); got.Pending != 1 || got.Active != 0 {
		t.Fatalf("after shutdown the broker holds %+v, want the task pending again", got)
	}
	if got := findRow(t, st, row.ID); got.Attempts != 0 || got.DeadAt != nil {
		t.Errorf("interruption counted as a failure: attempts %d, dead %v", got.Attempts, got.DeadAt)
	}

	runs := newExecutions()
	second := newServer(t, st, opt, nil)
	second.HandleFunc(tasks.TypeDeliverActivity, func(ctx context.Context, task *asynq.Task) error {
		runs.record(ctx)
		return nil
	})
	start(t, second)
	waitFor(t, "the second server completes the task", func() bool { return rowGone(t, st, row.ID) })
	if n := runs.count(row.ID); n != 1 {
		t.Errorf("second server ran the task %d times, want 1", n)
	}
}
