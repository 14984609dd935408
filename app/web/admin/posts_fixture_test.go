package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// member saves a new remote actor following group; every call is someone else, so tests that post
// a lot stay under the per-author rate limit.
func (s *site) member(group model.Group) model.RemoteActor {
	s.t.Helper()
	ctx := context.Background()
	var n int64
	if err := s.store.DB().Model(&model.RemoteActor{}).Count(&n).Error; err != nil {
		s.t.Fatal(err)
	}
	name := fmt.Sprintf("member%d", n+1)
	actor, err := s.store.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://social.example/users/" + name, Host: "social.example",
		ActorType: "Person", PreferredUsername: name, DisplayName: "Member " + name,
		InboxURL: "https://social.example/users/" + name + "/inbox", SharedInboxURL: "https://social.example/inbox", FetchedAt: time.Now()})
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.store.SaveFollow(ctx, model.Follow{GroupID: group.ID, RemoteActorID: actor.ID,
		FollowActivityIRI: actor.IRI + "/follows/1", State: model.FollowAccepted}); err != nil {
		s.t.Fatal(err)
	}
	return actor
}

// postBy submits a public post by author into group, as the inbox would after a Create.
func (s *site) postBy(author model.RemoteActor, group model.Group, contentHTML string) conversations.Result {
	s.t.Helper()
	object := fmt.Sprintf("%s/statuses/%d", author.IRI, time.Now().UnixNano())
	create := object + "/activity"
	results, err := s.talk.Submit(context.Background(), author, conversations.Submission{ActivityIRI: create,
		ActivityJSON: `{"@context":"https://www.w3.org/ns/activitystreams","id":"` + create + `","type":"Create","actor":"` + author.IRI +
			`","object":{"id":"` + object + `","type":"Note","attributedTo":"` + author.IRI + `"}}`,
		ObjectIRI: object, ObjectType: "Note", ContentHTML: contentHTML, Visibility: model.VisibilityPublic,
		Addressed: []model.Group{group}})
	if err != nil {
		s.t.Fatal(err)
	}
	if len(results) != 1 {
		s.t.Fatalf("%d results", len(results))
	}
	return results[0]
}

// newPost has a new member post into group and checks what became of it.
func (s *site) newPost(group model.Group, contentHTML string, want conversations.Outcome) model.Post {
	s.t.Helper()
	result := s.postBy(s.member(group), group, contentHTML)
	if result.Outcome != want {
		s.t.Fatalf("post %q into %s: %+v, want %s", contentHTML, group.Slug, result, want)
	}
	return s.postNow(result.PostID)
}

// removedPost is a visible post of group that a moderator removed.
func (s *site) removedPost(group model.Group) model.Post {
	s.t.Helper()
	post := s.newPost(group, "<p>soon removed</p>", conversations.Shared)
	if _, err := s.talk.Remove(context.Background(), post.ID, nil, "test"); err != nil {
		s.t.Fatal(err)
	}
	return s.postNow(post.ID)
}

// postNow reads a post as stored.
func (s *site) postNow(id string) model.Post {
	s.t.Helper()
	post, err := s.store.PostByID(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return post
}

// logged lists the moderation log entries of action in group.
func (s *site) logged(group model.Group, action model.LogAction) []model.ModerationAction {
	s.t.Helper()
	rows, err := s.store.ModerationLog(context.Background(), store.ModerationLogFilter{GroupID: group.ID})
	if err != nil {
		s.t.Fatal(err)
	}
	var out []model.ModerationAction
	for _, row := range rows {
		if row.Action == action {
			out = append(out, row)
		}
	}
	return out
}

// staffID is the account id of a staff member.
func (s *site) staffID(email string) string {
	s.t.Helper()
	account, err := s.store.StaffAccountByEmail(context.Background(), email)
	if err != nil {
		s.t.Fatal(err)
	}
	return account.ID
}

// sentTo lists the activities of one type queued for delivery to inbox.
func (s *site) sentTo(inbox, activityType string) []model.OutboundActivity {
	s.t.Helper()
	var rows []model.OutboundActivity
	err := s.store.DB().Where("activity_type = ? AND id IN (?)", activityType,
		s.store.DB().Model(&model.Delivery{}).Select("outbound_activity_id").Where("inbox_url = ?", inbox)).Find(&rows).Error
	if err != nil {
		s.t.Fatal(err)
	}
	return rows
}

// roleRoute is one admin route under a role test: target builds a fresh object to act on (a held
// post, a filter ...) and returns the path, so each attempt finds it in the state it needs.
type roleRoute struct {
	name   string
	post   bool
	target func() string
	form   url.Values
}

// checkRoles tries every route as each staff member and logged out: allowed staff get the page (200)
// or their action done (303); another organisation's admin and a moderator of another group are
// refused (403); a logged-out browser is sent to log in (GET 303) or refused (POST 401). Refusals
// must leave no staff member's entry in the moderation log (targets may log Kring's own setup).
func checkRoles(t *testing.T, s *site, group model.Group, routes []roleRoute, allowed, refused []string) {
	t.Helper()
	const loggedOut = ""
	browsers := map[string]*browser{}
	try := func(email string, route roleRoute) int {
		path := route.target()
		b := s.browser()
		if email != loggedOut {
			if browsers[email] == nil {
				browsers[email] = s.loggedIn(email)
			}
			b = browsers[email]
		}
		form := url.Values{}
		for k, v := range route.form {
			form[k] = v
		}
		var status int
		switch {
		case !route.post:
			status, _ = b.get(path)
		case email == loggedOut:
			status, _ = b.postForm(path, form)
		default:
			status, _ = b.submit("/admin", path, form)
		}
		return status
	}
	countLog := func() int64 {
		var n int64
		if err := s.store.DB().Model(&model.ModerationAction{}).Where("group_id = ? AND staff_account_id IS NOT NULL", group.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := countLog()
	for _, route := range routes {
		for _, email := range append(refused, loggedOut) {
			want := http.StatusForbidden
			switch {
			case email == loggedOut && route.post:
				want = http.StatusUnauthorized
			case email == loggedOut:
				want = http.StatusSeeOther
			}
			if status := try(email, route); status != want {
				t.Errorf("%s as %q: %d, want %d", route.name, email, status, want)
			}
		}
	}
	if after := countLog(); after != before {
		t.Errorf("refused requests changed the moderation log: %d entries, then %d", before, after)
	}
	for _, route := range routes {
		want := http.StatusOK
		if route.post {
			want = http.StatusSeeOther
		}
		for _, email := range allowed {
			if status := try(email, route); status != want {
				t.Errorf("%s as %s: %d, want %d", route.name, email, status, want)
			}
		}
	}
}
