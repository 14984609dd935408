package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// A transaction that counted an event of a group does not hold the group's row of the day until it
// ends: the count runs as its last statement, so a second transaction of the same group counts and
// commits while the first is still busy. Counted first, the second would wait for the row (seen:
// 100 ms on average per post of a busy group, every post processed one at a time).
func TestCountsWaitForTheEndOfTheirTransaction(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	ctx := context.Background()
	group := newLobby(t, st)
	post := groupPost(t, st, group, 1)
	liker, other := newActor(t, st, "liker"), newActor(t, st, "other")

	counted, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- st.Transaction(ctx, func(tx *store.Store) error {
			if err := tx.CountPostModerated(ctx, group.ID, model.PostHeld); err != nil {
				return err
			}
			if _, err := tx.AddLike(ctx, model.PostLike{PostID: post.ID, RemoteActorID: liker.ID, ActivityIRI: liker.IRI + "/likes/1"}); err != nil {
				return err
			}
			close(counted)
			<-release // the rest of a long transaction
			return nil
		})
	}()
	<-counted
	secondCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := st.Transaction(secondCtx, func(tx *store.Store) error {
		if err := tx.CountPostModerated(secondCtx, group.ID, model.PostHeld); err != nil {
			return err
		}
		_, err := tx.AddLike(secondCtx, model.PostLike{PostID: post.ID, RemoteActorID: other.ID, ActivityIRI: other.IRI + "/likes/1"})
		return err
	})
	cancel()
	close(release)
	if err != nil {
		t.Fatalf("the second transaction, counting the same group's and post's rows while the first was open: %v", err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	totals := statsTotals(t, st, group.ID)
	if totals.PostsHeld != 2 || totals.Likes != 2 {
		t.Errorf("after both: %d posts held, %d likes of the day, want 2 and 2", totals.PostsHeld, totals.Likes)
	}
	liked, err := st.PostByID(ctx, post.ID)
	if err != nil {
		t.Fatal(err)
	}
	if liked.LikeCount != 2 {
		t.Errorf("the post's like count: %d, want 2", liked.LikeCount)
	}
}

// A transaction that fails after counting counts nothing: the deferred increments never run.
func TestCountsOfAFailedTransactionAreNotKept(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		failed := context.Canceled
		err := st.Transaction(ctx, func(tx *store.Store) error {
			if err := tx.CountPostModerated(ctx, group.ID, model.PostRemoved); err != nil {
				return err
			}
			return failed
		})
		if err != failed {
			t.Fatalf("transaction: %v", err)
		}
		if totals := statsTotals(t, st, group.ID); totals.PostsRemoved != 0 {
			t.Errorf("posts removed after a rolled-back count: %d", totals.PostsRemoved)
		}
	})
}
