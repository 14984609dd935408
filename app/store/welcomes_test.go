package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// Fifty transactions claiming the same member's welcome at once leave exactly one claim: a member
// approved twice at the same moment, or following again while her first follow is processed, is
// welcomed once.
func TestWelcomeIsClaimedOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		member, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://a.example/u/al", Host: "a.example", InboxURL: "https://a.example/u/al/inbox"})
		if err != nil {
			t.Fatal(err)
		}
		var claimed atomic.Int32
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				err := st.Transaction(ctx, func(tx *store.Store) error {
					ok, err := tx.ClaimWelcome(ctx, model.Welcome{GroupID: group.ID, RemoteActorID: member.ID, ContentHTML: "<p>hi</p>"})
					if ok {
						claimed.Add(1)
					}
					return err
				})
				if err != nil && st.Dialect() == store.Postgres {
					t.Error(err) // SQLite's single writer may answer "busy"; PostgreSQL must not fail
				}
			})
		}
		wg.Wait()
		if n := claimed.Load(); n != 1 {
			t.Fatalf("%d claims of one welcome, want 1", n)
		}
		var rows int64
		if err := st.DB().Model(&model.Welcome{}).Where("group_id = ? AND remote_actor_id = ?", group.ID, member.ID).Count(&rows).Error; err != nil || rows != 1 {
			t.Fatalf("%d welcome rows (%v), want 1", rows, err)
		}
	})
}
