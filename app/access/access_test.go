package access

import (
	"context"
	"slices"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/test/testenv"
)

// The organisations and groups every principal below is asked about: acme has lobby and desk, beta
// has zeta; nowhere is an organisation nobody holds a role in.
const (
	acme    = "org-acme"
	beta    = "org-beta"
	nowhere = "org-nowhere"
)

var (
	lobby = model.Group{ID: "group-lobby", OrganisationID: acme, Slug: "lobby"}
	desk  = model.Group{ID: "group-desk", OrganisationID: acme, Slug: "desk"}
	zeta  = model.Group{ID: "group-zeta", OrganisationID: beta, Slug: "zeta"}
)

// principal builds a Principal as Load would, from roles per organisation and assigned groups.
func principal(instanceAdmin bool, roles map[string]model.Role, moderates ...string) Principal {
	p := Principal{Account: model.StaffAccount{ID: model.NewID(), InstanceAdmin: instanceAdmin},
		roles: map[string]model.Role{}, moderates: map[string]bool{}, orgSlugs: map[string]string{}}
	for org, role := range roles {
		p.roles[org] = role
		p.orgSlugs[org] = org
	}
	for _, id := range moderates {
		p.moderates[id] = true
	}
	return p
}

// cast is every kind of staff member, by name.
var cast = map[string]Principal{
	"instance admin": principal(true, nil),
	"acme owner":     principal(false, map[string]model.Role{acme: model.RoleOwner}),
	"acme admin":     principal(false, map[string]model.Role{acme: model.RoleAdmin}),
	// assigned to lobby only
	"lobby moderator": principal(false, map[string]model.Role{acme: model.RoleModerator}, lobby.ID),
	// a moderator of acme with no group assigned
	"idle moderator": principal(false, map[string]model.Role{acme: model.RoleModerator}),
	// an acme moderator with an assignment to beta's zeta, where they hold no role (left over)
	"stray moderator": principal(false, map[string]model.Role{acme: model.RoleModerator}, zeta.ID),
	// an admin of acme with an assignment to zeta but no role in beta
	"acme admin assigned to zeta": principal(false, map[string]model.Role{acme: model.RoleAdmin}, zeta.ID),
	"beta admin":                  principal(false, map[string]model.Role{beta: model.RoleAdmin}),
	"beta owner":                  principal(false, map[string]model.Role{beta: model.RoleOwner}),
	// owner of acme and moderator of zeta in beta
	"acme owner, zeta moderator": principal(false, map[string]model.Role{acme: model.RoleOwner, beta: model.RoleModerator}, zeta.ID),
	// an account with no role anywhere (its roles were taken away)
	"nobody": principal(false, nil),
	// an account with only assignments, no role: must not count
	"assigned without role": principal(false, nil, lobby.ID, zeta.ID),
}

// allowed lists, per question, exactly the cast members who must be allowed; everyone else must be
// refused.
func check(t *testing.T, question string, allowed []string, ask func(Principal) bool) {
	t.Helper()
	for _, name := range allowed {
		if _, ok := cast[name]; !ok {
			t.Fatalf("%s: no cast member %q", question, name)
		}
	}
	for name, p := range cast {
		want := slices.Contains(allowed, name)
		if got := ask(p); got != want {
			t.Errorf("%s: %s got %t, want %t", question, name, got, want)
		}
	}
}

func TestManagesOrganisation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		org     string
		allowed []string
	}{
		{acme, []string{"instance admin", "acme owner", "acme admin", "acme admin assigned to zeta", "acme owner, zeta moderator"}},
		{beta, []string{"instance admin", "beta admin", "beta owner"}},
		{nowhere, []string{"instance admin"}},
		{"", []string{"instance admin"}},
	}
	for _, tc := range cases {
		check(t, "manages organisation "+tc.org, tc.allowed, func(p Principal) bool { return p.ManagesOrganisation(tc.org) })
	}
}

