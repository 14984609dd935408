package workers_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		opt := testenv.Redis(t)
		dispatcher := wireDispatcher(t, st, opt)

		row := record(t, st, tasks.NewDeliverActivityTask("delivery-1"))
		dispatcher.Flush()
		if got := findRow(t, st, row.ID); got.EnqueuedAt == nil {
			t.Fatal("row not marked enqueued after commit")
		}
		inspector := workers.NewInspector(opt)
		defer inspector.Close()
		stats, err := inspector.QueueStats()
		if err != nil {
			t.Fatalf("queue stats: %v", err)
		}
		for _, q := range stats {
			want := 0
			if q.Queue == tasks.QueueDeliveries {
				want = 1
			}
			if q.Pending != want {
				t.Errorf("queue %s has %d pending, want %d", q.Queue, q.Pending, want)
			}
		}

		runs := newExecutions()
		var mu sync.Mutex
		var delivered []string
		srv := newServer(t, st, opt, nil)
		srv.HandleFunc(tasks.TypeDeliverActivity, func(ctx context.Context, task *asynq.Task) error {
			runs.record(ctx)
			payload, err := workers.DecodePayload[tasks.DeliverActivityPayload](task)
			if err != nil {
				return err
			}
			mu.Lock()
			delivered = append(delivered, payload.DeliveryID)
			mu.Unlock()
			return nil
		})
		start(t, srv)

		waitFor(t, "the row is deleted", func() bool { return rowGone(t, st, row.ID) })
		if n := runs.count(row.ID); n != 1 {
			t.Errorf("handler ran %d times, want 1", n)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(delivered) != 1 || delivered[0] != "delivery-1" {
			t.Errorf("delivered %v, want [delivery-1]", delivered)
		}
	})
}

func TestFailureIsRetriedAndCounted(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		opt := testenv.Redis(t)
		wireDispatcher(t, st, opt)

		runs := newExecutions()
		seenAttempts := make(chan int, 1)
		var seenError string
		srv := newServer(t, st, opt, nil)
		srv.HandleFunc(tasks.TypeProcessInbound, func(ctx context.Context, task *asynq.Task) error {
			if runs.record(ctx) == 1 {
				return errors.New("remote actor unreachable")
			}
			id, _ := asynq.GetTaskID(ctx)
			row, err := st.FindTask(ctx, id)
			if err != nil {
				return err
			}
			seenError = row.LastError
			seenAttempts <- row.Attempts
			return nil
		})
		start(t, srv)

		row := record(t, st, tasks.NewProcessInboundTask("inbound-1"))
		waitFor(t, "the row is deleted", func() bool { return rowGone(t, st, row.ID) })
		if n := runs.count(row.ID); n != 2 {
			t.Errorf("handler ran %d times, want 2", n)
		}
		if attempts := <-seenAttempts; attempts != 1 {
			t.Errorf("second run saw %d failed attempts recorded, want 1", attempts)
		}
		if !strings.Contains(seenError, "remote actor unreachable") {
			t.Errorf("last error %q does not name the failure", seenError)
		}
	})
}

func TestPermanentFailureMarksTaskDead(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		opt := testenv.Redis(t)
		wireDispatcher(t, st, opt)

		runs := newExecutions()
		srv := newServer(t, st, opt, nil)
		srv.HandleFunc(tasks.TypeDeliverActivity, func(ctx context.Context, task *asynq.Task) error {
			runs.record(ctx)
			return fmt.Errorf("remote answered 410 Gone: %w", asynq.SkipRetry)
		})
		start(t, srv)

		row := record(t, st, tasks.NewDeliverActivityTask("delivery-gone"))
		waitFor(t, "the row is dead", func() bool { return findRow(t, st, row.ID).DeadAt != nil })
		got := findRow(t, st, row.ID)
		if got.Attempts != 1 || !strings.Contains(got.LastError, "410 Gone") {
			t.Errorf("dead row has attempts %d, last error %q; want 1 and the 410", got.Attempts, got.LastError)
		}
		waitFor(t, "the broker archives the task", func() bool { return queueTotals(t, opt).Archived == 1 })
		if n := runs.count(row.ID); n != 1 {
			t.Errorf("handler ran %d times, want 1", n)
		}

		// A dead row is left alone by the sweeper.
		sweeper := workers.NewSweeper(st, srv.Dispatcher(), 0, 0, testLogger())
		if n, err := sweeper.Sweep(context.Background(), farFuture()); err != nil || n != 0 {
			t.Errorf("sweep after death enqueued %d (err %v), want 0", n, err)
		}
	})
}

