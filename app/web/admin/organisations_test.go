package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestInstanceAdminCreatesOrganisations: only the instance's admin uses the organisations page (who
// is shown the link: TestNavigationOffersOnlyPagesTheStaffMemberMayOpen); a new organisation is logged in their name and leads to its staff page; a taken or malformed
// slug comes back with the form and what was wrong; owners, admins and moderators of an
// organisation are refused and create nothing.
func TestInstanceAdminCreatesOrganisations(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		ctx := context.Background()
		root := s.loggedIn(instanceAdmin)
		if status, page := root.get("/admin/organisations"); status != http.StatusOK || !strings.Contains(page, "Acme") || !strings.Contains(page, "Other") {
			t.Fatalf("organisations page: %d\n%s", status, page)
		}

		form := url.Values{"slug": {"coop"}, "name": {"Housing Co-op"}}
		if status, _ := root.submit("/admin/organisations", "/admin/organisations", form); status != http.StatusSeeOther {
			t.Fatalf("create: %d", status)
		}
		org, err := st.OrganisationBySlug(ctx, "coop")
		if err != nil || org.Name != "Housing Co-op" {
			t.Fatalf("created organisation: %+v %v", org, err)
		}
		if status, page := root.get("/admin/staff?org=coop"); status != http.StatusOK || !strings.Contains(page, "Organisation Housing Co-op created") {
			t.Errorf("after creating: %d, the staff page lacks the notice\n%s", status, page)
		}
		log, err := st.ModerationLog(ctx, store.ModerationLogFilter{OrganisationID: org.ID, Action: model.ActionOrganisationCreate})
		if err != nil || len(log) != 1 || log[0].StaffAccountID == nil || *log[0].StaffAccountID != s.staffID(instanceAdmin) {
			t.Errorf("log: %+v %v, want the creation in the instance admin's name", log, err)
		}

		for _, bad := range []struct {
			form   url.Values
			status int
			says   string
		}{
			{url.Values{"slug": {"acme"}, "name": {"Another Acme"}}, http.StatusConflict, "already exists"},
			{url.Values{"slug": {"Not A Slug"}, "name": {"Bad"}}, http.StatusBadRequest, "slug"},
			{url.Values{"slug": {"noname"}, "name": {"  "}}, http.StatusBadRequest, "name"},
		} {
			status, page := root.submit("/admin/organisations", "/admin/organisations", bad.form)
			if status != bad.status || !strings.Contains(page, bad.says) || !strings.Contains(page, `value="`+bad.form.Get("slug")+`"`) {
				t.Errorf("create %v: %d, want %d saying %q with the form filled in", bad.form, status, bad.status, bad.says)
			}
		}

		for _, email := range []string{acmeOwner, acmeAdmin, lobbyMod, otherAdmin} {
			b := s.loggedIn(email)
			if status, _ := b.get("/admin/organisations"); status != http.StatusForbidden {
				t.Errorf("%s opens the organisations page: %d", email, status)
			}
			if status, _ := b.submit("/admin", "/admin/organisations", url.Values{"slug": {"mine"}, "name": {"Mine"}}); status != http.StatusForbidden {
				t.Errorf("%s creates an organisation: %d", email, status)
			}
		}
		if _, err := st.OrganisationBySlug(ctx, "mine"); err == nil {
			t.Errorf("a refused staff member created an organisation")
		}
	})
}