func TestModerates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		group   model.Group
		allowed []string
	}{
		{lobby, []string{"instance admin", "acme owner", "acme admin", "acme admin assigned to zeta", "acme owner, zeta moderator",
			"lobby moderator"}},
		{desk, []string{"instance admin", "acme owner", "acme admin", "acme admin assigned to zeta", "acme owner, zeta moderator"}},
		{zeta, []string{"instance admin", "beta admin", "beta owner", "acme owner, zeta moderator"}},
		// a group the principal has the id of, but in an organisation nobody holds a role in
		{model.Group{ID: lobby.ID, OrganisationID: nowhere}, []string{"instance admin"}},
	}
	for _, tc := range cases {
		check(t, "moderates "+tc.group.ID+" of "+tc.group.OrganisationID, tc.allowed, func(p Principal) bool { return p.Moderates(tc.group) })
	}
}

func TestManagesStaff(t *testing.T) {
	t.Parallel()
	cases := []struct {
		org     string
		role    model.Role
		allowed []string
	}{
		{acme, model.RoleOwner, []string{"instance admin", "acme owner", "acme owner, zeta moderator"}},
		{acme, model.RoleAdmin, []string{"instance admin", "acme owner", "acme owner, zeta moderator", "acme admin", "acme admin assigned to zeta"}},
		{acme, model.RoleModerator, []string{"instance admin", "acme owner", "acme owner, zeta moderator", "acme admin", "acme admin assigned to zeta"}},
		{beta, model.RoleOwner, []string{"instance admin", "beta owner"}},
		{beta, model.RoleAdmin, []string{"instance admin", "beta owner", "beta admin"}},
		{beta, model.RoleModerator, []string{"instance admin", "beta owner", "beta admin"}},
		{nowhere, model.RoleModerator, []string{"instance admin"}},
	}
	for _, tc := range cases {
		check(t, "manages "+string(tc.role)+" staff of "+tc.org, tc.allowed, func(p Principal) bool { return p.ManagesStaff(tc.org, tc.role) })
	}
}

func TestWhoHasTheAdmin(t *testing.T) {
	t.Parallel()
	check(t, "manages any organisation", []string{"instance admin", "acme owner", "acme admin", "acme admin assigned to zeta",
		"beta admin", "beta owner", "acme owner, zeta moderator"}, Principal.ManagesAnyOrganisation)
	check(t, "has any role", []string{"instance admin", "acme owner", "acme admin", "lobby moderator", "idle moderator",
		"stray moderator", "acme admin assigned to zeta", "beta admin", "beta owner", "acme owner, zeta moderator"}, Principal.HasAnyRole)
	check(t, "instance admin", []string{"instance admin"}, Principal.InstanceAdmin)
}

func TestRoleInAndOrganisationIDs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		acme, beta model.Role
		orgs       []string
	}{
		{"instance admin", model.RoleOwner, model.RoleOwner, nil},
		{"acme owner", model.RoleOwner, "", []string{acme}},
		{"acme admin", model.RoleAdmin, "", []string{acme}},
		{"lobby moderator", model.RoleModerator, "", []string{acme}},
		{"beta admin", "", model.RoleAdmin, []string{beta}},
		{"acme owner, zeta moderator", model.RoleOwner, model.RoleModerator, []string{acme, beta}},
		{"nobody", "", "", nil},
		{"assigned without role", "", "", nil},
	}
	for _, tc := range cases {
		p := cast[tc.name]
		if got := p.RoleIn(acme); got != tc.acme {
			t.Errorf("%s: role in acme %q, want %q", tc.name, got, tc.acme)
		}
		if got := p.RoleIn(beta); got != tc.beta {
			t.Errorf("%s: role in beta %q, want %q", tc.name, got, tc.beta)
		}
		if got, want := p.RoleIn(nowhere), model.Role(""); p.InstanceAdmin() {
			if got != model.RoleOwner {
				t.Errorf("%s: role in an organisation of nobody's %q, want owner", tc.name, got)
			}
		} else if got != want {
			t.Errorf("%s: role in an organisation of nobody's %q, want none", tc.name, got)
		}
		got := p.OrganisationIDs()
		slices.Sort(got)
		if !slices.Equal(got, tc.orgs) {
			t.Errorf("%s: organisations %v, want %v", tc.name, got, tc.orgs)
		}
	}
}

