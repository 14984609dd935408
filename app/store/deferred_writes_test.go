package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// deferredTasks records two tasks in tx, as a fan-out does: a write deferred to the next statement.
func deferredTasks(ctx context.Context, tx *store.Store) ([]string, error) {
	tasks := []store.NewTask{{Type: "test:task", Queue: "maintenance", Payload: map[string]string{}},
		{Type: "test:task", Queue: "maintenance", Payload: map[string]string{}}}
	if err := tx.RecordTasks(ctx, tasks); err != nil {
		return nil, err
	}
	return tx.RecordedTaskIDsForTest(), nil
}

// wantDeferredWithTail checks a TransactionHolding, run in ran, that opened with a read, deferred
// the insert of the tasks ids and added to a task's attempts in its tail: two round trips (the read
// with BEGIN; the insert, the tail and COMMIT), everything written, the task at attempts.
func wantDeferredWithTail(t *testing.T, what string, err error, ran, st *store.Store, ids []string, found func() model.QueuedTask, attempts int) {
	t.Helper()
	if err != nil || store.RoundTripsForTest(ran) != 2 || !store.CommittedWithTailForTest(ran) {
		t.Errorf("%s: %v, %d round trips, committed with its tail: %t; want the opening read, then the insert, the tail and COMMIT",
			what, err, store.RoundTripsForTest(ran), store.CommittedWithTailForTest(ran))
	}
	if _, err := st.FindTask(context.Background(), ids[len(ids)-1]); err != nil || found().Attempts != attempts {
		t.Errorf("%s: the deferred task %v, attempts %d; want both written", what, err, found().Attempts)
	}
}

// A write deferred in a transaction holding locks costs no round trip of its own: it goes with the
// statement after it, which sees it, or with the COMMIT; a read marked to go ahead of it does not
// see it and leaves it held.
func TestDeferredWritesGoWithTheNextStatement(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _, task, found := storeWithATask(t)
	locks := []store.AdvisoryLock{store.SupportInboxLock("group", "deferred.example")}
	var ids []string
	countOf := func(tx *store.Store, scanned func(*store.Store, context.Context, any, string, ...any) error) int64 {
		var n struct{ N int64 }
		if err := scanned(tx, ctx, &n, "SELECT COUNT(*) AS n FROM queued_tasks WHERE id IN (?)", ids); err != nil {
			t.Fatal(err)
		}
		return n.N
	}
	var ran *store.Store
	// openAndDefer opens tx's transaction with a read, then defers the insert of two tasks.
	openAndDefer := func(tx *store.Store) error {
		ran = tx
		if err := openWithARead(ctx, tx); err != nil {
			return err
		}
		var err error
		ids, err = deferredTasks(ctx, tx)
		return err
	}
	err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
		if err := openAndDefer(tx); err != nil {
			return err
		}
		if n := store.RoundTripsForTest(tx); n != 1 {
			t.Errorf("%d round trips after the opening read and the deferred insert, want 1", n)
		}
		if n := countOf(tx, (*store.Store).ScanBeforeDeferredForTest); n != 0 {
			t.Errorf("a read ahead of the deferred insert saw %d of its rows", n)
		}
		if n := countOf(tx, (*store.Store).ScanForTest); n != 2 {
			t.Errorf("a read after the deferred insert saw %d of its rows, want 2", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The opening read, the read ahead, the deferred insert on its own before the read that needs it
	// (a read through database/sql carries nothing), that read, the COMMIT.
	if n := store.RoundTripsForTest(ran); n != 5 {
		t.Errorf("%d round trips, want 5", n)
	}
	for _, id := range ids {
		if _, err := st.FindTask(ctx, id); err != nil {
			t.Errorf("deferred task %s after the commit: %v", id, err)
		}
	}

	// With the commit tail: the deferred insert goes with the tail and its COMMIT.
	err = st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
		if err := openAndDefer(tx); err != nil {
			return err
		}
		return tx.ExecLastForTest(ctx, "queued_tasks", "UPDATE queued_tasks SET attempts = attempts + 1 WHERE id = ?", task.ID)
	})
	wantDeferredWithTail(t, "with a tail", err, ran, st, ids, found, 1)

	// Nothing but deferred writes: BEGIN, the locks, the writes and COMMIT in one round trip.
	err = st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
		ran = tx
		var err error
		ids, err = deferredTasks(ctx, tx)
		return err
	})
	if err != nil || store.RoundTripsForTest(ran) != 1 {
		t.Errorf("deferred writes alone: %v, %d round trips; want 1", err, store.RoundTripsForTest(ran))
	}
	if _, err := st.FindTask(ctx, ids[0]); err != nil {
		t.Errorf("deferred writes alone were not committed: %v", err)
	}
}

// A deferred write that fails fails the statement it goes with, and the transaction: nothing of it
// is kept. A transaction that fails before its deferred writes were sent sends nothing.
func TestDeferredWritesFailTheirTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _, task, found := storeWithATask(t)
	locks := []store.AdvisoryLock{store.SupportInboxLock("group", "deferred-fails.example")}
	var ids []string
	err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
		var err error
		if ids, err = deferredTasks(ctx, tx); err != nil {
			return err
		}
		if err := tx.ExecDeferredForTest(ctx, "INSERT INTO queued_tasks (id, task_type, queue, payload, run_at, attempts, last_error, created_at) SELECT id, task_type, queue, payload, run_at, 0, '', created_at FROM queued_tasks WHERE id = ?", task.ID); err != nil {
			t.Errorf("a deferred write failed at once: %v", err)
		}
		return tx.ExecLastForTest(ctx, "queued_tasks", "UPDATE queued_tasks SET attempts = attempts + 1 WHERE id = ?", task.ID)
	})
	if !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("a transaction whose deferred insert duplicated a row: %v, want ErrDuplicate", err)
	}
	if _, err := st.FindTask(ctx, ids[0]); !errors.Is(err, store.ErrNotFound) || found().Attempts != 0 {
		t.Errorf("after the failed transaction: its first task %v, attempts %d; want neither written", err, found().Attempts)
	}

	failed := errors.New("changed its mind")
	var ran *store.Store
	err = st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
		ran = tx
		var err error
		if ids, err = deferredTasks(ctx, tx); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) || store.RoundTripsForTest(ran) != 0 {
		t.Errorf("a transaction failing with its writes deferred: %v, %d round trips; want its error and none", err, store.RoundTripsForTest(ran))
	}
	if _, err := st.FindTask(ctx, ids[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a task of the failed transaction: %v", err)
	}
}
