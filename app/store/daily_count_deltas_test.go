package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// Events counted while folds run count exactly once: a fold adds and deletes the same deltas in
// one transaction, and folds take turns, so no delta is added twice or lost between two folds.
func TestFoldedCountsCountEveryEventOnce(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	ctx := context.Background()
	group := newLobby(t, st)
	const events, folders = 60, 4

	var wg sync.WaitGroup
	errs := make(chan error, events+folders*events)
	for range events {
		wg.Go(func() {
			errs <- st.CountPostModerated(ctx, group.ID, model.PostHeld)
		})
	}
	for range folders {
		wg.Go(func() {
			for range events / folders {
				errs <- st.FoldDailyCounts(ctx)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if totals := statsTotals(t, st, group.ID); totals.PostsHeld != events {
		t.Errorf("posts held after %d events counted during folds: %d", events, totals.PostsHeld)
	}
	// A second read folds nothing new and finds the same figure.
	if totals := statsTotals(t, st, group.ID); totals.PostsHeld != events {
		t.Errorf("posts held on a second read: %d, want %d", totals.PostsHeld, events)
	}
}

// The day's counts are read the moment their event committed, on both databases: a read folds
// the waiting deltas first, and adds to what earlier folds left in the row.
func TestCountsAreReadAsSoonAsCommitted(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		for want := int64(1); want <= 3; want++ {
			if err := st.CountPostModerated(ctx, group.ID, model.PostDeclined); err != nil {
				t.Fatal(err)
			}
			if totals := statsTotals(t, st, group.ID); totals.PostsDeclined != want {
				t.Errorf("posts declined after %d events: %d", want, totals.PostsDeclined)
			}
		}
	})
}