func TestRefuseAndRequire(t *testing.T) {
	t.Parallel()
	if err := Require(true); err != nil {
		t.Errorf("Require(true) = %v, want nil", err)
	}
	for _, err := range []error{Refuse(), Require(false)} {
		if err == nil || apperror.KindOf(err) != apperror.KindForbidden {
			t.Fatalf("refusal %v: kind %v, want forbidden", err, apperror.KindOf(err))
		}
		// The refusal is the same whatever was asked about: it must not tell whether the thing exists.
		if msg := apperror.SafeMessage(err); msg != "you may not do this" {
			t.Errorf("refusal says %q", msg)
		}
	}
}

// TestLoadReadsRolesAndAssignments: a principal loaded from the store answers as the ones built
// above: roles per organisation, assignments per group, nothing from other accounts.
func TestLoadReadsRolesAndAssignments(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	ctx := context.Background()
	orgA, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	orgB, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "beta", Name: "Beta"})
	if err != nil {
		t.Fatal(err)
	}
	group := func(org, slug string) model.Group {
		g, err := st.CreateGroup(ctx, model.Group{OrganisationID: org, Slug: slug, Name: slug, PostingPolicy: model.PostingFollowers})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	gLobby, gDesk, gZeta := group(orgA.ID, "lobby"), group(orgA.ID, "desk"), group(orgB.ID, "zeta")
	account := func(email string) model.StaffAccount {
		a, err := st.CreateStaffAccount(ctx, model.StaffAccount{Email: email, PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	mod, other := account("mod@acme.test"), account("other@acme.test")
	for _, grant := range []struct {
		account, org string
		role         model.Role
	}{{mod.ID, orgA.ID, model.RoleModerator}, {mod.ID, orgB.ID, model.RoleAdmin}, {other.ID, orgA.ID, model.RoleOwner}} {
		if _, err := st.SetStaffRole(ctx, grant.account, grant.org, grant.role); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AssignGroupModerator(ctx, gLobby.ID, mod.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.AssignGroupModerator(ctx, gDesk.ID, other.ID); err != nil {
		t.Fatal(err)
	}

	p, err := Load(ctx, st, mod)
	if err != nil {
		t.Fatal(err)
	}
	if p.Account.ID != mod.ID || p.InstanceAdmin() || !p.HasAnyRole() {
		t.Errorf("loaded account %+v", p.Account)
	}
	if p.RoleIn(orgA.ID) != model.RoleModerator || p.RoleIn(orgB.ID) != model.RoleAdmin {
		t.Errorf("roles: acme %q, beta %q", p.RoleIn(orgA.ID), p.RoleIn(orgB.ID))
	}
	if !p.Moderates(gLobby) || p.Moderates(gDesk) || !p.Moderates(gZeta) {
		t.Errorf("moderates lobby %t (want true), desk %t (want false: another's assignment), zeta %t (want true: admin of beta)",
			p.Moderates(gLobby), p.Moderates(gDesk), p.Moderates(gZeta))
	}
	if p.ManagesOrganisation(orgA.ID) || !p.ManagesOrganisation(orgB.ID) || !p.ManagesAnyOrganisation() {
		t.Errorf("manages acme %t (want false), beta %t (want true)", p.ManagesOrganisation(orgA.ID), p.ManagesOrganisation(orgB.ID))
	}
	if p.ManagesStaff(orgA.ID, model.RoleModerator) || p.ManagesStaff(orgB.ID, model.RoleOwner) || !p.ManagesStaff(orgB.ID, model.RoleModerator) {
		t.Error("a moderator of acme and admin of beta manages only beta's staff below owner")
	}
	if p.orgSlugs[orgA.ID] != "acme" || p.orgSlugs[orgB.ID] != "beta" {
		t.Errorf("organisation slugs %v", p.orgSlugs)
	}

	none, err := Load(ctx, st, account("none@acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	if none.HasAnyRole() || none.ManagesAnyOrganisation() || none.Moderates(gLobby) || len(none.OrganisationIDs()) != 0 {
		t.Errorf("an account with no role: %+v", none)
	}
}
