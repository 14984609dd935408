package documents_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/documents"
	"github.com/kring-social/kring/test/testenv"
)

type site struct {
	store  *store.Store
	engine *gin.Engine
	iris   federation.IRIs
	lobby  model.Group
}

func newSite(t *testing.T, st *store.Store) *site {
	t.Helper()
	gin.SetMode(gin.TestMode)
	ctx := context.Background()
	engine, err := web.NewEngine(web.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	public, _ := url.Parse("https://kring.example")
	iris := federation.NewIRIs(public)
	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	g := testenv.Groups(t, st)
	lobby, err := g.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby <3", Summary: "Hi & welcome", ApproveFollowers: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.EnsureInstanceKey(ctx); err != nil {
		t.Fatal(err)
	}
	pages := web.NewGroupPages(iris)
	pages.Mount(engine)
	documents.NewRoutes(documents.Config{Store: st, IRIs: iris, Version: "test", GroupPage: pages.Render}).Mount(engine)
	return &site{store: st, engine: engine, iris: iris, lobby: lobby}
}

func (s *site) get(t *testing.T, path, accept string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	s.engine.ServeHTTP(rec, req)
	return rec
}

func TestWebFinger(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.SQLite(t))
	cases := []struct {
		resource string
		status   int
		subject  string
	}{
		{"acct:lobby@kring.example", 200, "acct:lobby@kring.example"},
		{"acct:LOBBY@Kring.Example", 200, "acct:lobby@kring.example"},
		{"https://kring.example/groups/lobby", 200, "acct:lobby@kring.example"},
		{"acct:kring.example@kring.example", 200, "acct:kring.example@kring.example"},
		{"acct:lobby@elsewhere.example", 404, ""},
		{"acct:nobody@kring.example", 404, ""},
		{"acct:lobby", 404, ""},
		{"mailto:lobby@kring.example", 400, ""},
		{"", 400, ""},
	}
	for _, tc := range cases {
		rec := s.get(t, "/.well-known/webfinger?resource="+url.QueryEscape(tc.resource), "")
		if rec.Code != tc.status {
			t.Errorf("%q: status %d, want %d", tc.resource, rec.Code, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		var jrd struct {
			Subject string
			Links   []struct{ Rel, Type, Href string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &jrd); err != nil || jrd.Subject != tc.subject {
			t.Errorf("%q: %s", tc.resource, rec.Body)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/jrd+json") {
			t.Errorf("content type %q", ct)
		}
		self := jrd.Links[0]
		if self.Rel != "self" || self.Type != "application/activity+json" {
			t.Errorf("%q: self link %+v", tc.resource, self)
		}
		// Round trip: the actor's preferredUsername + host must WebFinger back to the same actor.
		actor := s.get(t, strings.TrimPrefix(self.Href, "https://kring.example"), "application/activity+json")
		var doc struct{ ID, PreferredUsername string }
		if err := json.Unmarshal(actor.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.ID != self.Href || "acct:"+doc.PreferredUsername+"@kring.example" != tc.subject {
			t.Errorf("%q: actor %s does not round-trip", tc.resource, actor.Body)
		}
	}
}

func TestContentNegotiation(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.SQLite(t))
	cases := map[string]string{
		"application/activity+json": "application/activity+json",
		`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`: "application/activity+json",
		"application/ld+json":                       "application/activity+json",
		"text/html,application/xhtml+xml,*/*;q=0.8": "text/html",
		"*/*": "text/html",
		"":    "text/html",
	}
	for accept, want := range cases {
		rec := s.get(t, "/groups/lobby", accept)
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), want) || rec.Header().Get("Vary") != "Accept" {
			t.Errorf("Accept %q: %d %q, want %s with Vary: Accept", accept, rec.Code, rec.Header().Get("Content-Type"), want)
		}
	}
	page := s.get(t, "/groups/lobby", "text/html").Body.String()
	for _, want := range []string{"Lobby &lt;3", "@lobby@kring.example", "0 members", "<p>Hi &amp; welcome</p>", "needs a moderator"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if rec := s.get(t, "/groups/nobody", "application/activity+json"); rec.Code != 404 {
		t.Errorf("unknown group: %d", rec.Code)
	}
}

func TestGroupActorHasWhatMastodonReads(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.SQLite(t))
	rec := s.get(t, "/groups/lobby", "application/activity+json")
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	parsed, err := streams.ToType(context.Background(), m)
	if err != nil {
		t.Fatalf("go-fed cannot read the actor back: %v", err)
	}
	if _, ok := parsed.(vocab.ActivityStreamsGroup); !ok {
		t.Fatalf("parsed as %T, want a Group", parsed)
	}
	for key, want := range map[string]any{
		"id": "https://kring.example/groups/lobby", "type": "Group", "preferredUsername": "lobby", "name": "Lobby <3",
		"inbox": "https://kring.example/groups/lobby/inbox", "outbox": "https://kring.example/groups/lobby/outbox",
		"followers": "https://kring.example/groups/lobby/followers", "featured": "https://kring.example/groups/lobby/featured",
		"url": "https://kring.example/groups/lobby", "manuallyApprovesFollowers": true, "discoverable": true,
		"attributedTo": "https://kring.example/groups/lobby/moderators",
	} {
		if m[key] != want {
			t.Errorf("%s = %v, want %v", key, m[key], want)
		}
	}
	if m["endpoints"].(map[string]any)["sharedInbox"] != "https://kring.example/inbox" {
		t.Errorf("endpoints %v", m["endpoints"])
	}
	key := m["publicKey"].(map[string]any)
	stored, err := s.store.ActiveGroupKey(context.Background(), s.lobby.ID)
	if err != nil {
		t.Fatal(err)
	}
	if key["id"] != "https://kring.example/groups/lobby#main-key" || key["owner"] != m["id"] || key["publicKeyPem"] != stored.PublicPEM {
		t.Errorf("publicKey %v", key)
	}
}

