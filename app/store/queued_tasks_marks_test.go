package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// Marking a task the broker took rewrites no index entry (migration 29): the mark is a heap-only
// update. The sweep still finds a task never marked, leaves a marked one alone for the lease, and
// finds it again once the lease ran out.
func TestMarkingATaskEnqueuedIsAHeapOnlyUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	task, err := st.RecordTask(ctx, store.NewTask{Type: "test:mark", Queue: "maintenance", Payload: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	swept := func(before time.Time) bool {
		t.Helper()
		rows, err := st.TasksToSweep(ctx, before, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(rows, func(row model.QueuedTask) bool { return row.ID == task.ID })
	}
	if !swept(time.Now()) {
		t.Fatal("a task never handed to the broker is not swept")
	}
	var updated, heapOnly int64
	marked := time.Now()
	err = st.Transaction(ctx, func(tx *store.Store) error {
		if err := tx.MarkTasksEnqueued(ctx, []string{task.ID}, marked); err != nil {
			return err
		}
		return tx.DB().WithContext(ctx).Raw(`SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables
			WHERE relid = CAST('queued_tasks' AS regclass)`).Row().Scan(&updated, &heapOnly)
	})
	if err != nil {
		t.Fatal(err)
	}
	if updated != 1 || heapOnly != 1 {
		t.Errorf("marking the task: %d updates, %d of them heap-only; want 1 and 1", updated, heapOnly)
	}
	if swept(marked.Add(-time.Minute)) {
		t.Error("a task marked within the lease is swept")
	}
	if !swept(marked.Add(time.Minute)) {
		t.Error("a task whose lease ran out is not swept")
	}
}
