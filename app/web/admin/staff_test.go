package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

var shownPassword = regexp.MustCompile(`<code class="secret">([^<]+)</code>`)

// TestStaffManagement: an organisation admin lists the staff, adds a moderator (the generated
// password shown once works), changes roles below owner, disables and enables an account (which
// logs it out), and resets a password (the old sessions end, the new password works); each is
// logged.
func TestStaffManagement(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		b := s.loggedIn(acmeAdmin)
		status, page := b.get("/admin/staff")
		if status != http.StatusOK {
			t.Fatalf("staff: %d", status)
		}
		for _, want := range []string{acmeOwner, acmeAdmin, lobbyMod, deskMod, ">lobby<", "(you)"} {
			if !strings.Contains(page, want) {
				t.Errorf("staff page lacks %q", want)
			}
		}
		if strings.Contains(page, otherAdmin) || strings.Contains(page, `<option value="owner"`) {
			t.Error("an admin sees another organisation's staff, or may make owners")
		}

		status, page = b.submit("/admin/staff", "/admin/staff", url.Values{"org": {"acme"}, "email": {"New@Acme.test"},
			"display_name": {"Newt"}, "role": {"moderator"}})
		generated := shownPassword.FindStringSubmatch(page)
		if status != http.StatusOK || generated == nil {
			t.Fatalf("create: %d %s", status, page)
		}
		if status, _ := s.browser().login("new@acme.test", generated[1]); status != http.StatusSeeOther {
			t.Errorf("log in with the generated password: %d", status)
		}
		if status, _ := b.submit("/admin/staff", "/admin/staff", url.Values{"org": {"acme"}, "email": {"new@acme.test"}, "role": {"moderator"}}); status != http.StatusConflict {
			t.Errorf("the same e-mail again: %d", status)
		}

		newID := s.staffID("new@acme.test")
		if status, _ := b.submit("/admin/staff", "/admin/staff/"+newID+"/role", url.Values{"org": {"acme"}, "role": {"admin"}}); status != http.StatusSeeOther {
			t.Errorf("make admin: %d", status)
		}
		if status, _ := b.submit("/admin/staff", "/admin/staff/"+newID+"/role", url.Values{"org": {"acme"}, "role": {"owner"}}); status != http.StatusForbidden {
			t.Errorf("an admin makes an owner: %d", status)
		}
		ownerID := s.staffID(acmeOwner)
		for _, action := range []string{"role", "disable", "reset-password"} {
			if status, _ := b.submit("/admin/staff", "/admin/staff/"+ownerID+"/"+action, url.Values{"org": {"acme"}, "role": {"moderator"}}); status != http.StatusForbidden {
				t.Errorf("an admin acts on the owner (%s): %d", action, status)
			}
		}
		if status, _ := b.submit("/admin/staff", "/admin/staff/"+s.staffID(otherAdmin)+"/disable", url.Values{"org": {"acme"}}); status != http.StatusNotFound {
			t.Errorf("someone of another organisation, through acme: %d", status)
		}

		victim := s.loggedIn(lobbyMod)
		lobbyModID := s.staffID(lobbyMod)
		if status, _ := b.submit("/admin/staff", "/admin/staff/"+lobbyModID+"/disable", url.Values{"org": {"acme"}}); status != http.StatusSeeOther {
			t.Fatalf("disable: %d", status)
		}
		if status, _ := victim.get("/admin"); status != http.StatusSeeOther {
			t.Errorf("a disabled account is still logged in: %d", status)
		}
		if status, _ := s.browser().login(lobbyMod, password); status != http.StatusUnauthorized {
			t.Errorf("a disabled account logs in: %d", status)
		}
		if _, page := b.get("/admin/staff"); !strings.Contains(page, "disabled since") {
			t.Error("the list does not say who is disabled")
		}
		if status, _ := b.submit("/admin/staff", "/admin/staff/"+lobbyModID+"/enable", url.Values{"org": {"acme"}}); status != http.StatusSeeOther {
			t.Fatalf("enable: %d", status)
		}
		victim = s.loggedIn(lobbyMod)
		status, page = b.submit("/admin/staff", "/admin/staff/"+lobbyModID+"/reset-password", url.Values{"org": {"acme"}})
		reset := shownPassword.FindStringSubmatch(page)
		if status != http.StatusOK || reset == nil {
			t.Fatalf("reset: %d", status)
		}
		if status, _ := victim.get("/admin"); status != http.StatusSeeOther {
			t.Errorf("a reset ends the account's sessions: %d", status)
		}
		if status, _ := s.browser().login(lobbyMod, reset[1]); status != http.StatusSeeOther {
			t.Errorf("log in with the reset password: %d", status)
		}
		if status, _ := b.submit("/admin/staff", "/admin/staff/"+s.staffID(acmeAdmin)+"/disable", url.Values{"org": {"acme"}}); status != http.StatusConflict {
			t.Errorf("disable yourself: %d", status)
		}

		owner := s.loggedIn(acmeOwner)
		if status, _ := owner.submit("/admin/staff", "/admin/staff/"+ownerID+"/role", url.Values{"org": {"acme"}, "role": {"admin"}}); status != http.StatusConflict {
			t.Errorf("the only owner steps down: %d", status)
		}
		if status, _ := owner.submit("/admin/staff", "/admin/staff/"+newID+"/role", url.Values{"org": {"acme"}, "role": {"owner"}}); status != http.StatusSeeOther {
			t.Errorf("an owner makes an owner: %d", status)
		}

		entries, err := st.ModerationLog(context.Background(), store.ModerationLogFilter{OrganisationID: s.lobby.OrganisationID})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			if e.StaffAccountID != nil {
				actions = append(actions, string(e.Action)+" "+e.TargetID)
			}
		}
		want := "staff.role new@acme.test|staff.password_reset lobbymod@acme.test|staff.enable lobbymod@acme.test|" +
			"staff.disable lobbymod@acme.test|staff.role new@acme.test|staff.create new@acme.test"
		if got := strings.Join(actions, "|"); got != want {
			t.Errorf("log:\n got %s\nwant %s", got, want)
		}
	})
}

