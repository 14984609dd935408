package inbox_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestGroupConversation follows one post through its life: announced to a Mastodon-like server as
// the object and to a Lemmy-like one as the author's Create, a reply kept in the thread, a like, an
// edit and a deletion, each reaching the right followers in the right shape.
func TestGroupConversation(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		k := newKring(t, st)
		microblog := newRemotePeer(t)
		threaded := newRemotePeerAt(t, "127.0.0.2", "lemmy")
		alice := k.join(t, microblog, "alice", k.open)
		bob := k.join(t, microblog, "bob", k.open)
		carol := k.join(t, threaded, "carol", k.open)

		create, note := k.noteOf(alice, k.open, 1)
		if status := k.send(t, alice, k.open, create); status != 202 {
			t.Fatalf("create: %d", status)
		}
		posts := postsOf(t, st, k.open)
		if len(posts) != 1 || posts[0].State != model.PostVisible || posts[0].Reach != model.ReachFollowers {
			t.Fatalf("posts after the create: %+v", posts)
		}
		if strings.Contains(posts[0].ContentHTML, "script") || !strings.Contains(posts[0].ContentHTML, "Hello group") {
			t.Errorf("content not sanitised: %q", posts[0].ContentHTML)
		}
		boosts := ofType(receivedBy(t, microblog, "bob"), "Announce")
		if len(boosts) != 1 || boosts[0].objectID() != note["id"] || boosts[0].Actor != k.iris.GroupActor("lobby") {
			t.Fatalf("bob should get one Announce of the note, got %+v", boosts)
		}
		if to := boosts[0].to(); len(to) == 0 || to[0] != "https://www.w3.org/ns/activitystreams#Public" {
			t.Errorf("announce of a public post addressed to %v", to)
		}
		for _, p := range microblog.received() {
			if strings.Contains(string(p.Body), `"Announce"`) {
				verifyAtPeer(t, k, k.open, p)
			}
		}
		shared := ofType(receivedBy(t, threaded, "carol"), "Announce")
		if len(shared) != 1 || shared[0].objectType() != "Create" || shared[0].objectID() != create["id"] {
			t.Fatalf("carol's server understands groups: it should get the Announce of the Create, got %+v", shared)
		}
		if !strings.Contains(string(shared[0].Object), `"contentMap"`) || !strings.Contains(string(shared[0].Object), `"sensitive"`) {
			t.Errorf("the Create should be embedded exactly as alice sent it: %s", shared[0].Object)
		}

		reply := map[string]any{"id": carol.actor() + "/comments/1", "type": "Note", "attributedTo": carol.actor(),
			"content": "<p>a reply</p>", "inReplyTo": note["id"], "to": []any{"https://www.w3.org/ns/activitystreams#Public"},
			"cc": []any{k.iris.GroupActor("lobby")}, "audience": k.iris.GroupActor("lobby")}
		if status := k.send(t, carol, k.open, activityOf(carol, "Create", "comments/1/create", reply)); status != 202 {
			t.Fatalf("reply: %d", status)
		}
		thread, err := st.ListPosts(context.Background(), store.PostFilter{GroupID: k.open.ID, ThreadRootIRI: note["id"].(string)})
		if err != nil || len(thread) != 2 {
			t.Fatalf("thread: %v %+v", err, thread)
		}
		if got := len(ofType(receivedBy(t, microblog, "bob"), "Announce")); got != 1 {
			t.Errorf("a reply must not be boosted into Mastodon timelines: bob has %d Announces", got)
		}
		if got := len(ofType(receivedBy(t, threaded, "carol"), "Announce")); got != 2 {
			t.Errorf("the reply should reach the group-aware server: carol has %d Announces", got)
		}

		if status := k.send(t, bob, k.open, activityOf(bob, "Like", "likes/1", note["id"])); status != 202 {
			t.Fatalf("like: %d", status)
		}
		liked, err := st.PostInGroup(context.Background(), k.open.ID, note["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if liked.LikeCount != 1 {
			t.Errorf("likes: %d", liked.LikeCount)
		}
		if last := lastOf(receivedBy(t, threaded, "carol")); last.Type != "Announce" || last.objectType() != "Like" {
			t.Errorf("the like should be announced to the group-aware server, last was %+v", last)
		}

		edited := copyMap(note)
		edited["content"] = "<p>edited</p>"
		if status := k.send(t, alice, k.open, activityOf(alice, "Update", "statuses/1/edit", edited)); status != 202 {
			t.Fatalf("update: %d", status)
		}
		after, err := st.PostInGroup(context.Background(), k.open.ID, note["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if after.ContentHTML != "<p>edited</p>" || after.EditedAt == nil {
			t.Errorf("edit not applied: %q", after.ContentHTML)
		}
		if last := lastOf(receivedBy(t, threaded, "carol")); last.objectType() != "Update" {
			t.Errorf("the edit should be announced to the group-aware server, last was %+v", last)
		}

		del := activityOf(alice, "Delete", "statuses/1/delete", note["id"])
		if status := k.send(t, alice, k.open, del); status != 202 {
			t.Fatalf("delete: %d", status)
		}
		if _, err := st.PostInGroup(context.Background(), k.open.ID, note["id"].(string)); err == nil {
			t.Error("the deleted post is still there")
		}
		undo := lastOf(receivedBy(t, microblog, "bob"))
		var undone delivered
		_ = json.Unmarshal(undo.Object, &undone)
		if undo.Type != "Undo" || undone.Type != "Announce" || undone.objectID() != note["id"] {
			t.Errorf("bob should get the Undo of the group's Announce, got %s of %+v", undo.Type, undone)
		}
		if last := lastOf(receivedBy(t, threaded, "carol")); last.Type != "Announce" || last.objectType() != "Delete" {
			t.Errorf("the group-aware server should get the announced Delete, got %+v", last)
		}
	})
}

