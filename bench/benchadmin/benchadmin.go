// Package benchadmin serves the web admin to the admin benchmarks as kring serve wires it, and logs
// in and fetches its pages over real HTTP as a browser would.
package benchadmin

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/campaigns"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/sessions"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/app/web/admin"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/test/testenv"
)

// Served is the web admin served for a benchmark on PostgreSQL, with the pool a production process
// has, and the organisations service its staff are made with (cheap password hashing).
type Served struct {
	Store         *store.Store
	Engine        testenv.ServedEngine
	Organisations *organisations.Service
}

// Serve serves the admin as kring serve does, on a fresh PostgreSQL schema.
func Serve(b *testing.B) Served {
	b.Helper()
	st := testenv.PostgresAtFullSize(b)
	served := testenv.ServeEngine(b, web.Options{})
	orgs := organisations.NewServiceWith(st, organisations.Options{PasswordParams: organisations.TestPasswordParams()})
	Mount(b, st, orgs, served)
	return Served{Store: st, Engine: served, Organisations: orgs}
}

// CreateOrganisation creates the organisation slug with an admin who logs in with email and
// password.
func CreateOrganisation(b *testing.B, ctx context.Context, orgs *organisations.Service, slug, email, password string) model.Organisation {
	b.Helper()
	org, err := orgs.CreateOrganisation(ctx, slug, strings.ToUpper(slug[:1])+slug[1:])
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := orgs.CreateStaff(ctx, organisations.NewStaff{Email: email, Password: password,
		OrganisationSlug: slug, Role: model.RoleAdmin}); err != nil {
		b.Fatal(err)
	}
	return org
}

// Mount mounts the admin on the served engine, wired as kring serve wires it.
func Mount(b *testing.B, st *store.Store, orgs *organisations.Service, served testenv.ServedEngine) {
	b.Helper()
	public, err := url.Parse(served.Server.URL)
	if err != nil {
		b.Fatal(err)
	}
	fed, err := wiring.Build(context.Background(), wiring.Config{PublicURL: public, Version: "bench"}, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	a, err := admin.New(admin.Config{
		Store: st, Organisations: orgs, Moderation: moderation.NewService(st), MediaDir: b.TempDir(),
		Groups: fed.Groups, Members: fed.Members(), Membership: fed.Membership, Reports: fed.Reports, Community: fed.Community, Events: fed.Events,
		Sessions:      sessions.NewService(st, orgs, sessions.DefaultPolicy()),
		Conversations: fed.Conversations, PublicOrigin: served.Server.URL, Campaigns: campaigns.NewService(st),
	})
	if err != nil {
		b.Fatal(err)
	}
	a.Mount(served.Engine)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// LogIn fills in the admin's login form and returns a client carrying the session's cookie.
func LogIn(b *testing.B, origin, email, password string) *http.Client {
	b.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := csrfInput.FindStringSubmatch(Get(b, client, origin+"/admin/login"))
	if token == nil {
		b.Fatal("no CSRF token on the login page")
	}
	resp, err := client.PostForm(origin+"/admin/login", url.Values{"csrf": {token[1]}, "email": {email}, "password": {password}})
	if err != nil {
		b.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("log in as %s: %d", email, resp.StatusCode)
	}
	return client
}

// Get fetches a page, failing the benchmark unless it answers 200, and returns its body.
func Get(b *testing.B, client *http.Client, address string) string {
	resp, err := client.Get(address)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %s", address, resp.StatusCode, body)
	}
	return string(body)
}
