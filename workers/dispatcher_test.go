package workers_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
)

// Tasks recorded by many transactions at once are all marked enqueued once the dispatcher's marks
// are flushed, though they are written in the background, several to a statement.
func TestEveryEnqueuedTaskIsMarked(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	dispatcher := wireDispatcher(t, st, testenv.Redis(t))
	const writers, each = 20, 10

	rows := make(chan model.QueuedTask, writers*each)
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for n := range each {
				err := st.Transaction(context.Background(), func(tx *store.Store) error {
					row, err := tx.RecordTask(context.Background(), tasks.NewDeliverActivityTask(fmt.Sprintf("delivery-%d-%d", w, n)))
					rows <- row
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(rows)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	dispatcher.Flush()
	unmarked := 0
	for row := range rows {
		if findRow(t, st, row.ID).EnqueuedAt == nil {
			unmarked++
		}
	}
	if unmarked > 0 {
		t.Errorf("%d of %d enqueued tasks not marked after the flush", unmarked, writers*each)
	}
}
