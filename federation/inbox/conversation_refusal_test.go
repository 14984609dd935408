package inbox_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestConversationRefusals sends hostile and unwelcome activities, each signed (or deliberately not),
// and checks each is refused with the status the inbox promises and changes nothing: no post stored
// or changed, no like counted, nothing delivered.
func TestConversationRefusals(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		k := newKring(t, st)
		peer := newRemotePeer(t)
		other := newRemotePeerAt(t, "127.0.0.3", "")
		alice := k.join(t, peer, "alice", k.open)
		bob := k.join(t, peer, "bob", k.open)
		mallory := k.join(t, other, "mallory", k.open)
		stranger := member{peer: peer, name: "dave", key: peer.addUser("dave")}
		banned := k.join(t, peer, "erin", k.open)
		ban(t, st, k.open, banned.actor())

		create, note := k.noteOf(alice, k.open, 1)
		if status := k.send(t, alice, k.open, create); status != 202 {
			t.Fatalf("alice's post: %d", status)
		}
		original := postsOf(t, st, k.open)[0]
		withField := func(m map[string]any, key string, value any) map[string]any {
			c := copyMap(m)
			c[key] = value
			return c
		}
		createOf := func(m member, n int, adjust func(note map[string]any)) map[string]any {
			c, nt := k.noteOf(m, k.open, n)
			adjust(nt)
			c["object"] = nt
			return c
		}

		cases := []struct {
			name   string
			from   member
			body   map[string]any
			signed bool
			status int
		}{
			{"post of an object on another server", alice, createOf(alice, 2, func(n map[string]any) {
				n["id"] = mallory.actor() + "/statuses/2"
			}), true, 400},
			{"post on behalf of someone else", alice, createOf(alice, 3, func(n map[string]any) {
				n["attributedTo"] = bob.actor()
			}), true, 400},
			{"post by another server's actor with alice's ids", mallory, withField(create, "actor", mallory.actor()), true, 400},
			{"unsigned post", alice, createOf(alice, 4, func(map[string]any) {}), false, 401},
			{"edit of someone else's post, claimed as theirs", bob,
				activityOf(bob, "Update", "edits/1", withField(note, "attributedTo", alice.actor())), true, 400},
			{"edit of someone else's post, attributed to self", bob,
				activityOf(bob, "Update", "edits/2", withField(withField(note, "attributedTo", bob.actor()), "content", "<p>defaced</p>")), true, 202},
			{"edit from another server", mallory,
				activityOf(mallory, "Update", "edits/3", withField(note, "attributedTo", mallory.actor())), true, 400},
			{"delete of someone else's post", bob, activityOf(bob, "Delete", "deletes/1", note["id"]), true, 202},
			{"delete from another server", mallory, activityOf(mallory, "Delete", "deletes/2", note["id"]), true, 400},
			{"spoofed announce of alice's post", mallory, activityOf(mallory, "Announce", "boosts/1", note["id"]), true, 202},
			{"followers-only post", alice, createOf(alice, 5, func(n map[string]any) {
				n["to"] = []any{alice.actor() + "/followers"}
			}), true, 202},
			{"direct post", alice, createOf(alice, 6, func(n map[string]any) {
				n["to"] = []any{k.iris.GroupActor("lobby")}
				n["cc"] = []any{}
			}), true, 202},
			{"post by a non-follower", stranger, createOf(stranger, 7, func(map[string]any) {}), true, 202},
			{"post by a banned member", banned, createOf(banned, 8, func(map[string]any) {}), true, 202},
			{"like by a banned member", banned, activityOf(banned, "Like", "likes/1", note["id"]), true, 202},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := len(peer.received()) + len(other.received())
				body, err := json.Marshal(tc.body)
				if err != nil {
					t.Fatal(err)
				}
				key := tc.from.key
				if !tc.signed {
					key = nil
				}
				status := k.post(t, "/groups/lobby/inbox", body, tc.from.keyID(), key, nil)
				k.processInbound(t)
				k.deliverAll(t)
				if status != tc.status {
					t.Errorf("status %d, want %d", status, tc.status)
				}
				posts := postsOf(t, st, k.open)
				if len(posts) != 1 {
					t.Fatalf("%d posts after the refusal, want alice's one", len(posts))
				}
				if posts[0].ContentHTML != original.ContentHTML || posts[0].LikeCount != 0 {
					t.Errorf("alice's post changed: %q, %d likes", posts[0].ContentHTML, posts[0].LikeCount)
				}
				if after := len(peer.received()) + len(other.received()); after != before {
					t.Errorf("%d activities delivered because of a refused one", after-before)
				}
			})
		}
		if _, err := st.PostInGroup(ctx, k.open.ID, note["id"].(string)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPostingRateLimit drops an actor's posts over the limit before they are stored.
func TestPostingRateLimit(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		k := newKring(t, st)
		alice := k.join(t, newRemotePeer(t), "alice", k.open)
		for n := 1; n <= postLimits.PerActor+2; n++ {
			create, _ := k.noteOf(alice, k.open, n)
			if status := k.send(t, alice, k.open, create); status != 202 {
				t.Fatalf("post %d: %d", n, status)
			}
		}
		if got := len(postsOf(t, st, k.open)); got != postLimits.PerActor {
			t.Errorf("%d posts stored, want the limit of %d", got, postLimits.PerActor)
		}
	})
}

// ban bans the actor iri from group, as a moderator would.
func ban(t *testing.T, st *store.Store, group model.Group, iri string) {
	t.Helper()
	actor, err := st.RemoteActorByIRI(context.Background(), iri)
	if err != nil {
		t.Fatal(err)
	}
	row := model.GroupBan{ID: model.NewID(), GroupID: group.ID, RemoteActorID: actor.ID, Reason: "spam", CreatedAt: actor.CreatedAt}
	if err := st.DB().Create(&row).Error; err != nil {
		t.Fatal(err)
	}
}
