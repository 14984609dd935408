package inbox_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/kring-social/kring/test/testenv"
)

// A server that sends the same Follow over and over, each with a new id, gets one Accept.
func TestRepeatedFollowsAreAnsweredOnce(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	k := newKring(t, st)
	peer := newRemotePeer(t)
	key := peer.addUser("eager")
	eager := peer.actor("eager")
	for i := range 20 {
		if status := k.post(t, "/inbox", follow(fmt.Sprintf("%s/follows/%d", eager, i), eager, k.iris.GroupActor("lobby")), eager+"#main-key", key, nil); status != http.StatusAccepted {
			t.Fatalf("follow %d: status %d", i, status)
		}
	}
	k.processInbound(t)
	k.deliverAll(t)
	if accepts := peer.receivedOfType("Accept"); len(accepts) != 1 {
		t.Fatalf("%d answers to 20 repeated Follows, want 1", len(accepts))
	}
	if welcomes := peer.receivedOfType("Create"); len(welcomes) != 1 {
		t.Fatalf("%d welcomes for 20 repeated Follows, want 1", len(welcomes))
	}
}
