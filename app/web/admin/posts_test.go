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

// TestRemoveAndRestore: removing a visible post needs a reason, queues the Undo of the group's
// Announce and lists the post under removed posts with the reason; restoring it makes it visible
// and announces it anew under a new id; both are logged with the moderator who acted.
func TestRemoveAndRestore(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		post := s.newPost(s.lobby, "<p>A post worth keeping</p>", conversations.Shared)
		groupPost, err := s.talk.PublishAsGroup(ctx, s.lobby.ID, nil, conversations.Draft{Text: "Welcome, everyone"})
		if err != nil {
			t.Fatal(err)
		}
		b := s.loggedIn(lobbyMod)
		_, page := b.get("/admin/groups/lobby/posts")
		for _, want := range []string{"A post worth keeping", "Welcome, everyone", `action="/admin/groups/lobby/posts/` + groupPost.ID + `/delete"`,
			`action="/admin/groups/lobby/posts/` + post.ID + `/remove"`} {
			if !strings.Contains(page, want) {
				t.Errorf("visible posts page lacks %q", want)
			}
		}
		if strings.Contains(page, groupPost.ID+"/remove") {
			t.Error("the group's own posts are deleted, not removed: no Remove button")
		}

		remove := "/admin/groups/lobby/posts/" + post.ID + "/remove"
		if status, _ := b.submit("/admin/groups/lobby/posts", remove, nil); status != http.StatusBadRequest {
			t.Errorf("remove without a reason: %d", status)
		}
		if status, _ := b.submit("/admin/groups/lobby/posts", remove, url.Values{"reason": {"Spam link"}}); status != http.StatusSeeOther {
			t.Fatalf("remove: %d", status)
		}
		removed := s.postNow(post.ID)
		if removed.State != model.PostRemoved || removed.RemovedReason != "Spam link" {
			t.Errorf("removed post: %s %q", removed.State, removed.RemovedReason)
		}
		undos := s.sentTo("https://social.example/inbox", "Undo")
		if len(undos) != 1 || !strings.Contains(undos[0].Body, *post.AnnounceActivityIRI) {
			t.Errorf("Undo of the Announce: %+v", undos)
		}
		if _, page := b.get("/admin/groups/lobby/posts"); strings.Contains(page, "A post worth keeping") {
			t.Error("a removed post is still listed as visible")
		}
		_, page = b.get("/admin/groups/lobby/posts?state=removed")
		if !strings.Contains(page, "A post worth keeping") || !strings.Contains(page, "Spam link") {
			t.Errorf("removed posts page: %s", page)
		}

		if status, _ := b.submit("/admin/groups/lobby/posts?state=removed", "/admin/groups/lobby/posts/"+post.ID+"/restore",
			url.Values{"reason": {"Not spam after all"}}); status != http.StatusSeeOther {
			t.Fatalf("restore: %d", status)
		}
		restored := s.postNow(post.ID)
		if restored.State != model.PostVisible || restored.RemovedReason != "" || restored.RemovedAt != nil {
			t.Errorf("restored post: %s %q %v", restored.State, restored.RemovedReason, restored.RemovedAt)
		}
		if restored.AnnounceActivityIRI == nil || *restored.AnnounceActivityIRI == *post.AnnounceActivityIRI {
			t.Errorf("restored post must be announced under a new id: %v, was %s", restored.AnnounceActivityIRI, *post.AnnounceActivityIRI)
		} else if announce, err := st.OutboundActivityByIRI(ctx, *restored.AnnounceActivityIRI); err != nil || announce.ActivityType != "Announce" {
			t.Errorf("new Announce: %+v %v", announce, err)
		}
		if status, _ := b.submit("/admin/groups/lobby/posts", "/admin/groups/lobby/posts/"+post.ID+"/restore", nil); status != http.StatusConflict {
			t.Errorf("restoring a visible post: %d, want 409", status)
		}
		if status, _ := b.get("/admin/groups/lobby/posts?state=held"); status != http.StatusBadRequest {
			t.Errorf("unknown state filter: %d", status)
		}
		staff := s.staffID(lobbyMod)
		for _, action := range []model.LogAction{model.ActionPostRemove, model.ActionPostRestore} {
			logged := s.logged(s.lobby, action)
			if len(logged) != 1 || logged[0].TargetID != post.ID || logged[0].StaffAccountID == nil || *logged[0].StaffAccountID != staff {
				t.Errorf("%s logged: %+v", action, logged)
			}
		}
	})
}

// TestPostOfAnotherGroup: a moderator cannot reach another group's post through their own group's
// URLs; the post is simply not found there, and stays as it was.
func TestPostOfAnotherGroup(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	deskPost := s.newPost(s.desk, "<p>desk only</p>", conversations.Held)
	lobbyPost := s.newPost(s.lobby, "<p>lobby only</p>", conversations.Shared)
	b := s.loggedIn(lobbyMod)
	for _, path := range []string{"/admin/groups/lobby/queue/" + deskPost.ID + "/approve", "/admin/groups/lobby/queue/" + deskPost.ID + "/decline",
		"/admin/groups/lobby/posts/" + deskPost.ID + "/remove", "/admin/groups/lobby/posts/nonexistent/remove"} {
		if status, _ := b.submit("/admin", path, url.Values{"reason": {"x"}}); status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, status)
		}
	}
	if status, _ := s.loggedIn(deskMod).submit("/admin", "/admin/groups/desk/posts/"+lobbyPost.ID+"/remove", url.Values{"reason": {"x"}}); status != http.StatusNotFound {
		t.Errorf("desk moderator removing a lobby post through desk: %d, want 404", status)
	}
	if status, _ := b.get("/admin/groups/nowhere/posts"); status != http.StatusNotFound {
		t.Errorf("unknown group: %d", status)
	}
	if s.postNow(deskPost.ID).State != model.PostHeld || s.postNow(lobbyPost.ID).State != model.PostVisible {
		t.Error("refused requests changed a post")
	}
}

// TestPostsRoles: who may list, remove and restore lobby's posts.
func TestPostsRoles(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	checkRoles(t, s, s.lobby, []roleRoute{
		{name: "posts", target: func() string { return "/admin/groups/lobby/posts" }},
		{name: "removed posts", target: func() string { return "/admin/groups/lobby/posts?state=removed" }},
		{name: "remove", post: true, form: url.Values{"reason": {"spam"}},
			target: func() string {
				return "/admin/groups/lobby/posts/" + s.newPost(s.lobby, "<p>hi</p>", conversations.Shared).ID + "/remove"
			}},
		{name: "restore", post: true,
			target: func() string { return "/admin/groups/lobby/posts/" + s.removedPost(s.lobby).ID + "/restore" }},
	}, []string{lobbyMod, acmeAdmin, acmeOwner, instanceAdmin}, []string{otherAdmin, deskMod})
}