func TestFollowersArePagedWithoutGapsOrDuplicates(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		s := newSite(t, st)
		ctx := context.Background()
		want := map[string]bool{}
		for i := 0; i < 120; i++ {
			now := time.Now().UTC()
			actor := model.RemoteActor{ID: model.NewID(), IRI: fmt.Sprintf("https://m.example/users/u%d", i), Host: "m.example",
				ActorType: "Person", InboxURL: "https://m.example/inbox", FetchedAt: now, CreatedAt: now, UpdatedAt: now}
			if err := st.DB().Create(&actor).Error; err != nil {
				t.Fatal(err)
			}
			state := model.FollowAccepted
			if i%40 == 0 {
				state = model.FollowPending // not members: not listed, not counted
			} else {
				want[actor.IRI] = true
			}
			if _, err := st.SaveFollow(ctx, model.Follow{GroupID: s.lobby.ID, RemoteActorID: actor.ID, FollowActivityIRI: actor.IRI + "#f", State: state}); err != nil {
				t.Fatal(err)
			}
		}
		var collection struct {
			TotalItems int
			First      string
		}
		if err := json.Unmarshal(s.get(t, "/groups/lobby/followers", "").Body.Bytes(), &collection); err != nil {
			t.Fatal(err)
		}
		if collection.TotalItems != len(want) {
			t.Fatalf("totalItems %d, want %d", collection.TotalItems, len(want))
		}
		seen := map[string]bool{}
		pages := 0
		for next := collection.First; next != ""; pages++ {
			var page struct {
				OrderedItems []string
				Next         string
			}
			if err := json.Unmarshal(s.get(t, strings.TrimPrefix(next, "https://kring.example"), "").Body.Bytes(), &page); err != nil {
				t.Fatal(err)
			}
			for _, item := range page.OrderedItems {
				if seen[item] || !want[item] {
					t.Fatalf("page %d lists %s twice or wrongly", pages, item)
				}
				seen[item] = true
			}
			next = page.Next
		}
		if len(seen) != len(want) || pages != 3 {
			t.Fatalf("%d followers over %d pages, want %d over 3", len(seen), pages, len(want))
		}
	})
}

func TestRemoteFollowRedirectsOnlyToAServer(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.SQLite(t))
	cases := map[string]string{
		"mastodon.social":                    "https://mastodon.social/authorize_interaction?uri=acct%3Alobby%40kring.example",
		"@me@Social.Example":                 "https://social.example/authorize_interaction?uri=acct%3Alobby%40kring.example",
		"javascript:alert(1)":                "",
		"//evil.example":                     "",
		"evil.example/path":                  "",
		"https://evil.example":               "",
		"user@evil.example/x":                "",
		"evil.example?x=1":                   "",
		"localhost":                          "",
		"ex ample.com":                       "",
		strings.Repeat("a", 70) + ".example": "",
	}
	for server, want := range cases {
		rec := s.get(t, "/groups/lobby/follow?server="+url.QueryEscape(server), "")
		if want == "" {
			if rec.Code != http.StatusBadRequest {
				t.Errorf("%q: status %d, want 400", server, rec.Code)
			}
			continue
		}
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want {
			t.Errorf("%q: %d to %q, want %q", server, rec.Code, rec.Header().Get("Location"), want)
		}
	}
}

func TestNodeInfo(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.SQLite(t))
	var links struct{ Links []struct{ Rel, Href string } }
	if err := json.Unmarshal(s.get(t, "/.well-known/nodeinfo", "").Body.Bytes(), &links); err != nil {
		t.Fatal(err)
	}
	if len(links.Links) != 1 || links.Links[0].Href != "https://kring.example/nodeinfo/2.1" {
		t.Fatalf("links %+v", links)
	}
	rec := s.get(t, "/nodeinfo/2.1", "")
	var info struct {
		Version           string
		Software          struct{ Name, Version string }
		Protocols         []string
		OpenRegistrations bool
		Metadata          struct{ Groups int }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil {
		t.Fatal(err)
	}
	if info.Version != "2.1" || info.Software.Name != "kring" || info.Protocols[0] != "activitypub" || info.OpenRegistrations || info.Metadata.Groups != 1 {
		t.Errorf("nodeinfo %s", rec.Body)
	}
}
