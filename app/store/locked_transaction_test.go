package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// A transaction holding locks whose first statement cannot carry its BEGIN and locks (a lookup
// through gorm's query, which database/sql runs) sends them before it, in one query (so BEGIN costs no round trip of its
// own), runs every statement after them in that transaction, and dispatches its tasks once it has
// committed.
func TestTransactionHoldingBeginsWithItsLocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	broker := dispatchTo(st)
	recorder := testenv.RecordStatements(t, st)
	locks := store.PostingRateLocks("actor", "host.example")
	var recorded model.QueuedTask
	statements := recorder.During(func() {
		err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			if _, err := tx.FindTask(ctx, "no such task"); !errors.Is(err, store.ErrNotFound) {
				return err
			}
			var err error
			recorded, err = tx.RecordTask(ctx, store.NewTask{Type: "test:task", Queue: "maintenance", Payload: map[string]string{}})
			if len(broker.tasks()) != 0 {
				t.Error("a task was dispatched before its transaction committed")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	if len(statements) != 3 || !strings.HasPrefix(statements[0].SQL, "BEGIN; SELECT pg_advisory_xact_lock(") ||
		strings.Count(statements[0].SQL, "pg_advisory_xact_lock(") != len(locks) {
		t.Fatalf("statements %+v; want BEGIN with the locks, then the lookup and the task's insert", statements)
	}
	if statements[0].Tx == nil || statements[1].Tx != statements[0].Tx || statements[2].Tx != statements[0].Tx ||
		testenv.Commits(statements) != 1 {
		t.Errorf("the statements did not run in one transaction: %+v", statements)
	}
	if handed := broker.tasks(); len(handed) != 1 || handed[0].ID != recorded.ID {
		t.Errorf("dispatched %+v after the commit, want the recorded task", handed)
	}
	if _, err := st.FindTask(ctx, recorded.ID); err != nil {
		t.Errorf("the committed task's row: %v", err)
	}
}

// lockHeld reads, as a transaction's first statement, how many of the advisory locks its own
// session holds are granted, and the value asked back: run after the locks in the same round trip,
// it sees them held.
type lockHeld struct {
	Held  int64
	Asked string
}

const lockHeldQuery = `SELECT COUNT(*) AS held, CAST(? AS TEXT) AS asked, NULL AS absent FROM pg_locks
	WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()`

// openWithARead begins tx's transaction with a read, the way the inbox's transactions do.
func openWithARead(ctx context.Context, tx *store.Store) error {
	var held lockHeld
	return tx.ScanForTest(ctx, &held, lockHeldQuery, "")
}

// A transaction holding locks whose first statement is a read into a struct, or an Exec, sends its
// BEGIN, its locks and that statement in one round trip: the statement is the only one recorded,
// it runs in the transaction and after the locks, and its row is read by column name.
func TestTransactionHoldingSendsItsFirstStatementWithItsLocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	recorder := testenv.RecordStatements(t, st)
	locks := store.PostingRateLocks("actor", "pipelined.example")
	task, err := st.RecordTask(ctx, store.NewTask{Type: "test:task", Queue: "maintenance", Payload: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	var read lockHeld
	statements := recorder.During(func() {
		err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			if err := tx.ScanForTest(ctx, &read, lockHeldQuery, "asked back"); err != nil {
				return err
			}
			_, err := tx.RecordTask(ctx, store.NewTask{Type: "test:task", Queue: "maintenance", Payload: map[string]string{}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	if read != (lockHeld{Held: int64(len(locks)), Asked: "asked back"}) {
		t.Errorf("the opening read saw %+v; want the %d locks held and the value asked", read, len(locks))
	}
	if len(statements) != 2 || !strings.HasPrefix(statements[0].SQL, "SELECT COUNT(*) AS held") {
		t.Fatalf("statements %+v; want the read (carrying BEGIN and the locks), then the task's insert", statements)
	}
	if statements[0].Tx == nil || statements[1].Tx != statements[0].Tx || testenv.Commits(statements) != 1 {
		t.Errorf("the statements did not run in one transaction: %+v", statements)
	}

	// An Exec first: it carries them the same way, and is undone with the rest.
	failed := errors.New("the work failed")
	statements = recorder.During(func() {
		err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			if err := tx.DB().Exec("UPDATE queued_tasks SET queue = ? WHERE id = ?", "changed", task.ID).Error; err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("the failing work: %v", err)
		}
	})
	if len(statements) != 1 || statements[0].Tx == nil {
		t.Errorf("statements %+v; want the update alone, in the transaction", statements)
	}
	if found, err := st.FindTask(ctx, task.ID); err != nil || found.Queue != "maintenance" {
		t.Errorf("the rolled back update left queue %q (%v)", found.Queue, err)
	}
}

// While one transaction holds a lock, another taking it with its first read waits until the first
// has committed, and then reads what the first wrote: the read takes its snapshot after the lock.
func TestTransactionHoldingWaitsForTheLocksHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	locks := []store.AdvisoryLock{store.SupportInboxLock("group", "host.example")}
	holding, release := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	releaseFirst := func() { releaseOnce.Do(func() { close(release) }) }
	defer releaseFirst() // a failed wait below ends the test with the first transaction let go
	var (
		wg            sync.WaitGroup
		firstCommitAt time.Time
		secondRead    struct{ Tasks int64 }
		secondReadAt  time.Time
	)
	wg.Go(func() {
		err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			if err := openWithARead(ctx, tx); err != nil {
				return err
			}
			close(holding)
			<-release
			_, err := tx.RecordTask(ctx, store.NewTask{Type: "test:waited-for", Queue: "maintenance", Payload: map[string]string{}})
			firstCommitAt = time.Now()
			return err
		})
		if err != nil {
			t.Error(err)
		}
	})
	<-holding
	wg.Go(func() {
		err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			err := tx.ScanForTest(ctx, &secondRead, "SELECT COUNT(*) AS tasks FROM queued_tasks WHERE task_type = ?", "test:waited-for")
			secondReadAt = time.Now()
			return err
		})
		if err != nil {
			t.Error(err)
		}
	})
	// The second asks for the lock and waits: PostgreSQL shows its request not granted.
	sqlDB, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the second transaction waits for the lock", func() bool {
		waiting, err := testenv.AdvisoryLockWaiters(sqlDB, locks[0])
		if err != nil {
			t.Fatal(err)
		}
		return waiting == 1
	})
	releaseFirst()
	wg.Wait()
	if !secondReadAt.After(firstCommitAt) || secondRead.Tasks != 1 {
		t.Errorf("the second transaction's read ended at %s, the first's work at %s; it saw %d of its tasks, want 1",
			secondReadAt.Format(time.StampMicro), firstCommitAt.Format(time.StampMicro), secondRead.Tasks)
	}
}

