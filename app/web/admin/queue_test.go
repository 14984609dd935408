package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestQueueApproveAndDecline: the queue shows each held post's author, sanitised content and why
// it waits; approving shares it (an Announce is queued), declining sends its author a Reject with
// the reason; both are logged with the moderator who acted.
func TestQueueApproveAndDecline(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		first := s.newPost(s.desk, `<p>First <b>post</b><script>alert(1)</script></p>`, conversations.Held)
		second := s.newPost(s.desk, "<p>Second post</p>", conversations.Held)
		b := s.loggedIn(deskMod)
		status, page := b.get("/admin/groups/desk/queue")
		if status != http.StatusOK {
			t.Fatalf("queue: %d", status)
		}
		for _, want := range []string{"First <b>post</b>", "Second post", "the group is pre-moderated", "@member1@social.example",
			`action="/admin/groups/desk/queue/` + first.ID + `/approve"`, `action="/admin/groups/desk/queue/` + second.ID + `/decline"`} {
			if !strings.Contains(page, want) {
				t.Errorf("queue page lacks %q", want)
			}
		}
		if strings.Contains(page, "<script>alert") {
			t.Error("the queue shows markup Kring should have dropped")
		}

		if status, _ := b.submit("/admin/groups/desk/queue", "/admin/groups/desk/queue/"+first.ID+"/approve", nil); status != http.StatusSeeOther {
			t.Fatalf("approve: %d", status)
		}
		approved := s.postNow(first.ID)
		if approved.State != model.PostVisible || approved.AnnounceActivityIRI == nil {
			t.Errorf("approved post: %s, announce %v", approved.State, approved.AnnounceActivityIRI)
		}
		if _, err := st.OutboundActivityByIRI(context.Background(), *approved.AnnounceActivityIRI); err != nil {
			t.Errorf("no Announce queued: %v", err)
		}

		if status, _ := b.submit("/admin/groups/desk/queue", "/admin/groups/desk/queue/"+second.ID+"/decline", url.Values{"reason": {" "}}); status != http.StatusBadRequest {
			t.Errorf("decline without a reason: %d", status)
		}
		if status, _ := b.submit("/admin/groups/desk/queue", "/admin/groups/desk/queue/"+second.ID+"/decline", url.Values{"reason": {"Off topic here"}}); status != http.StatusSeeOther {
			t.Fatalf("decline: %d", status)
		}
		if declined := s.postNow(second.ID); declined.State != model.PostDeclined {
			t.Errorf("declined post: %s", declined.State)
		}
		author, err := st.RemoteActorByID(context.Background(), *second.AuthorActorID)
		if err != nil {
			t.Fatal(err)
		}
		rejects := s.sentTo(author.InboxURL, "Reject")
		if len(rejects) != 1 || !strings.Contains(rejects[0].Body, "Off topic here") || !strings.Contains(rejects[0].Body, second.CreateActivityIRI) {
			t.Errorf("Reject to the author: %+v", rejects)
		}

		_, page = b.get("/admin/groups/desk/queue")
		if !strings.Contains(page, "No posts are waiting") {
			t.Error("the queue should be empty now")
		}
		if status, _ := b.submit("/admin/groups/desk/queue", "/admin/groups/desk/queue/"+first.ID+"/approve", nil); status != http.StatusConflict {
			t.Errorf("approving twice: %d, want 409", status)
		}
		staff := s.staffID(deskMod)
		for action, id := range map[model.LogAction]string{model.ActionPostApprove: first.ID, model.ActionPostDecline: second.ID} {
			logged := s.logged(s.desk, action)
			if len(logged) != 1 || logged[0].TargetID != id || logged[0].StaffAccountID == nil || *logged[0].StaffAccountID != staff {
				t.Errorf("%s logged: %+v", action, logged)
			}
		}
	})
}

// TestQueueRoles: who may see and act on lobby's queue.
func TestQueueRoles(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	if _, err := s.talk.AddFilter(context.Background(), s.lobby.ID, nil, conversations.NewFilter{Keyword: "review me", WholeWord: true, Action: model.FilterHold}); err != nil {
		t.Fatal(err)
	}
	held := func() string { return s.newPost(s.lobby, "<p>please review me</p>", conversations.Held).ID }
	checkRoles(t, s, s.lobby, []roleRoute{
		{name: "queue", target: func() string { return "/admin/groups/lobby/queue" }},
		{name: "approve", post: true, target: func() string { return "/admin/groups/lobby/queue/" + held() + "/approve" }},
		{name: "decline", post: true, target: func() string { return "/admin/groups/lobby/queue/" + held() + "/decline" },
			form: url.Values{"reason": {"no"}}},
	}, []string{lobbyMod, acmeAdmin, acmeOwner, instanceAdmin}, []string{otherAdmin, deskMod})
}
