package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// A transaction holding locks sends its BEGIN with them, in one query (so BEGIN costs no round
// trip of its own), runs every statement after them in that transaction, and dispatches its tasks
// once it has committed.
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
	if len(statements) != 2 || !strings.HasPrefix(statements[0].SQL, "BEGIN; SELECT pg_advisory_xact_lock(") ||
		strings.Count(statements[0].SQL, "pg_advisory_xact_lock(") != len(locks) {
		t.Fatalf("statements %+v; want BEGIN with the locks, then the task's insert", statements)
	}
	if statements[0].Tx == nil || statements[1].Tx != statements[0].Tx || testenv.Commits(statements) != 1 {
		t.Errorf("the statements did not run in one transaction: %+v", statements)
	}
	if handed := broker.tasks(); len(handed) != 1 || handed[0].ID != recorded.ID {
		t.Errorf("dispatched %+v after the commit, want the recorded task", handed)
	}
	if _, err := st.FindTask(ctx, recorded.ID); err != nil {
		t.Errorf("the committed task's row: %v", err)
	}
}

// While one transaction holds a lock, another taking it waits until the first has committed, and
// then sees what the first wrote.
func TestTransactionHoldingWaitsForTheLocksHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	locks := []store.AdvisoryLock{store.SupportInboxLock("group", "host.example")}
	holding, release := make(chan struct{}), make(chan struct{})
	var (
		wg            sync.WaitGroup
		firstTask     model.QueuedTask
		firstCommitAt time.Time
		secondSawIt   bool
		secondStarted time.Time
	)
	wg.Go(func() {
		err := st.TransactionHolding(ctx, locks, func(tx *store.Store) error {
			close(holding)
			<-release
			var err error
			firstTask, err = tx.RecordTask(ctx, store.NewTask{Type: "test:task", Queue: "maintenance", Payload: map[string]string{}})
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
			secondStarted = time.Now()
			_, err := tx.FindTask(ctx, firstTask.ID)
			secondSawIt = err == nil
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	})
	// The second asks for the lock and waits: PostgreSQL shows its request not granted.
	key := uint64(locks[0])
	waitUntil(t, "the second transaction waits for the lock", func() bool {
		var waiting int64
		err := st.DB().Raw(`SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND classid = ? AND objid = ? AND objsubid = 1`, uint32(key>>32), uint32(key)).Scan(&waiting).Error
		if err != nil {
			t.Fatal(err)
		}
		return waiting == 1
	})
	close(release)
	wg.Wait()
	if !secondStarted.After(firstCommitAt) || !secondSawIt {
		t.Errorf("the second transaction ran at %s, the first's work ended at %s; saw its task: %t",
			secondStarted.Format(time.StampMicro), firstCommitAt.Format(time.StampMicro), secondSawIt)
	}
}

// A transaction holding locks that fails leaves nothing behind: not when its work returns an error,
// not when a statement failed and the work went on (PostgreSQL answers that COMMIT by rolling
// back, which must not pass for a commit), not when the work panics. The connection goes back to
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