// A transaction holding locks that fails leaves nothing behind: not when its work returns an error,
// not when a statement failed and the work went on (PostgreSQL answers that COMMIT by rolling
// back, which must not pass for a commit), not when its first statement, carrying its BEGIN, failed,
// not when the work panics. The connection goes back to
// the pool with no transaction open, and the locks are free.
func TestTransactionHoldingRollsBackWhatFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	locks := []store.AdvisoryLock{store.SupportInboxLock("group", "failing.example")}
	var written []string
	record := func(tx *store.Store) {
		task, err := tx.RecordTask(ctx, store.NewTask{Type: "test:task", Queue: "maintenance", Payload: map[string]string{}})
		if err != nil {
			t.Fatal(err)
		}
		written = append(written, task.ID)
	}
	failed := errors.New("the work failed")
	if err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
		record(tx)
		return failed
	}); !errors.Is(err, failed) {
		t.Errorf("returning an error: %v", err)
	}
	if err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
		record(tx)
		_ = tx.DB().Exec("SELECT 1 / 0").Error // an error some caller took for an answer
		return nil
	}); err == nil {
		t.Error("a transaction whose statement failed was reported committed")
	}
	// Its first statement fails, whether the server ran BEGIN before it or (a statement that does
	// not parse, refused before anything runs) never did: the work goes on regardless, but nothing
	// after runs on its own, committed alone.
	for _, opening := range []string{"SELECT 1 / 0 AS held", "SELEC 1 AS held"} {
		err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			var held lockHeld
			_ = tx.ScanForTest(ctx, &held, opening)
			task, err := tx.RecordTask(ctx, store.NewTask{Type: "test:task", Queue: "maintenance", Payload: map[string]string{}})
			if err == nil {
				written = append(written, task.ID)
				t.Errorf("%s: a statement ran after the failed opening", opening)
			}
			return nil
		})
		if err == nil {
			t.Errorf("%s: a transaction whose opening failed was reported committed", opening)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach the caller")
			}
		}()
		_ = st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			record(tx)
			panic("the work panicked")
		})
	}()
	for _, id := range written {
		if _, err := st.FindTask(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("task %s written by a failed transaction: %v", id, err)
		}
	}
	// Every connection of the pool in turn: none holds a transaction or a lock.
	sqlDB, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	for range sqlDB.Stats().OpenConnections + 1 {
		var open bool
		if err := st.DB().Raw("SELECT pg_try_advisory_xact_lock(?) AND txid_current_if_assigned() IS NULL",
			int64(locks[0])).Scan(&open).Error; err != nil || !open {
			t.Fatalf("a connection came back holding the lock or a transaction: %t, %v", open, err)
		}
	}
}