func TestExhaustedRetriesMarkTaskDead(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	// No dispatcher yet: the row waits in the outbox as if the broker had lost it after many failures.
	row := record(t, st, testTask("actor-1", time.Time{}))
	policy := workers.RetryPolicyFor(typeTest)
	if err := st.DB().Model(&row).Update("attempts", policy.MaxRetry-1).Error; err != nil {
		t.Fatal(err)
	}

	runs := newExecutions()
	srv := newServer(t, st, opt, nil)
	srv.HandleFunc(typeTest, func(ctx context.Context, task *asynq.Task) error {
		runs.record(ctx)
		return errors.New("still failing")
	})
	start(t, srv) // sweeps at start

	waitFor(t, "the row is dead", func() bool { return findRow(t, st, row.ID).DeadAt != nil })
	// The attempts already spent count: one retry was left, so two runs.
	if n := runs.count(row.ID); n != 2 {
		t.Errorf("handler ran %d times, want 2", n)
	}
	if got := findRow(t, st, row.ID).Attempts; got != policy.MaxRetry+1 {
		t.Errorf("attempts = %d, want %d", got, policy.MaxRetry+1)
	}
}

func TestRolledBackTransactionEnqueuesNothing(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	wireDispatcher(t, st, opt)

	var recorded string
	rollback := errors.New("validation failed later in the transaction")
	err := st.Transaction(context.Background(), func(tx *store.Store) error {
		row, err := tx.RecordTask(context.Background(), tasks.NewDeliverActivityTask("never"))
		if err != nil {
			return err
		}
		recorded = row.ID
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("transaction returned %v", err)
	}
	if !rowGone(t, st, recorded) {
		t.Error("the rolled-back row exists")
	}
	if total := queueTotals(t, opt); total.Pending+total.Scheduled != 0 {
		t.Errorf("broker holds %+v after a rollback, want nothing", total)
	}

	// The same path with a commit does reach the broker.
	record(t, st, tasks.NewDeliverActivityTask("committed"))
	if total := queueTotals(t, opt); total.Pending != 1 {
		t.Errorf("broker holds %d pending after a commit, want 1", total.Pending)
	}
}

// A postponed task runs again soon, with no attempt counted, neither by asynq nor in the outbox.
func TestPostponedTaskKeepsItsRetries(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	wireDispatcher(t, st, opt)
	runs := newExecutions()
	type seen struct{ retried, attempts int }
	second := make(chan seen, 1)
	srv := newServer(t, st, opt, nil)
	srv.HandleFunc(tasks.TypeDeliverActivity, func(ctx context.Context, task *asynq.Task) error {
		if runs.record(ctx) == 1 {
			return &workers.Postponed{Delay: 100 * time.Millisecond, Reason: "host busy"}
		}
		id, _ := asynq.GetTaskID(ctx)
		retried, _ := asynq.GetRetryCount(ctx)
		row, err := st.FindTask(ctx, id)
		if err != nil {
			return err
		}
		second <- seen{retried: retried, attempts: row.Attempts}
		return nil
	})
	start(t, srv)
	row := record(t, st, tasks.NewDeliverActivityTask("delivery-1"))
	waitFor(t, "the row is deleted", func() bool { return rowGone(t, st, row.ID) })
	if got := <-second; got.retried != 0 || got.attempts != 0 {
		t.Errorf("after a postponement: asynq retried %d, outbox attempts %d; want 0 and 0", got.retried, got.attempts)
	}
}
