package inbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// mentionsOf lists the group's kept mentions (newest first) and how many its daily figures counted
// around today (a test may cross midnight).
func mentionsOf(t *testing.T, st *store.Store, group model.Group) ([]store.MentionWithAuthor, int64) {
	t.Helper()
	ctx := context.Background()
	kept, err := st.GroupMentionsBefore(ctx, group.ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	days, err := st.GroupDays(ctx, group.ID, store.StatsDay(now.AddDate(0, 0, -1)), store.StatsDay(now.AddDate(0, 0, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var counted int64
	for _, day := range days {
		counted += day.Mentions
	}
	return kept, counted
}

// A signed public post that names a followers-only group, from someone who is not its member, is
// refused as a post but kept as a mention and counted once, however often it is delivered; the
// group announces nothing; her Update of the post edits the copy kept, her Delete deletes it. A member's post, a direct message, a banned stranger's post and a reply
// in the group's thread that does not name the group are not kept.
func TestMentionsByNonMembersAreKept(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		k := newKring(t, st)
		news, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "news", Name: "News",
			PostingPolicy: model.PostingFollowers})
		if err != nil {
			t.Fatal(err)
		}
		peer := newRemotePeer(t)
		alice := k.join(t, peer, "alice", news)
		dave := member{peer: peer, name: "dave", key: peer.addUser("dave")}
		erin := k.join(t, peer, "erin", k.open) // known to Kring, to be banned from news
		announcesBefore := len(peer.receivedOfType("Announce"))

		create, note := k.noteOf(dave, news, 1)
		note["content"] = `<p>Are you open on Sunday? <a href="https://x.example" onclick="steal()">x</a><script>alert(1)</script></p>`
		if status := k.send(t, dave, news, create); status != 202 {
			t.Fatalf("dave's mention: %d", status)
		}
		// The same Create again, and the same post in a second Create (an id the inbox has not seen).
		again := copyMap(create)
		again["id"] = note["id"].(string) + "/activity-again"
		for _, a := range []map[string]any{create, again} {
			if status := k.send(t, dave, news, a); status != 202 {
				t.Fatalf("repeated delivery: %d", status)
			}
		}
		kept, counted := mentionsOf(t, st, news)
		if len(kept) != 1 || counted != 1 {
			t.Fatalf("after one mention delivered three times: %d kept, %d counted; want 1 and 1", len(kept), counted)
		}
		m := kept[0]
		if m.ObjectIRI != note["id"] || m.Author.IRI != dave.actor() || m.PostID != nil {
			t.Errorf("kept %+v by %s, want %s by %s with no post", m.GroupMention, m.Author.IRI, note["id"], dave.actor())
		}
		if strings.Contains(m.ContentHTML, "script") || strings.Contains(m.ContentHTML, "onclick") || !strings.Contains(m.ContentHTML, "Sunday") {
			t.Errorf("kept content %q, want the text sanitised", m.ContentHTML)
		}
		if posts := postsOf(t, st, news); len(posts) != 0 {
			t.Errorf("the followers-only group stored %d posts of a non-member", len(posts))
		}
		if got := len(peer.receivedOfType("Announce")); got != announcesBefore {
			t.Errorf("%d Announces sent after a non-member's post, want none", got-announcesBefore)
		}

		// Not kept: a member's post, a direct message, a banned stranger's post, a reply in the
		// thread of a member's post that does not name the group.
		memberPost, memberNote := k.noteOf(alice, news, 2)
		direct, directNote := k.noteOf(dave, news, 3)
		for _, m := range []map[string]any{direct, directNote} {
			m["to"], m["cc"] = []any{k.iris.GroupActor("news")}, []any{}
		}
		banned, _ := k.noteOf(erin, news, 4)
		ban(t, st, news, erin.actor())
		reply, replyNote := k.noteOf(dave, news, 5)
		replyNote["inReplyTo"], replyNote["tag"] = memberNote["id"], []any{}
		for _, m := range []map[string]any{reply, replyNote} {
			m["cc"] = []any{dave.actor() + "/followers"}
		}
		for _, a := range []struct {
			from member
			body map[string]any
		}{{alice, memberPost}, {dave, direct}, {erin, banned}, {dave, reply}} {
			if status := k.send(t, a.from, news, a.body); status != 202 {
				t.Fatalf("%s: %d", a.body["id"], status)
			}
		}
		if posts := postsOf(t, st, news); len(posts) != 1 || posts[0].ObjectIRI != memberNote["id"] {
			t.Fatalf("the member's post was not taken in: %d posts", len(posts))
		}
		if kept, counted := mentionsOf(t, st, news); len(kept) != 1 || counted != 1 {
			t.Errorf("after a member's post, a direct message, a banned stranger's post and a reply: %d kept, %d counted; want 1 and 1",
				len(kept), counted)
		}

		// She edits her post: the copy kept takes her new words.
		edited := copyMap(note)
		edited["content"], edited["updated"] = "<p>Are you open on Saturday?</p>", "2026-12-01T11:00:00Z"
		if status := k.send(t, dave, news, activityOf(dave, "Update", "edits/1", edited)); status != 202 {
			t.Fatalf("edit: %d", status)
		}
		if kept, _ := mentionsOf(t, st, news); len(kept) != 1 || kept[0].ContentHTML != "<p>Are you open on Saturday?</p>" {
			t.Errorf("after her edit the copy kept is not her new words: %+v", kept)
		}
		// She deletes her post: the copy kept goes; the day's count stays.
		if status := k.send(t, dave, news, activityOf(dave, "Delete", "deletes/1", note["id"])); status != 202 {
			t.Fatalf("delete: %d", status)
		}
		if kept, counted := mentionsOf(t, st, news); len(kept) != 0 || counted != 1 {
			t.Errorf("after she deleted her post: %d kept, %d counted; want none kept, 1 counted", len(kept), counted)
		}
	})
}