// waitUntil polls cond until it holds, failing the test after 20 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// A transaction holding locks sends its COMMIT with the last statement of its commit tail (the
// counters it adds to last): the tail's work is committed, and undone with the rest when the tail
// fails; a transaction that is only its tail is BEGIN, locks, tail and COMMIT in one pipeline.
func TestTransactionHoldingCommitsWithItsTail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, recorder, task, found := storeWithATask(t)
	locks := []store.AdvisoryLock{store.SupportInboxLock("group", "tail.example")}
	attempts := func() int { return found().Attempts }
	count := func(tx *store.Store, by string) error {
		return tx.ExecLastForTest(ctx, "queued_tasks", "UPDATE queued_tasks SET attempts = attempts + "+by+" WHERE id = ?", task.ID)
	}
	var ran *store.Store
	statements := recorder.During(func() {
		err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			ran = tx
			if err := openWithARead(ctx, tx); err != nil {
				return err
			}
			return count(tx, "1")
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	if len(statements) != 2 || statements[0].Tx == nil || statements[1].Tx != statements[0].Tx || !strings.HasPrefix(statements[1].SQL, "UPDATE") {
		t.Errorf("statements %+v; want the read and the tail, in one transaction", statements)
	}
	if !store.CommittedWithTailForTest(ran) {
		t.Error("the COMMIT was sent on its own, not with the tail")
	}
	if got := attempts(); got != 1 {
		t.Errorf("after the committed tail the task has %d attempts, want 1", got)
	}

	var written model.QueuedTask
	err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
		var err error
		if written, err = tx.RecordTask(ctx, store.NewTask{Type: "test:task", Queue: "maintenance", Payload: map[string]string{}}); err != nil {
			return err
		}
		return count(tx, "1 / 0")
	})
	if err == nil {
		t.Error("a transaction whose tail failed was reported committed")
	}
	if _, err := st.FindTask(ctx, written.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the task written before the failed tail: %v", err)
	}

	statements = recorder.During(func() {
		err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			ran = tx
			return count(tx, "1")
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	if len(statements) != 1 || statements[0].Tx == nil || !store.CommittedWithTailForTest(ran) {
		t.Errorf("statements %+v; want the tail alone, in the transaction, carrying its COMMIT", statements)
	}
	// Without a tail, COMMIT goes on its own.
	if err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
		ran = tx
		return openWithARead(ctx, tx)
	}); err != nil || store.CommittedWithTailForTest(ran) {
		t.Errorf("a transaction without a tail: %v, committed with a tail: %t", err, store.CommittedWithTailForTest(ran))
	}
	if got := attempts(); got != 2 {
		t.Errorf("after the transaction of its tail alone the task has %d attempts, want 2", got)
	}
}

