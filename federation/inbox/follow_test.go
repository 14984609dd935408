package inbox_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/test/testenv"
)

// groupKeys resolves Kring's group keys from the database, as a peer would after fetching the actor.
type groupKeys struct {
	store *store.Store
	group model.Group
	actor string
}

func (g groupKeys) PublicKey(ctx context.Context, keyID string, _ bool) (signing.VerifiedKey, error) {
	row, err := g.store.ActiveGroupKey(ctx, g.group.ID)
	if err != nil {
		return signing.VerifiedKey{}, err
	}
	block, _ := pem.Decode([]byte(row.PublicPEM))
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return signing.VerifiedKey{}, err
	}
	return signing.VerifiedKey{KeyID: keyID, OwnerIRI: g.actor, Key: key}, nil
}

// verifyAtPeer checks a post the peer received the way a peer's inbox would.
func verifyAtPeer(t *testing.T, k *kringUnderTest, group model.Group, post receivedPost) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, post.Path, bytes.NewReader(post.Body))
	req.Header = post.Header
	req.Host = post.Host
	verifier := &signing.Verifier{Resolver: groupKeys{store: k.store, group: group, actor: k.iris.GroupActor(group.Slug)}}
	got, err := verifier.Verify(context.Background(), req, post.Body)
	if err != nil {
		t.Fatalf("the peer could not verify Kring's %s: %v", post.Body, err)
	}
	if got.OwnerIRI != k.iris.GroupActor(group.Slug) {
		t.Errorf("signed by %s", got.OwnerIRI)
	}
}

type answer struct {
	Type   string `json:"type"`
	Actor  string `json:"actor"`
	Object struct {
		ID, Type, Actor, Object string
	} `json:"object"`
}

func TestFollowIsAcceptedAndTheAcceptVerifies(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		k := newKring(t, st)
		peer := newRemotePeer(t)
		aliceKey := peer.addUser("alice")
		alice := peer.actor("alice")
		body := follow(alice+"/follows/1", alice, k.iris.GroupActor("lobby"))

		if status := k.post(t, "/groups/lobby/inbox", body, alice+"#main-key", aliceKey, nil); status != http.StatusAccepted {
			t.Fatalf("signed Follow: status %d, want 202", status)
		}
		// Redelivery of the same activity is acknowledged and queues nothing new.
		if status := k.post(t, "/inbox", body, alice+"#main-key", aliceKey, nil); status != http.StatusAccepted {
			t.Fatalf("redelivered Follow: status %d, want 202", status)
		}
		if n := len(queued(t, st, tasks.TypeProcessInbound)); n != 1 {
			t.Fatalf("processing tasks queued = %d, want 1", n)
		}
		k.processInbound(t)
		k.deliverAll(t)

		posts := peer.receivedOfType("Accept")
		if len(posts) != 1 || posts[0].Path != "/users/alice/inbox" {
			t.Fatalf("peer received %d Accepts: %+v", len(posts), posts)
		}
		var got answer
		if err := json.Unmarshal(posts[0].Body, &got); err != nil {
			t.Fatal(err)
		}
		if got.Type != "Accept" || got.Actor != k.iris.GroupActor("lobby") || got.Object.ID != alice+"/follows/1" ||
			got.Object.Type != "Follow" || got.Object.Actor != alice {
			t.Errorf("answer %s", posts[0].Body)
		}
		verifyAtPeer(t, k, k.open, posts[0])

		// Undo{Follow} removes the follower.
		undo, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": alice + "/undo/1",
			"type": "Undo", "actor": alice, "object": json.RawMessage(body)})
		if status := k.post(t, "/groups/lobby/inbox", undo, alice+"#main-key", aliceKey, nil); status != http.StatusAccepted {
			t.Fatalf("Undo: status %d", status)
		}
		k.processInbound(t)
		follows, err := st.FollowsOfGroup(context.Background(), k.open.ID, "")
		if err != nil || len(follows) != 0 {
			t.Fatalf("follows after Undo: %+v %v", follows, err)
		}
	})
}

func TestApprovalGroupHoldsTheFollow(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	k := newKring(t, st)
	peer := newRemotePeer(t)
	bobKey := peer.addUser("bob")
	bob := peer.actor("bob")
	body := follow(bob+"/follows/9", bob, k.iris.GroupActor("inner"))
	if status := k.post(t, "/groups/inner/inbox", body, bob+"#main-key", bobKey, nil); status != http.StatusAccepted {
		t.Fatalf("status %d", status)
	}
	k.processInbound(t)
	k.deliverAll(t)
	if posts := peer.received(); len(posts) != 0 {
		t.Fatalf("a held request must not be answered: %d posts", len(posts))
	}
	pending, err := st.FollowsOfGroup(context.Background(), k.approval.ID, model.FollowPending)
	if err != nil || len(pending) != 1 || pending[0].Actor.IRI != bob {
		t.Fatalf("pending %+v %v", pending, err)
	}
}

func TestDeleteOfTheAccountRemovesItsFollows(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	k := newKring(t, st)
	peer := newRemotePeer(t)
	carolKey := peer.addUser("carol")
	carol := peer.actor("carol")
	k.post(t, "/inbox", follow(carol+"/follows/1", carol, k.iris.GroupActor("lobby")), carol+"#main-key", carolKey, nil)
	k.processInbound(t)
	del, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": carol + "#delete",
		"type": "Delete", "actor": carol, "object": carol})
	if status := k.post(t, "/inbox", del, carol+"#main-key", carolKey, nil); status != http.StatusAccepted {
		t.Fatalf("status %d", status)
	}
	k.processInbound(t)
	if follows, err := st.FollowsOfGroup(context.Background(), k.open.ID, ""); err != nil || len(follows) != 0 {
		t.Fatalf("follows left: %+v (%v)", follows, err)
	}
}
