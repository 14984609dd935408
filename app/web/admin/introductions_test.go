package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// replyBy submits author's public reply to the object inReplyTo, as the inbox would after a Create.
func (s *site) replyBy(author model.RemoteActor, inReplyTo, contentHTML string) conversations.Result {
	s.t.Helper()
	object := fmt.Sprintf("%s/statuses/%d", author.IRI, time.Now().UnixNano())
	results, err := s.talk.Submit(context.Background(), author, conversations.Submission{ActivityIRI: object + "/activity",
		ActivityJSON: `{"id":"` + object + `/activity","type":"Create","actor":"` + author.IRI + `","object":{"id":"` + object + `"}}`,
		ObjectIRI:    object, ObjectType: "Note", ContentHTML: contentHTML, InReplyTo: inReplyTo, Visibility: model.VisibilityPublic})
	if err != nil || len(results) != 1 {
		s.t.Fatalf("reply: %+v %v", results, err)
	}
	return results[0]
}

// TestIntroductionsThroughAdmin: the group's moderator starts the thread (a pinned prompt with the
// group's name), changes its words, sees members' introductions with when they joined, highlights
// one (announced to every member, logged, shown as highlighted), and stops the thread; staff who do
// not moderate the group cannot see or do any of it, nor highlight another group's post through it.
func TestIntroductionsThroughAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		b := s.loggedIn(lobbyMod)
		const page = "/admin/groups/lobby/introductions"

		status, shown := b.get(page)
		if status != http.StatusOK || !strings.Contains(shown, "Start introductions") || !strings.Contains(shown, conversations.DefaultIntroductionsPrompt) {
			t.Fatalf("introductions page before starting %d: %s", status, shown)
		}
		if status, _ := b.submit(page, page, url.Values{"text": {"Say hello to {group}: who are you?"}}); status != http.StatusSeeOther {
			t.Fatalf("start: %d", status)
		}
		lobby := s.groupNow("lobby")
		if lobby.IntroductionsPostID == nil {
			t.Fatal("no prompt after starting")
		}
		prompt := s.postNow(*lobby.IntroductionsPostID)
		if prompt.PinnedAt == nil || !strings.Contains(prompt.ContentHTML, "Say hello to Lobby: who are you?") {
			t.Fatalf("prompt %+v", prompt)
		}
		// The welcome's {introductions} links to the prompt once there is one.
		const welcome = "/admin/groups/lobby/welcome"
		preview := url.Values{"enabled": {"on"}, "text": {"Introduce yourself: {introductions}"}, "action": {"preview"}}
		if status, previewed := b.submit(welcome, welcome, preview); status != http.StatusOK || !strings.Contains(previewed, "/groups/lobby/posts/"+prompt.ID+"</a>") {
			t.Errorf("welcome preview with a thread %d: %s", status, previewed)
		}
		status, shown = b.get(page)
		if status != http.StatusOK || !strings.Contains(shown, "Say hello to {group}: who are you?") || !strings.Contains(shown, "Nobody has introduced themselves yet") {
			t.Fatalf("page after starting %d: %s", status, shown)
		}

		newcomer := s.member(s.lobby)
		intro := s.replyBy(newcomer, prompt.ObjectIRI, "<p>Hi, I am new and I knit.</p>")
		if intro.Outcome != conversations.Shared {
			t.Fatalf("introduction: %+v", intro)
		}
		status, shown = b.get(page)
		if status != http.StatusOK || !strings.Contains(shown, "I am new and I knit") || !strings.Contains(shown, "@"+newcomer.PreferredUsername+"@social.example") ||
			!strings.Contains(shown, "/introductions/"+intro.PostID+"/highlight") {
			t.Fatalf("page with an introduction %d: %s", status, shown)
		}

		desk := s.loggedIn(deskMod)
		for _, attempt := range []struct{ name, path string }{
			{"read", page}, {"start", page}, {"stop", page + "/stop"}, {"highlight", page + "/" + intro.PostID + "/highlight"},
		} {
			var got int
			if attempt.name == "read" {
				got, _ = desk.get(attempt.path)
			} else {
				got, _ = desk.submit("/admin", attempt.path, url.Values{"text": {"taken over"}})
			}
			if got != http.StatusForbidden && got != http.StatusNotFound {
				t.Errorf("another group's moderator could %s: %d", attempt.name, got)
			}
		}
		elsewhere := s.newPost(s.desk, "<p>in another group</p>", conversations.Held)
		if got, _ := b.submit(page, page+"/"+elsewhere.ID+"/highlight", nil); got != http.StatusNotFound {
			t.Errorf("highlighting another group's post through lobby: %d, want 404", got)
		}
		if s.postNow(intro.PostID).HighlightedAt != nil {
			t.Fatal("highlighted by someone refused")
		}

		if status, _ := b.submit(page, page+"/"+intro.PostID+"/highlight", nil); status != http.StatusSeeOther {
			t.Fatalf("highlight: %d", status)
		}
		highlighted := s.postNow(intro.PostID)
		if highlighted.HighlightedAt == nil || highlighted.Reach != model.ReachFollowers || highlighted.AnnounceActivityIRI == nil {
			t.Fatalf("highlighted introduction %+v", highlighted)
		}
		var announces int64
		if err := st.DB().Model(&model.OutboundActivity{}).Where("activity_iri = ?", *highlighted.AnnounceActivityIRI).Count(&announces).Error; err != nil || announces != 1 {
			t.Errorf("stored Announce of the highlight: %d %v", announces, err)
		}
		if logged := s.logged(s.lobby, model.ActionPostHighlight); len(logged) != 1 || *logged[0].StaffAccountID != s.staffID(lobbyMod) {
			t.Errorf("highlight logged %+v", logged)
		}
		if status, shown = b.get(page); !strings.Contains(shown, `<span class="badge">highlighted</span>`) {
			t.Errorf("page after the highlight %d: %s", status, shown)
		}

		if status, _ := b.submit(page, page+"/stop", nil); status != http.StatusSeeOther {
			t.Fatalf("stop: %d", status)
		}
		if s.groupNow("lobby").IntroductionsPostID != nil {
			t.Error("the thread is still running after stopping")
		}
		if status, shown = b.get(page); status != http.StatusOK || !strings.Contains(shown, "Start introductions") {
			t.Errorf("page after stopping %d: %s", status, shown)
		}
		if status, previewed := b.submit(welcome, welcome, preview); status != http.StatusOK || !strings.Contains(previewed, "/groups/lobby</a>") {
			t.Errorf("welcome preview with no thread %d: %s", status, previewed)
		}
	})
}
