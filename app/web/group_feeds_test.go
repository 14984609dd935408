package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/federation/documents"
	"github.com/kring-social/kring/test/testenv"
)

// publicSite is a served instance with one organisation, its groups and a member's and the group's
// posts in the lobby.
type publicSite struct {
	t     *testing.T
	st    *store.Store
	base  string
	lobby model.Group
	posts []model.Post // the lobby's public posts, oldest first
	alice model.RemoteActor
}

// sitePostTime is when the first post was published; each next one a minute later.
var sitePostTime = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func newPublicSite(t *testing.T, st *store.Store, posts int) *publicSite {
	t.Helper()
	ctx := context.Background()
	served := testenv.ServeEngine(t, web.Options{})
	pages := web.NewGroupPages(served.IRIs).WithEvents(st)
	pages.Mount(served.Engine)
	web.NewGroupFeeds(st, served.IRIs, nil).Mount(served.Engine)
	web.NewOrganisationPages(st, served.IRIs, nil).Mount(served.Engine)
	documents.NewRoutes(documents.Config{Store: st, IRIs: served.IRIs, GroupPage: pages.Render}).Mount(served.Engine)

	org, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	group := func(slug string, discoverable bool) model.Group {
		g, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:],
			Summary: "About " + slug, PostingPolicy: model.PostingAnyone, Discoverable: discoverable})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	s := &publicSite{t: t, st: st, base: served.Server.URL, lobby: group("lobby", true)}
	group("hidden", false)
	archived := group("gone", true)
	if err := st.DB().Model(&model.Group{}).Where("id = ?", archived.ID).Update("archived_at", time.Now()).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	s.alice = model.RemoteActor{ID: model.NewID(), IRI: "https://m.example/users/alice", Host: "m.example", ActorType: "Person",
		PreferredUsername: "alice", DisplayName: "Alice A.", InboxURL: "https://m.example/inbox", FetchedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := st.DB().Create(&s.alice).Error; err != nil {
		t.Fatal(err)
	}
	for i := range posts {
		post := model.Post{GroupID: s.lobby.ID, AuthorKind: model.AuthorGroup, ObjectType: "Note", Visibility: model.VisibilityPublic,
			State: model.PostVisible, Reach: model.ReachFollowers, PublishedAt: sitePostTime.Add(time.Duration(i) * time.Minute),
			ContentHTML: fmt.Sprintf("<p>Post number %d of the lobby</p>", i)}
		post.ID = model.NewID()
		post.ObjectIRI = served.IRIs.GroupPost("lobby", post.ID)
		if i%2 == 1 {
			post.AuthorKind, post.AuthorActorID, post.AuthorHost = model.AuthorRemote, &s.alice.ID, "m.example"
			post.ObjectIRI = fmt.Sprintf("https://m.example/users/alice/statuses/%d", i)
			post.URL = fmt.Sprintf("https://m.example/@alice/%d", i)
		}
		created, err := st.CreatePost(ctx, post)
		if err != nil {
			t.Fatal(err)
		}
		s.posts = append(s.posts, created)
	}
	// Not listed anywhere public: a followers-only post, a reply.
	for _, hidden := range []model.Post{
		{Visibility: model.VisibilityFollowers, Reach: model.ReachFollowers, ObjectIRI: "https://m.example/private"},
		{Visibility: model.VisibilityPublic, Reach: model.ReachThread, ObjectIRI: "https://m.example/reply"},
	} {
		hidden.GroupID, hidden.AuthorKind, hidden.AuthorActorID, hidden.ObjectType, hidden.State = s.lobby.ID, model.AuthorRemote, &s.alice.ID, "Note", model.PostVisible
		hidden.PublishedAt, hidden.ContentHTML = sitePostTime.Add(time.Hour*24*30), "<p>secret</p>"
		if _, err := st.CreatePost(ctx, hidden); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// get fetches path over HTTP and returns the response with its body read.
func (s *publicSite) get(path string, header ...string) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, string(body)
}

func TestGroupFeeds(t *testing.T) {
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		s := newPublicSite(t, st, 25)
		for _, tc := range []struct {
			path, contentType, feedType string
		}{
			{"/groups/lobby/feed.rss", "application/rss+xml; charset=utf-8", "rss"},
			{"/groups/lobby/feed.atom", "application/atom+xml; charset=utf-8", "atom"},
		} {
			t.Run(tc.feedType, func(t *testing.T) {
				resp, body := s.get(tc.path)
				if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != tc.contentType {
					t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				feed, err := gofeed.NewParser().ParseString(body)
				if err != nil {
					t.Fatalf("parse: %v\n%s", err, body)
				}
				if feed.FeedType != tc.feedType || feed.Title != "Lobby" || feed.Link != s.base+"/groups/lobby" {
					t.Errorf("feed %s %q linking %q", feed.FeedType, feed.Title, feed.Link)
				}
				if len(feed.Items) != 20 {
					t.Fatalf("%d items, want 20", len(feed.Items))
				}
				for i, item := range feed.Items {
					post := s.posts[len(s.posts)-1-i] // newest first
					wantLink := s.base + "/groups/lobby/posts/" + post.ID
					if post.AuthorKind == model.AuthorRemote {
						wantLink = post.URL
					}
					if item.GUID != post.ObjectIRI || item.Link != wantLink {
						t.Errorf("item %d: guid %q link %q, want %q %q", i, item.GUID, item.Link, post.ObjectIRI, wantLink)
					}
					n := len(s.posts) - 1 - i
					if want := fmt.Sprintf("Post number %d of the lobby", n); item.Title != want {
						t.Errorf("item %d: title %q, want %q", i, item.Title, want)
					}
					if want := fmt.Sprintf("<p>Post number %d of the lobby</p>", n); item.Content != want {
						t.Errorf("item %d: content %q, want %q", i, item.Content, want)
					}
					if item.PublishedParsed == nil || !item.PublishedParsed.Equal(post.PublishedAt) {
						t.Errorf("item %d: published %v, want %v", i, item.PublishedParsed, post.PublishedAt)
					}
				}
				if strings.Contains(body, "secret") {
					t.Errorf("feed lists a followers-only post or a reply")
				}
				etag, modified := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
				if want := s.posts[len(s.posts)-1].PublishedAt.Format(http.TimeFormat); modified != want {
					t.Errorf("Last-Modified %q, want %q", modified, want)
				}
				if again, _ := s.get(tc.path, "If-None-Match", etag); again.StatusCode != http.StatusNotModified {
					t.Errorf("with its ETag: status %d, want 304", again.StatusCode)
				}
				if again, _ := s.get(tc.path, "If-Modified-Since", modified); again.StatusCode != http.StatusNotModified {
					t.Errorf("with its Last-Modified: status %d, want 304", again.StatusCode)
				}
				if again, _ := s.get(tc.path, "If-None-Match", `"stale"`); again.StatusCode != http.StatusOK {
					t.Errorf("with another ETag: status %d, want 200", again.StatusCode)
				}
				older := s.posts[len(s.posts)-1].PublishedAt.Add(-time.Hour).Format(http.TimeFormat)
				if again, _ := s.get(tc.path, "If-Modified-Since", older); again.StatusCode != http.StatusOK {
					t.Errorf("modified since: status %d, want 200", again.StatusCode)
				}
			})
		}
		if resp, _ := s.get("/groups/nobody/feed.rss"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown group: status %d, want 404", resp.StatusCode)
		}
		if resp, _ := s.get("/groups/gone/feed.atom"); resp.StatusCode != http.StatusGone {
			t.Errorf("archived group: status %d, want 410 as its page", resp.StatusCode)
		}
		_, page := s.get("/groups/lobby")
		for _, want := range []string{
			`<link rel="alternate" type="application/rss+xml" href="/groups/lobby/feed.rss"`,
			`<link rel="alternate" type="application/atom+xml" href="/groups/lobby/feed.atom"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("group page lacks %s", want)
			}
		}
	})
}
