package documents_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/documents"
	"github.com/kring-social/kring/test/testenv"
)

// FuzzWebFingerResource sends any resource to /.well-known/webfinger, on PostgreSQL (which refuses
// some strings SQLite stores), with one group, lobby, and the instance actor. Whatever the resource:
// no panic and no server error; a resource over 512 bytes is refused; and an answer names one of
// the two accounts, with its actor as the self link, for a resource that names that account.
func FuzzWebFingerResource(f *testing.F) {
	for _, seed := range []string{
		"acct:lobby@kring.example", "acct:LOBBY@Kring.Example", "acct:@lobby@kring.example.",
		"acct:kring.example@kring.example", "https://kring.example/groups/lobby", "https://kring.example/actor",
		"http://kring.example/groups/lobby", "https://kring.example/groups/lobby/", "https://kring.example/groups/",
		"acct:lobby", "acct:@kring.example", "acct:lobby@elsewhere.example", "mailto:lobby@kring.example", "",
		"acct:lob\x00by@kring.example", "acct:\xff@kring.example", "acct:lobby@kring.example@kring.example",
		"acct:" + strings.Repeat("a", 520) + "@kring.example",
	} {
		f.Add(seed)
	}
	gin.SetMode(gin.TestMode)
	engine := webFingerSite(f)
	accounts := map[string]string{ // subject -> self link
		"acct:lobby@kring.example":         "https://kring.example/groups/lobby",
		"acct:kring.example@kring.example": "https://kring.example/actor",
	}
	f.Fuzz(func(t *testing.T, resource string) {
		rec := httptest.NewRecorder()
		engine.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/webfinger?resource="+url.QueryEscape(resource), nil))
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusGone:
		default:
			t.Fatalf("%q: status %d: %s", resource, rec.Code, rec.Body)
		}
		if len(resource) > 512 && rec.Code != http.StatusBadRequest {
			t.Fatalf("%d bytes: status %d, want 400", len(resource), rec.Code)
		}
		if rec.Code != http.StatusOK {
			return
		}
		var jrd struct {
			Subject string
			Aliases []string
			Links   []struct{ Rel, Type, Href string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &jrd); err != nil {
			t.Fatalf("%q: %v: %s", resource, err, rec.Body)
		}
		actor, known := accounts[jrd.Subject]
		if !known || len(jrd.Links) == 0 || jrd.Links[0].Rel != "self" || jrd.Links[0].Href != actor {
			t.Fatalf("%q: answered %s", resource, rec.Body)
		}
		user := strings.TrimSuffix(strings.TrimPrefix(jrd.Subject, "acct:"), "@kring.example")
		if !strings.Contains(strings.ToLower(resource), user) {
			t.Fatalf("%q: answered for %s, which it does not name", resource, jrd.Subject)
		}
	})
}

// webFingerSite is Kring's engine with the federation documents of one organisation and its group
// lobby, on PostgreSQL.
func webFingerSite(tb testing.TB) *gin.Engine {
	tb.Helper()
	ctx := context.Background()
	st := testenv.Postgres(tb)
	engine, err := web.NewEngine(web.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	public, _ := url.Parse("https://kring.example")
	iris := federation.NewIRIs(public)
	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "acme", "Acme"); err != nil {
		tb.Fatal(err)
	}
	g := testenv.Groups(tb, st)
	if _, err := g.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"}); err != nil {
		tb.Fatal(err)
	}
	if _, err := g.EnsureInstanceKey(ctx); err != nil {
		tb.Fatal(err)
	}
	pages := web.NewGroupPages(iris)
	documents.NewRoutes(documents.Config{Store: st, IRIs: iris, Version: "test", GroupPage: pages.Render}).Mount(engine)
	return engine
}