// TestStaffRoles: owners, admins and instance admins manage acme's staff; another organisation's
// admin and moderators are refused.
func TestStaffRoles(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	ctx := context.Background()
	orgs := organisations.NewServiceWith(s.store, organisations.Options{PasswordParams: organisations.TestPasswordParams()})
	moderator := func(action string, disabled bool) func() string {
		return func() string {
			account, _, err := orgs.CreateStaff(ctx, organisations.NewStaff{Email: model.NewID() + "@acme.test",
				OrganisationSlug: "acme", Role: model.RoleModerator})
			if err != nil {
				t.Fatal(err)
			}
			if disabled {
				if err := orgs.SetDisabled(ctx, organisations.StaffChange{OrganisationID: s.lobby.OrganisationID, AccountID: account.ID}, true); err != nil {
					t.Fatal(err)
				}
			}
			return "/admin/staff/" + account.ID + "/" + action
		}
	}
	fresh := func() string {
		if err := s.store.DB().Where("email = ?", "fresh@acme.test").Delete(&model.StaffAccount{}).Error; err != nil {
			t.Fatal(err)
		}
		return "/admin/staff"
	}
	acme := url.Values{"org": {"acme"}}
	checkOrganisationRoles(t, s, []roleRoute{
		{name: "list", target: func() string { return "/admin/staff?org=acme" }},
		{name: "role", post: true, target: moderator("role", false), form: url.Values{"org": {"acme"}, "role": {"admin"}}},
		{name: "disable", post: true, target: moderator("disable", false), form: acme},
		{name: "enable", post: true, target: moderator("enable", true), form: acme},
	}, []string{acmeAdmin, acmeOwner, instanceAdmin}, []string{otherAdmin, lobbyMod, deskMod})
	// Creating and resetting show a password (200) rather than redirect.
	checkOrganisationRoles(t, s, []roleRoute{
		{name: "create", post: true, target: fresh, form: url.Values{"org": {"acme"}, "email": {"fresh@acme.test"}, "role": {"moderator"}}},
		{name: "reset", post: true, target: moderator("reset-password", false), form: acme},
	}, nil, []string{otherAdmin, lobbyMod, deskMod})
	for _, email := range []string{acmeAdmin, acmeOwner, instanceAdmin} {
		b := s.loggedIn(email)
		fresh()
		if status, _ := b.submit("/admin", "/admin/staff", url.Values{"org": {"acme"}, "email": {"fresh@acme.test"}, "role": {"moderator"}}); status != http.StatusOK {
			t.Errorf("create as %s: %d", email, status)
		}
		if status, _ := b.submit("/admin", moderator("reset-password", false)(), acme); status != http.StatusOK {
			t.Errorf("reset as %s: %d", email, status)
		}
	}
}
