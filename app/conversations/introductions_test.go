package conversations_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// reply submits a public reply from the author to the object inReplyTo and returns its result in
// the fixture's group.
func (f *fixture) reply(inReplyTo, contentHTML string, visibility model.Visibility) conversations.Result {
	f.t.Helper()
	f.posted++
	id := f.author.IRI + "/statuses/reply-" + strings.Repeat("x", f.posted)
	results, err := f.talk.Submit(context.Background(), f.author, conversations.Submission{ActivityIRI: id + "/activity",
		ActivityJSON: `{"id":"` + id + `/activity","type":"Create"}`, ObjectIRI: id, ObjectType: "Note", ContentHTML: contentHTML,
		InReplyTo: inReplyTo, Visibility: visibility})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range results {
		if r.GroupID == f.group.ID {
			return r
		}
	}
	return conversations.Result{Outcome: conversations.Refused, Reason: "not taken into the group"}
}

// TestIntroductionsThread: the prompt is published pinned once (however many moderators start it at
// once), its words change with an Update and keep {group} editable, members' replies to it stay in
// the thread and are listed with when they joined, a highlight announces one of them to every member
// exactly once (object Announce only: servers that understand groups had it from the thread), only
// introductions can be highlighted, and stopping deletes the prompt while the introductions stay.
func TestIntroductionsThread(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		if _, err := st.SaveFollow(ctx, model.Follow{GroupID: f.group.ID, RemoteActorID: f.author.ID, State: model.FollowAccepted,
			FollowActivityIRI: f.author.IRI + "/follows/1"}); err != nil {
			t.Fatal(err)
		}

		var wg sync.WaitGroup
		prompts := make([]model.Post, 8)
		for i := range prompts {
			wg.Go(func() {
				var err error
				if prompts[i], err = f.talk.SetIntroductionsPrompt(ctx, f.group.ID, f.staffID, ""); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		group, err := st.GroupByID(ctx, f.group.ID)
		if err != nil || group.IntroductionsPostID == nil {
			t.Fatalf("group after starting: %+v %v", group, err)
		}
		pinned, err := st.ListPosts(ctx, store.PostFilter{GroupID: f.group.ID, Pinned: true})
		if err != nil || len(pinned) != 1 || pinned[0].ID != *group.IntroductionsPostID || prompts[3].ID != pinned[0].ID {
			t.Fatalf("pinned posts %+v %v: want the one prompt every call returned", pinned, err)
		}
		if !strings.Contains(pinned[0].ContentHTML, "Introduce yourself to Lobby") || group.IntroductionsPrompt != conversations.DefaultIntroductionsPrompt {
			t.Errorf("prompt %q, kept words %q", pinned[0].ContentHTML, group.IntroductionsPrompt)
		}
		f.group = group

		edited, err := f.talk.SetIntroductionsPrompt(ctx, f.group.ID, f.staffID, "Hello! Tell {group} about yourself.")
		if err != nil || edited.ID != pinned[0].ID || !strings.Contains(edited.ContentHTML, "Tell Lobby about yourself") || edited.EditedAt == nil {
			t.Fatalf("edited prompt %+v %v", edited, err)
		}
		if logged := f.actions(model.ActionPostEdit); len(logged) != 1 {
			t.Errorf("edits logged: %d, want 1", len(logged))
		}

		intro := f.reply(edited.ObjectIRI, "<p>I am Alice, I grow tomatoes.</p>", model.VisibilityPublic)
		other := f.post("<p>not an introduction</p>")
		private := f.reply(edited.ObjectIRI, "<p>only for followers</p>", model.VisibilityFollowers)
		if intro.Outcome != conversations.Shared || intro.Reach != model.ReachThread || private.Outcome != conversations.Refused {
			t.Fatalf("introduction %+v, followers-only reply %+v", intro, private)
		}
		if activity, err := st.MemberActivityOf(ctx, f.group.ID, f.author.ID); err != nil || activity.IntroducedAt == nil {
			t.Errorf("her activity after introducing herself: %+v %v", activity, err)
		}
		listed, err := f.talk.Introductions(ctx, edited, "", 10)
		if err != nil || len(listed) != 1 || listed[0].ID != intro.PostID || listed[0].MemberUsername != "alice" || listed[0].MemberSince == nil {
			t.Fatalf("introductions %+v %v", listed, err)
		}

		announcedBefore := len(f.fed.announced)
		results := make([]model.Post, 10)
		for i := range results {
			wg.Go(func() {
				var err error
				if results[i], err = f.talk.HighlightIntroduction(ctx, intro.PostID, f.staffID); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		highlighted, err := st.PostByID(ctx, intro.PostID)
		if err != nil || highlighted.HighlightedAt == nil || highlighted.Reach != model.ReachFollowers || highlighted.AnnounceActivityIRI == nil {
			t.Fatalf("highlighted post %+v %v", highlighted, err)
		}
		if got := f.fed.announced[announcedBefore:]; len(got) != 1 || !strings.Contains(got[0], "announce-object") {
			t.Errorf("announces sent by the highlights: %v, want one Announce of the object", got)
		}
		if logged := f.actions(model.ActionPostHighlight); len(logged) != 1 || logged[0].TargetID != intro.PostID {
			t.Errorf("highlights logged %+v, want one", logged)
		}
		if _, err := f.talk.HighlightIntroduction(ctx, other.PostID, f.staffID); apperror.KindOf(err) != apperror.KindInvalid {
			t.Errorf("highlighting a post that is no introduction: %v, want invalid", err)
		}
		if _, err := f.talk.HighlightIntroduction(ctx, edited.ID, f.staffID); apperror.KindOf(err) != apperror.KindInvalid {
			t.Errorf("highlighting the prompt itself: %v, want invalid", err)
		}

		if err := f.talk.StopIntroductions(ctx, f.group.ID, f.staffID); err != nil {
			t.Fatal(err)
		}
		if err := f.talk.StopIntroductions(ctx, f.group.ID, f.staffID); err != nil {
			t.Errorf("stopping twice: %v", err)
		}
		group, err = st.GroupByID(ctx, f.group.ID)
		if err != nil || group.IntroductionsPostID != nil {
			t.Errorf("group after stopping: %+v %v", group, err)
		}
		if _, err := st.PostByID(ctx, edited.ID); err == nil {
			t.Error("the prompt is still stored after stopping")
		}
		if _, err := st.PostByID(ctx, intro.PostID); err != nil {
			t.Errorf("the introduction went with the prompt: %v", err)
		}
		if _, err := f.talk.HighlightIntroduction(ctx, intro.PostID, f.staffID); apperror.KindOf(err) != apperror.KindConflict {
			t.Errorf("highlighting with no thread: %v, want a conflict", err)
		}
	})
}
