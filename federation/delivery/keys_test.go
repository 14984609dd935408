package delivery_test

import (
	"context"
	"sync"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/test/testenv"
)

// The batches of a fan-out start together and each asks for the group's signer: one load answers
// them all (the group and its key read once), and every one signs as the group.
func TestConcurrentSignerLookupsLoadTheKeyOnce(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	f := newFixture(t, st)
	recorder := testenv.RecordStatements(t, st)
	ring := delivery.NewKeyRing(st, f.iris)
	activity := model.OutboundActivity{ActorKind: model.OwnerGroup, GroupID: &f.group.ID}
	const lookups = 32
	keyIDs := make([]string, lookups)
	statements := recorder.During(func() {
		var start, done sync.WaitGroup
		start.Add(1)
		for i := range lookups {
			done.Go(func() {
				start.Wait()
				signer, err := ring.SignerFor(context.Background(), activity)
				if err != nil {
					t.Error(err)
				}
				keyIDs[i] = signer.KeyID
			})
		}
		start.Done()
		done.Wait()
	})
	if len(statements) != 2 {
		t.Errorf("%d concurrent lookups ran %d statements, want 2 (the group, its key)", lookups, len(statements))
	}
	for _, id := range keyIDs {
		if id != f.iris.GroupActor("lobby")+"#main-key" {
			t.Fatalf("signed with %q", id)
		}
	}
}
