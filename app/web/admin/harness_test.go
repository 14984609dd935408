package admin_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/campaigns"
	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/federationhealth"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/mail/mailtest"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/notify"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/sessions"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/app/web/admin"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/test/testenv"
)

// password is every test account's password.
const password = "correct horse battery staple"

// site is the admin on a real database, served over real HTTP, with two organisations: acme (groups
// lobby and desk) and other (group elsewhere), and staff in every role.
type site struct {
	t      *testing.T
	store  *store.Store
	server *httptest.Server
	engine *gin.Engine
	iris   federation.IRIs
	lobby  model.Group
	desk   model.Group
	away   model.Group // of the other organisation
	talk   *conversations.Service
	// community runs welcomes and the support inbox, as the worker does for messages that arrive.
	community *community.Service
	// eventService publishes events and keeps their participants, as the admin's.
	eventService *events.Service
	// reports files reports as the inbox does, telling staff when e-mail is on.
	reports *reports.Service
	media   string // the directory of groups' pictures
	// With e-mail on (newSiteWith): the test SMTP server, the notifier, and the clock both it and
	// the sessions service read.
	mail     *mailtest.Server
	notifier *notify.Notifier
	clock    *testClock
}

// siteOptions change what newSiteWith builds.
type siteOptions struct {
	// email turns e-mail on: a notifier and password resets, sent through a test SMTP server.
	email bool
}

// testClock is a clock a test sets.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Staff accounts of the site, by what they may do.
const (
	instanceAdmin = "root@kring.test"
	acmeOwner     = "owner@acme.test"
	acmeAdmin     = "admin@acme.test"
	lobbyMod      = "lobbymod@acme.test" // moderates lobby only
	deskMod       = "deskmod@acme.test"  // moderates desk only
	otherAdmin    = "admin@other.test"   // admin of the other organisation
)

func newSite(t *testing.T, st *store.Store) *site {
	t.Helper()
	return newSiteWith(t, st, siteOptions{})
}

func newSiteWith(t *testing.T, st *store.Store, opts siteOptions) *site {
	t.Helper()
	ctx := context.Background()
	served := testenv.ServeEngine(t, web.Options{LargerBodies: admin.UploadRoutes()})
	engine, server, iris := served.Engine, served.Server, served.IRIs

	orgs := organisations.NewServiceWith(st, organisations.Options{PasswordParams: organisations.TestPasswordParams()})
	for _, org := range []string{"acme", "other"} {
		if _, err := orgs.CreateOrganisation(ctx, org, strings.ToUpper(org[:1])+org[1:]); err != nil {
			t.Fatal(err)
		}
	}
	groupService := testenv.Groups(t, st)
	s := &site{t: t, store: st, server: server, engine: engine, iris: iris, media: t.TempDir()}
	web.MountMedia(engine, s.media, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, g := range []struct {
		org, slug string
		into      *model.Group
		policy    model.PostingPolicy
	}{{"acme", "lobby", &s.lobby, ""}, {"acme", "desk", &s.desk, model.PostingPremoderated}, {"other", "elsewhere", &s.away, ""}} {
		created, err := groupService.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: g.org, Slug: g.slug, Name: strings.ToUpper(g.slug[:1]) + g.slug[1:], PostingPolicy: g.policy})
		if err != nil {
			t.Fatal(err)
		}
		*g.into = created
	}
	for _, staff := range []organisations.NewStaff{
		{Email: instanceAdmin, InstanceAdmin: true},
		{Email: acmeOwner, OrganisationSlug: "acme", Role: model.RoleOwner},
		{Email: acmeAdmin, OrganisationSlug: "acme", Role: model.RoleAdmin},
		{Email: lobbyMod, OrganisationSlug: "acme", Role: model.RoleModerator},
		{Email: deskMod, OrganisationSlug: "acme", Role: model.RoleModerator},
		{Email: otherAdmin, OrganisationSlug: "other", Role: model.RoleAdmin},
	} {
		staff.Password = password
		if _, _, err := orgs.CreateStaff(ctx, staff); err != nil {
			t.Fatal(err)
		}
	}
	s.assign(lobbyMod, s.lobby)
	s.assign(deskMod, s.desk)

	public, err := url.Parse(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	staffSessions := sessions.NewService(st, orgs, sessions.DefaultPolicy())
	if opts.email {
		s.mail = mailtest.Start(t)
		s.clock = &testClock{now: time.Now().UTC()}
		s.notifier = notify.New(st, public).WithClock(s.clock.Now)
		staffSessions = staffSessions.WithResetMailer(s.notifier).WithClock(s.clock.Now)
	}
	fed, err := wiring.Build(ctx, wiring.Config{PublicURL: public, Version: "test", SigningKeys: testenv.SigningKeys(t),
		Notifier: s.notifier, MediaDir: s.media}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.talk, s.community, s.reports, s.eventService = fed.Conversations, fed.Community, fed.Reports, fed.Events
	a, err := admin.New(admin.Config{
		Store: st, Organisations: orgs, Moderation: moderation.NewService(st), MediaDir: s.media,
		Groups: fed.Groups, Members: fed.Members(), Membership: fed.Membership, Reports: fed.Reports, Community: fed.Community, Events: fed.Events, Drafts: fed.Drafts,
		Sessions:      staffSessions,
		Conversations: s.talk, PublicOrigin: server.URL, EmailOn: opts.email, Campaigns: campaigns.NewService(st),
		FederationHealth: federationhealth.NewService(st, nil, fixedRefusals{"signature": 7, "blocked": 2}),
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Mount(engine)
	return s
}

func (s *site) assign(email string, group model.Group) {
	account, err := s.store.StaffAccountByEmail(context.Background(), email)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.store.AssignGroupModerator(context.Background(), group.ID, account.ID); err != nil {
		s.t.Fatal(err)
	}
}

// browser is one person's cookie jar against the site; redirects are not followed, so tests see them.
type browser struct {
	t      *testing.T
	site   *site
	client *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: s.t, site: s, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// loggedIn is a browser logged in as email.
func (s *site) loggedIn(email string) *browser {
	b := s.browser()
	if status, _ := b.login(email, password); status != http.StatusSeeOther {
		s.t.Fatalf("login as %s: %d", email, status)
	}
	return b
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login fills in the login form as a person would.
func (b *browser) login(email, pass string) (int, string) {
	_, page := b.get("/admin/login")
	token := csrfInput.FindStringSubmatch(page)
	if token == nil {
		b.t.Fatalf("no CSRF token on the login page: %s", page)
	}
	return b.postForm("/admin/login", url.Values{"csrf": {token[1]}, "email": {email}, "password": {pass}})
}

// get fetches path and returns the status and body.
func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.client.Get(b.site.server.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// postForm posts form to path as it is (no CSRF token added).
func (b *browser) postForm(path string, form url.Values) (int, string) {
	b.t.Helper()
	resp, err := b.client.PostForm(b.site.server.URL+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// submit posts form to path with the CSRF token of the page at from, as a person's browser would.
func (b *browser) submit(from, path string, form url.Values) (int, string) {
	b.t.Helper()
	_, page := b.get(from)
	token := csrfInput.FindStringSubmatch(page)
	if token == nil {
		b.t.Fatalf("no CSRF token on %s", from)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", token[1])
	return b.postForm(path, form)
}
