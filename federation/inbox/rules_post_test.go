package inbox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// A group's rules are its pinned rules post: published with the rules (the group actor's Update tells
// servers its featured collection changed), edited with them (an Update
// reaches members' servers), left alone when they did not change, deleted when they are emptied.
func TestRulesAreAPinnedGroupPost(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		k := newKring(t, st)
		peer := newRemotePeer(t)
		k.join(t, peer, "bob", k.open)
		setRules := func(rules string) {
			t.Helper()
			if err := st.UpdateGroup(ctx, k.open.ID, store.GroupChange{Rules: store.To(rules)}); err != nil {
				t.Fatal(err)
			}
			if err := k.talk.SyncRulesPost(ctx, k.open.ID, nil); err != nil {
				t.Fatal(err)
			}
			k.deliverAll(t)
		}
		rulesPost := func() string {
			t.Helper()
			group, err := st.GroupByID(ctx, k.open.ID)
			if err != nil {
				t.Fatal(err)
			}
			if group.RulesPostID == nil {
				return ""
			}
			post, err := st.PostByID(ctx, *group.RulesPostID)
			if err != nil || post.PinnedAt == nil {
				t.Fatalf("rules post %+v (%v), want it pinned", post, err)
			}
			return post.ObjectIRI
		}
		contentOf := func(kind string) []string {
			var out []string
			for _, d := range ofType(receivedBy(t, peer, "bob"), kind) {
				if strings.HasPrefix(d.objectID(), k.iris.GroupActor("lobby")+"/posts/") {
					out = append(out, string(d.Object))
				}
			}
			return out
		}

		setRules("Be kind.")
		object := rulesPost()
		if creates := contentOf("Create"); object == "" || len(creates) != 1 || !strings.Contains(creates[0], "Rules of Lobby") ||
			!strings.Contains(creates[0], "Be kind.") {
			t.Fatalf("rules post %q, creates %v", object, creates)
		}
		actorUpdates := 0 // the featured collection changed: servers refetch it when the actor is updated
		for _, d := range ofType(receivedBy(t, peer, "bob"), "Update") {
			if d.objectID() == k.iris.GroupActor("lobby") {
				actorUpdates++
			}
		}
		if actorUpdates != 1 {
			t.Errorf("%d Updates of the group actor after the rules post was pinned, want 1", actorUpdates)
		}
		setRules("Be kind.")
		setRules("Be kind. No ads.")
		if updates := contentOf("Update"); len(updates) != 1 || !strings.Contains(updates[0], "No ads.") || rulesPost() != object {
			t.Fatalf("after two saves, one of them a change: updates %v", updates)
		}
		setRules("")
		if rulesPost() != "" || len(ofType(receivedBy(t, peer, "bob"), "Delete")) != 1 {
			t.Fatal("emptied rules left their post, or sent no Delete")
		}
	})
}
