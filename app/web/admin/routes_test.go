package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// plausibleForm fills the fields the admin's forms ask for with valid values, so a route that forgot
// its role check would act (and answer 303) rather than refuse the form as incomplete. It is a new
// form each call: submit adds the CSRF token to the form it is given, and tests run in parallel.
func plausibleForm() url.Values {
	return url.Values{
		"name": {"Taken over"}, "summary": {"x"}, "posting_policy": {"anyone"}, "reason": {"no reason"},
		"actor": {"https://x.example/users/u"}, "keyword": {"spam"}, "action": {"reject"}, "kind": {"avatar"},
		"comment": {"x"}, "note": {"x"},
	}
}

// TestEveryAdminRouteRefusesOutsiders walks every route the admin mounts, so a route added later
// cannot forget its checks: logged out, each one but the login and password reset pages and the
// stylesheet sends the browser to log in (GET) or refuses it (POST 401); and each route about the
// lobby group refuses the admin of another organisation and the moderator of another group with a
// 4xx, changing nothing in the moderation log; each route about an organisation (acme) refuses the
// admin of another organisation and a moderator of acme assigned no group. Ids in paths are made up: the page tests try real objects per
// route and role (checkRoles); this test is about coverage.
func TestEveryAdminRouteRefusesOutsiders(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		// The password reset pages are for people who cannot log in (password_reset_test.go).
		public := map[string]bool{"GET /admin/login": true, "POST /admin/login": true, "GET /admin/static/admin.css": true,
			"GET /admin/password-reset": true, "POST /admin/password-reset": true,
			"GET /admin/password-reset/new": true, "POST /admin/password-reset/new": true}
		outsiders := map[string]*browser{otherAdmin: s.loggedIn(otherAdmin), deskMod: s.loggedIn(deskMod)}
		// An organisation's pages (its campaigns and calendar) are walked for acme: desk's moderator
		// may open those, a moderator of acme assigned no group may not.
		s.addStaff(idleMod, "acme", model.RoleModerator)
		orgOutsiders := map[string]*browser{otherAdmin: outsiders[otherAdmin], idleMod: s.loggedIn(idleMod)}
		logEntries := func() int64 {
			var n int64
			if err := st.DB().Model(&model.ModerationAction{}).Where("staff_account_id IS NOT NULL").Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := logEntries()
		walked := 0
		for _, route := range s.engine.Routes() {
			if !strings.HasPrefix(route.Path, "/admin") || public[route.Method+" "+route.Path] {
				continue
			}
			walked++
			slug, refused := "lobby", outsiders
			if strings.HasPrefix(route.Path, "/admin/organisations/:slug") {
				slug, refused = "acme", orgOutsiders
			}
			if strings.HasPrefix(route.Path, "/admin/organisations/:slug/analytics") {
				// An organisation's analytics are its managers': desk's moderator is refused too.
				refused = map[string]*browser{otherAdmin: outsiders[otherAdmin], idleMod: orgOutsiders[idleMod], deskMod: outsiders[deskMod]}
			}
			path := strings.NewReplacer(":slug", slug, ":id", model.NewID()).Replace(route.Path)
			status := 0
			if route.Method == http.MethodGet {
				status, _ = s.browser().get(path)
			} else {
				status, _ = s.browser().postForm(path, url.Values{})
			}
			if want := map[string]int{http.MethodGet: http.StatusSeeOther, http.MethodPost: http.StatusUnauthorized}[route.Method]; status != want {
				t.Errorf("%s %s logged out: %d, want %d", route.Method, path, status, want)
			}
			if strings.HasPrefix(route.Path, "/admin/federation") {
				// The instance's federation health: every staff member of an organisation is refused.
				for email, b := range map[string]*browser{acmeAdmin: s.loggedIn(acmeAdmin), lobbyMod: s.loggedIn(lobbyMod)} {
					if route.Method == http.MethodGet {
						status, _ = b.get(path)
					} else {
						status, _ = b.submit("/admin", path, plausibleForm())
					}
					if status != http.StatusForbidden {
						t.Errorf("%s %s as %s: %d, want 403", route.Method, path, email, status)
					}
				}
			}
			if !strings.Contains(route.Path, ":slug") {
				continue
			}
			for email, b := range refused {
				if route.Method == http.MethodGet {
					status, _ = b.get(path)
				} else {
					status, _ = b.submit("/admin", path, plausibleForm())
				}
				if status < 400 || status >= 500 {
					t.Errorf("%s %s as %s: %d, want a refusal", route.Method, path, email, status)
				}
			}
		}
		if walked < 40 {
			t.Fatalf("walked %d admin routes; the engine lists fewer than the admin mounts", walked)
		}
		if after := logEntries(); after != before {
			t.Errorf("refused requests wrote %d moderation log entries", after-before)
		}
	})
}

// TestNavigationOffersOnlyPagesTheStaffMemberMayOpen: a moderator is not shown links to the
// organisation's domain blocks and staff, which would refuse her; managers are. Only the instance
// admin is shown the organisations page.
func TestNavigationOffersOnlyPagesTheStaffMemberMayOpen(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		managers := map[string]bool{acmeAdmin: true, acmeOwner: true, otherAdmin: true, instanceAdmin: true}
		shownTo := map[string]map[string]bool{
			`href="/admin/domain-blocks"`: managers,
			`href="/admin/staff"`:         managers,
			`href="/admin/analytics"`:     managers,
			`href="/admin/organisations"`: {instanceAdmin: true},
		}
		for _, email := range []string{lobbyMod, acmeAdmin, acmeOwner, otherAdmin, instanceAdmin} {
			_, page := s.loggedIn(email).get("/admin")
			for link, readers := range shownTo {
				if strings.Contains(page, link) != readers[email] {
					t.Errorf("%s: dashboard has %s: %t, want %t", email, link, !readers[email], readers[email])
				}
			}
		}
	})
}