// A transaction's final write runs at its end and carries its COMMIT when no increment follows it;
// with increments it runs before them, and the last of them carries it. Its check sees its rows
// affected, and a failed check undoes the transaction when it still can; a second final write is
// refused.
func TestTransactionHoldingCommitsWithItsFinalWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, recorder, task, found := storeWithATask(t)
	locks := []store.AdvisoryLock{store.SupportInboxLock("group", "final.example")}
	setQueue := func(tx *store.Store, queue string, affected *int64) error {
		return tx.ExecFinalForTest(ctx, func(n int64) error { *affected = n; return nil },
			"UPDATE queued_tasks SET queue = ? WHERE id = ?", queue, task.ID)
	}
	queue := func() string { return found().Queue }
	var ran *store.Store
	var affected int64
	statements := recorder.During(func() {
		err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			ran = tx
			if err := openWithARead(ctx, tx); err != nil {
				return err
			}
			if err := setQueue(tx, "final", &affected); err != nil {
				return err
			}
			if q := queue(); q != "maintenance" {
				t.Errorf("the final write ran before the end of its transaction: queue %q", q)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	statements = slices.DeleteFunc(statements, func(s testenv.Statement) bool { return s.Tx == nil }) // the test's own look
	if len(statements) != 2 || !strings.HasPrefix(statements[1].SQL, "UPDATE queued_tasks SET queue") || affected != 1 ||
		!store.CommittedWithTailForTest(ran) || queue() != "final" {
		t.Errorf("statements %+v, %d affected, committed with it: %t, queue %q; want the read, then the final write carrying the COMMIT",
			statements, affected, store.CommittedWithTailForTest(ran), queue())
	}

	// With an increment: the final write first, the increment last, carrying the COMMIT.
	statements = recorder.During(func() {
		err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			ran = tx
			if err := tx.ExecLastForTest(ctx, "queued_tasks", "UPDATE queued_tasks SET attempts = attempts + 1 WHERE id = ?", task.ID); err != nil {
				return err
			}
			if err := setQueue(tx, "final again", &affected); err != nil {
				return err
			}
			if err := setQueue(tx, "twice", &affected); err == nil {
				t.Error("a second final write was taken")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	if len(statements) != 2 || !strings.Contains(statements[0].SQL, "SET queue") || !strings.Contains(statements[1].SQL, "attempts + 1") ||
		!store.CommittedWithTailForTest(ran) || queue() != "final again" {
		t.Errorf("statements %+v; want the final write, then the increment carrying the COMMIT", statements)
	}

	// A check that fails, with an increment after it: nothing is committed.
	failed := errors.New("no row")
	err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
		if err := tx.ExecLastForTest(ctx, "queued_tasks", "UPDATE queued_tasks SET attempts = attempts + 1 WHERE id = ?", task.ID); err != nil {
			return err
		}
		return tx.ExecFinalForTest(ctx, func(int64) error { return failed }, "UPDATE queued_tasks SET queue = 'checked' WHERE id = ?", task.ID)
	})
	if found, _ := st.FindTask(ctx, task.ID); !errors.Is(err, failed) || found.Queue != "final again" || found.Attempts != 1 {
		t.Errorf("a failed check: %v, queue %q, attempts %d; want the error and nothing changed", err, found.Queue, found.Attempts)
	}
}

// storeWithATask is a store on PostgreSQL with its statements recorded and one task in its outbox,
// and a look at that task as it stands.
func storeWithATask(t *testing.T) (*store.Store, *testenv.StatementRecorder, model.QueuedTask, func() model.QueuedTask) {
	t.Helper()
	ctx := context.Background()
	st := testenv.Postgres(t)
	recorder := testenv.RecordStatements(t, st)
	task, err := st.RecordTask(ctx, store.NewTask{Type: "test:task", Queue: "maintenance", Payload: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	return st, recorder, task, func() model.QueuedTask {
		found, err := st.FindTask(ctx, task.ID)
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
}

// A transaction on generic plans runs every statement on them, whether its BEGIN went with its first
// statement or alone; the setting ends with it, and other transactions keep PostgreSQL's choice.
func TestTransactionHoldingOnGenericPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	locks := []store.AdvisoryLock{store.SupportInboxLock("group", "plans.example")}
	planMode := func(tx *store.Store) string {
		var row struct{ Mode string }
		if err := tx.ScanForTest(ctx, &row, "SELECT current_setting('plan_cache_mode') AS mode"); err != nil {
			t.Fatal(err)
		}
		return row.Mode
	}
	var asFirst, afterLookup, ordinary string
	if err := st.TransactionHoldingOnGenericPlans(ctx, locks, func(tx *store.Store) error {
		asFirst = planMode(tx) // the opening read: BEGIN and the setting go with it
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.TransactionHoldingOnGenericPlans(ctx, locks, func(tx *store.Store) error {
		if _, err := tx.FindTask(ctx, "no such task"); !errors.Is(err, store.ErrNotFound) {
			return err // a read through database/sql: BEGIN and the setting went alone, before it
		}
		afterLookup = planMode(tx)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
		ordinary = planMode(tx)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if asFirst != "force_generic_plan" || afterLookup != "force_generic_plan" || ordinary != "auto" || planMode(st) != "auto" {
		t.Errorf("plan_cache_mode %q as the first statement, %q after a lookup, %q in an ordinary transaction, %q after them; want generic plans in the first two only",
			asFirst, afterLookup, ordinary, planMode(st))
	}
}

// With no locks a holding transaction saves the same round trips: its BEGIN goes with its first
// statement, or alone before a read through database/sql, and its deferred writes and COMMIT go with
// its tail.
func TestTransactionHoldingWithoutLocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _, task, found := storeWithATask(t)
	var ran *store.Store
	var ids []string
	err := st.TransactionHolding(ctx, nil, func(tx *store.Store) error {
		ran = tx
		var counted struct{ N int64 }
		if err := tx.ScanForTest(ctx, &counted, "SELECT COUNT(*) AS n FROM queued_tasks"); err != nil {
			return err
		}
		var err error
		if ids, err = deferredTasks(ctx, tx); err != nil {
			return err
		}
		return tx.ExecLastForTest(ctx, "queued_tasks", "UPDATE queued_tasks SET attempts = attempts + 1 WHERE id = ?", task.ID)
	})
	wantDeferredWithTail(t, "opened by a read", err, ran, st, ids, found, 1)

	err = st.TransactionHolding(ctx, nil, func(tx *store.Store) error {
		ran = tx
		if _, err := tx.FindTask(ctx, task.ID); err != nil { // through database/sql: BEGIN goes alone before it
			return err
		}
		return tx.ExecLastForTest(ctx, "queued_tasks", "UPDATE queued_tasks SET attempts = attempts + 1 WHERE id = ?", task.ID)
	})
	if err != nil || store.RoundTripsForTest(ran) != 3 || found().Attempts != 2 {
		t.Errorf("opened by a lookup: %v, %d round trips, attempts %d; want BEGIN, the lookup, the tail with COMMIT, and the tail written",
			err, store.RoundTripsForTest(ran), found().Attempts)
	}
}
