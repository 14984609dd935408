package workers_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

// An accepted activity's task is in the broker alone, under the activity's id, with no outbox row to
// write, mark or delete. When the broker loses it, a sweep past the lease gives it a row and hands
// it over again.
func TestInboundTaskLivesInTheBrokerUntilTheBrokerLosesIt(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	dispatcher := wireDispatcher(t, st, opt)
	activity := testenv.AcceptInbound(t, st, "lost")
	dispatcher.Flush()
	if got := queueTotals(t, opt).Pending; got != 1 {
		t.Fatalf("broker holds %d pending, want the activity's task", got)
	}
	if !rowGone(t, st, activity.ID) {
		t.Fatal("the accepted activity's task has an outbox row")
	}

	flush(t, opt)
	sweeper := workers.NewSweeper(st, dispatcher, 0, 0, testLogger())
	if n, err := sweeper.Sweep(context.Background(), time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("a sweep within the lease enqueued %d, %v; want none", n, err)
	}
	if n, err := sweeper.Sweep(context.Background(), time.Now()); err != nil || n != 1 {
		t.Fatalf("a sweep past the lease enqueued %d, %v; want the activity's task", n, err)
	}
	if got := queueTotals(t, opt).Pending; got != 1 {
		t.Errorf("broker holds %d pending after the sweep, want the activity's task", got)
	}
	if row := findRow(t, st, activity.ID); row.EnqueuedAt == nil || row.TaskType != tasks.TypeProcessInbound {
		t.Errorf("the swept task's row %+v: want the activity's task, marked enqueued", row)
	}
}

// A task the broker refused gets an outbox row at once, not handed over, so the next sweep (not the
// one after the lease) tries again.
func TestInboundTaskTheBrokerRefusedGetsARow(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	wireDispatcher(t, st, asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: time.Second})
	activity := testenv.AcceptInbound(t, st, "refused")
	row := findRow(t, st, activity.ID)
	if row.EnqueuedAt != nil || row.TaskType != tasks.TypeProcessInbound {
		t.Errorf("the refused task's row %+v: want the activity's task, not handed over", row)
	}
}

// A failed attempt of an inbound task writes its row, which counts the attempt, says why, and is
// marked dead when asynq will not retry.
func TestInboundTaskFailureWritesItsRow(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	wireDispatcher(t, st, opt)
	srv := newServer(t, st, opt, nil)
	srv.HandleFunc(tasks.TypeProcessInbound, func(ctx context.Context, task *asynq.Task) error {
		return fmt.Errorf("the group's database is gone: %w", asynq.SkipRetry)
	})
	start(t, srv)
	activity := testenv.AcceptInbound(t, st, "failing")
	var row model.QueuedTask
	waitFor(t, "the failure is recorded", func() bool {
		var err error
		row, err = st.FindTask(context.Background(), activity.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil && row.DeadAt != nil
	})
	if row.Attempts != 1 || row.LastError == "" || row.Queue != tasks.QueueInbound {
		t.Errorf("the failed task's row %+v: want one attempt, why, on the inbound queue", row)
	}
}

// After its first look, which reads every pending activity, a sweeper looks for stale inbound
// activities only among those that arrived since its last look (less an overlap): an activity that
// was pending when a look covered its arrival got a row then. A worker that starts again reads them
// all once more.
func TestInboundSweepLooksOnlySinceItsLastLook(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	dispatcher := wireDispatcher(t, st, opt)
	ctx := context.Background()
	arrivedAt := func(activity model.InboundActivity, at time.Time) {
		t.Helper()
		if err := st.DB().Model(&model.InboundActivity{}).Where("id = ?", activity.ID).Update("received_at", at).Error; err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	sweeper := workers.NewSweeper(st, dispatcher, 0, 0, testLogger())
	if _, err := sweeper.Sweep(ctx, now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	recent := testenv.AcceptInbound(t, st, "recent")
	arrivedAt(recent, now.Add(-time.Hour))
	covered := testenv.AcceptInbound(t, st, "covered")
	arrivedAt(covered, now.Add(-3*time.Hour)) // before the first look's end, less the overlap
	if _, err := sweeper.Sweep(ctx, now.Add(-30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if rowGone(t, st, recent.ID) {
		t.Error("an activity that arrived since the last look got no row")
	}
	if !rowGone(t, st, covered.ID) {
		t.Error("the sweep looked again at activities a look before it covered")
	}
	restarted := workers.NewSweeper(st, dispatcher, 0, 0, testLogger())
	if _, err := restarted.Sweep(ctx, now.Add(-30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if rowGone(t, st, covered.ID) {
		t.Error("a sweeper's first look left out a stale activity")
	}
}
