package inbox_test

import (
	"context"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
)

// The worker takes whatever was stored, even what today's inbox would refuse (stored by an older
// version, or a case the inbox misses): an embedded Like whose id is no IRI is ignored, not a crash.
func TestWorkerIgnoresAnUndoOfALikeWithoutAUsableID(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	k := newKring(t, st)
	peer := newRemotePeer(t)
	peer.addUser("alice")
	alice := peer.actor("alice")
	body := `{"@context":"https://www.w3.org/ns/activitystreams","id":"` + alice + `/undos/1","type":"Undo","actor":"` + alice +
		`","object":{"id":"likes/1","type":"Like","actor":"` + alice + `","object":"` + alice + `/notes/1"}}`
	if _, err := st.AcceptInboundActivity(context.Background(), model.InboundActivity{ActivityIRI: alice + "/undos/1",
		ActorIRI: alice, ActivityType: "Undo", RawBody: body}, tasks.NewProcessInboundTask); err != nil {
		t.Fatal(err)
	}
	k.processInbound(t)
	var row model.InboundActivity
	if err := st.DB().Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.State != model.InboundIgnored {
		t.Fatalf("the Undo ended %s (%s), want ignored", row.State, row.Error)
	}
}