// TestPreModeration holds posts until a moderator decides: approval announces, declining sends the
// author a Reject of their Create.
func TestPreModeration(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		k := newKring(t, st)
		desk, err := testenv.Groups(t, st).CreateGroup(context.Background(), groups.NewGroup{OrganisationSlug: "acme", Slug: "desk",
			Name: "Desk", PostingPolicy: model.PostingPremoderated})
		if err != nil {
			t.Fatal(err)
		}
		peer := newRemotePeer(t)
		alice := k.join(t, peer, "alice", desk)
		k.join(t, peer, "bob", desk)

		first, note := k.noteOf(alice, desk, 1)
		k.send(t, alice, desk, first)
		held := postsOf(t, st, desk)
		if len(held) != 1 || held[0].State != model.PostHeld || len(ofType(receivedBy(t, peer, "bob"), "Announce")) != 0 {
			t.Fatalf("the post should wait unannounced: %+v", held)
		}
		if _, err := k.talk.Approve(context.Background(), held[0].ID, nil); err != nil {
			t.Fatal(err)
		}
		k.deliverAll(t)
		if boosts := ofType(receivedBy(t, peer, "bob"), "Announce"); len(boosts) != 1 || boosts[0].objectID() != note["id"] {
			t.Fatalf("approval should announce the post: %+v", boosts)
		}

		second, _ := k.noteOf(alice, desk, 2)
		k.send(t, alice, desk, second)
		var pending model.Post
		for _, p := range postsOf(t, st, desk) {
			if p.State == model.PostHeld {
				pending = p
			}
		}
		if _, err := k.talk.Decline(context.Background(), pending.ID, nil, "off topic"); err != nil {
			t.Fatal(err)
		}
		k.deliverAll(t)
		rejects := ofType(receivedBy(t, peer, "alice"), "Reject")
		if len(rejects) != 1 || rejects[0].objectID() != second["id"] {
			t.Fatalf("alice should get a Reject of her Create %s: %+v", second["id"], rejects)
		}
		if _, err := k.talk.Approve(context.Background(), pending.ID, nil); err == nil {
			t.Error("a declined post was approved")
		}
	})
}

// TestGroupAuthoredPosts: a moderator's post as the group goes to every follower as the group's own
// Create; pinning tells followers' servers to refetch the actor; deleting sends a Delete.
func TestGroupAuthoredPosts(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		k := newKring(t, st)
		peer := newRemotePeer(t)
		k.join(t, peer, "bob", k.open)
		post, err := k.talk.PublishAsGroup(context.Background(), k.open.ID, nil, conversations.Draft{Text: "Welcome!\n\nRead the <rules>."})
		if err != nil {
			t.Fatal(err)
		}
		k.deliverAll(t)
		var creates []delivered // bob's welcome, a Create of a message, came when he joined
		for _, create := range ofType(receivedBy(t, peer, "bob"), "Create") {
			if strings.HasPrefix(create.objectID(), k.iris.GroupActor("lobby")+"/posts/") {
				creates = append(creates, create)
			}
		}
		if len(creates) != 1 || creates[0].objectID() != k.iris.GroupPost("lobby", post.ID) || creates[0].Actor != k.iris.GroupActor("lobby") {
			t.Fatalf("bob should get the group's Create: %+v", creates)
		}
		var object struct {
			AttributedTo string `json:"attributedTo"`
			Content      string `json:"content"`
		}
		_ = json.Unmarshal(creates[0].Object, &object)
		if object.AttributedTo != k.iris.GroupActor("lobby") || object.Content != "<p>Welcome!</p><p>Read the &lt;rules&gt;.</p>" {
			t.Errorf("note: %+v", object)
		}
		if _, err := k.talk.SetPinned(context.Background(), post.ID, nil, true); err != nil {
			t.Fatal(err)
		}
		k.deliverAll(t)
		if last := lastOf(receivedBy(t, peer, "bob")); last.Type != "Update" || last.objectType() != "Group" {
			t.Errorf("pinning should send an Update of the group: %+v", last)
		}
		if err := k.talk.DeleteGroupPost(context.Background(), post.ID, nil); err != nil {
			t.Fatal(err)
		}
		k.deliverAll(t)
		deletes := ofType(receivedBy(t, peer, "bob"), "Delete")
		if len(deletes) != 1 || deletes[0].objectID() != k.iris.GroupPost("lobby", post.ID) {
			t.Errorf("deleting should send a Delete of the note: %+v", deletes)
		}
		if updates := ofType(receivedBy(t, peer, "bob"), "Update"); len(updates) != 2 {
			t.Errorf("deleting a pinned post should update the group's profile again: %d Updates", len(updates))
		}
	})
}

func lastOf(all []delivered) delivered {
	if len(all) == 0 {
		return delivered{}
	}
	return all[len(all)-1]
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestPostGivenByID fetches an object sent by id only from its origin, and refuses one whose
// document names another id than the URL it came from.
func TestPostGivenByID(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		k := newKring(t, st)
		peer := newRemotePeer(t)
		alice := k.join(t, peer, "alice", k.open)
		create, note := k.noteOf(alice, k.open, 1)
		doc := copyMap(note)
		doc["@context"] = "https://www.w3.org/ns/activitystreams"
		body, _ := json.Marshal(doc)
		peer.serveObject("/users/alice/statuses/1", body)
		create["object"] = note["id"]
		k.send(t, alice, k.open, create)
		if posts := postsOf(t, st, k.open); len(posts) != 1 || !strings.Contains(posts[0].ContentHTML, "Hello group") {
			t.Fatalf("the post given by id was not fetched and taken: %+v", posts)
		}

		liar, _ := k.noteOf(alice, k.open, 2)
		doc["id"] = alice.actor() + "/statuses/elsewhere"
		body, _ = json.Marshal(doc)
		peer.serveObject("/users/alice/statuses/2", body)
		liar["object"] = alice.actor() + "/statuses/2"
		k.send(t, alice, k.open, liar)
		if posts := postsOf(t, st, k.open); len(posts) != 1 {
			t.Errorf("a document whose id is not its URL was taken: %d posts", len(posts))
		}
	})
}

// TestModeratorRemoval takes a member's post out of the group: both Announces are undone and the
// moderation log says who did it and why.
func TestModeratorRemoval(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		k := newKring(t, st)
		microblog := newRemotePeer(t)
		threaded := newRemotePeerAt(t, "127.0.0.2", "piefed")
		alice := k.join(t, microblog, "alice", k.open)
		k.join(t, microblog, "bob", k.open)
		k.join(t, threaded, "carol", k.open)
		create, note := k.noteOf(alice, k.open, 1)
		k.send(t, alice, k.open, create)
		post := postsOf(t, st, k.open)[0]
		if _, err := k.talk.Remove(ctx, post.ID, nil, "spam"); err != nil {
			t.Fatal(err)
		}
		k.deliverAll(t)
		for _, tc := range []struct {
			peer     *remotePeer
			user     string
			announce string
		}{{microblog, "bob", note["id"].(string)}, {threaded, "carol", create["id"].(string)}} {
			undo := lastOf(receivedBy(t, tc.peer, tc.user))
			var undone delivered
			_ = json.Unmarshal(undo.Object, &undone)
			if undo.Type != "Undo" || undone.Type != "Announce" || undone.objectID() != tc.announce {
				t.Errorf("%s should get the Undo of the Announce of %s, got %s of %+v", tc.user, tc.announce, undo.Type, undone)
			}
		}
		removed, err := st.PostByID(ctx, post.ID)
		if err != nil {
			t.Fatal(err)
		}
		if removed.State != model.PostRemoved || removed.RemovedReason != "spam" {
			t.Errorf("post after removal: %s %q", removed.State, removed.RemovedReason)
		}
		log, err := st.ModerationLog(ctx, store.ModerationLogFilter{GroupID: k.open.ID})
		if err != nil || len(log) == 0 || log[0].Action != model.ActionPostRemove || log[0].Reason != "spam" {
			t.Errorf("moderation log: %v %+v", err, log)
		}
		if _, err := k.talk.Remove(ctx, post.ID, nil, "again"); err == nil {
			t.Error("a removed post was removed again")
		}
	})
}
