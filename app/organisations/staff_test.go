package organisations

import (
	"context"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

func TestCreateStaff(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := testService(st)
		if _, err := svc.CreateOrganisation(ctx, "acme", "Acme"); err != nil {
			t.Fatal(err)
		}

		account, generated, err := svc.CreateStaff(ctx, NewStaff{Email: "Mod@Example.org", DisplayName: " Mo ",
			OrganisationSlug: "acme", Role: model.RoleModerator})
		if err != nil {
			t.Fatal(err)
		}
		if account.Email != "mod@example.org" || account.DisplayName != "Mo" || account.InstanceAdmin {
			t.Errorf("created %+v, want the email lowercased, the name trimmed, no instance admin", account)
		}
		if len(generated) < 20 || strings.ContainsFunc(generated, func(r rune) bool { return r < '!' || r > '~' }) {
			t.Errorf("generated password %q: want at least 20 printable characters", generated)
		}
		if strings.Contains(account.PasswordHash, generated) || !strings.HasPrefix(account.PasswordHash, "$argon2id$") {
			t.Errorf("password hash %q: want an argon2id PHC string", account.PasswordHash)
		}
		if _, err := svc.Authenticate(ctx, "mod@example.org", generated); err != nil {
			t.Errorf("log in with the generated password: %v", err)
		}
		roles, err := st.StaffRoles(ctx, account.ID)
		if err != nil || len(roles) != 1 || roles[0].OrganisationSlug != "acme" || roles[0].Role != model.RoleModerator {
			t.Errorf("roles: %+v, %v", roles, err)
		}

		chosen, generated, err := svc.CreateStaff(ctx, NewStaff{Email: "owner@example.org", Password: "correct horse battery",
			OrganisationSlug: "acme", Role: model.RoleOwner, InstanceAdmin: true})
		if err != nil {
			t.Fatal(err)
		}
		if generated != "" || !chosen.InstanceAdmin {
			t.Errorf("chosen password: generated %q, instance admin %t", generated, chosen.InstanceAdmin)
		}
		if _, _, err := svc.CreateStaff(ctx, NewStaff{Email: "root@example.org", InstanceAdmin: true}); err != nil {
			t.Errorf("instance admin without an organisation: %v", err)
		}

		valid := NewStaff{Email: "new@example.org", OrganisationSlug: "acme", Role: model.RoleAdmin}
		refused := []struct {
			name   string
			change func(*NewStaff)
			kind   apperror.Kind
			field  string
		}{
			{"taken email in another case", func(n *NewStaff) { n.Email = "MOD@example.org" }, apperror.KindConflict, "email"},
			{"empty email", func(n *NewStaff) { n.Email = "" }, apperror.KindInvalid, "email"},
			{"no at sign", func(n *NewStaff) { n.Email = "new.example.org" }, apperror.KindInvalid, "email"},
			{"display-name form", func(n *NewStaff) { n.Email = "New <new@example.org>" }, apperror.KindInvalid, "email"},
			{"two addresses", func(n *NewStaff) { n.Email = "a@example.org, b@example.org" }, apperror.KindInvalid, "email"},
			{"255 characters", func(n *NewStaff) { n.Email = strings.Repeat("a", 243) + "@example.org" }, apperror.KindInvalid, "email"},
			{"unknown role", func(n *NewStaff) { n.Role = "root" }, apperror.KindInvalid, "role"},
			{"organisation without role", func(n *NewStaff) { n.Role = "" }, apperror.KindInvalid, "role"},
			{"role without organisation", func(n *NewStaff) { n.OrganisationSlug = "" }, apperror.KindInvalid, "organisation"},
			{"neither, not instance admin", func(n *NewStaff) { n.OrganisationSlug, n.Role = "", "" }, apperror.KindInvalid, "organisation"},
			{"unknown organisation", func(n *NewStaff) { n.OrganisationSlug = "nope" }, apperror.KindNotFound, "organisation"},
			{"11-character password", func(n *NewStaff) { n.Password = "elevenchars" }, apperror.KindInvalid, "password"},
			{"1025-character password", func(n *NewStaff) { n.Password = strings.Repeat("p", 1025) }, apperror.KindInvalid, "password"},
			{"control character in name", func(n *NewStaff) { n.DisplayName = "a\tb" }, apperror.KindInvalid, "display_name"},
		}
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) {
				in := valid
				c.change(&in)
				_, _, err := svc.CreateStaff(ctx, in)
				assertDomainError(t, err, c.kind, c.field)
			})
		}
		// A refused creation leaves nothing behind: the valid one still succeeds.
		if _, _, err := svc.CreateStaff(ctx, valid); err != nil {
			t.Errorf("valid account after the refusals: %v", err)
		}
		if n, err := st.CountStaffAccounts(ctx); err != nil || n != 4 {
			t.Errorf("%d accounts (%v), want 4", n, err)
		}
	})
}

func TestGrantRole(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := testService(st)
		for _, slug := range []string{"acme", "beta"} {
			if _, err := svc.CreateOrganisation(ctx, slug, slug); err != nil {
				t.Fatal(err)
			}
		}
		account, _, err := svc.CreateStaff(ctx, NewStaff{Email: "mod@example.org", OrganisationSlug: "acme", Role: model.RoleModerator})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.GrantRole(ctx, "MOD@example.org", "acme", model.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if err := svc.GrantRole(ctx, "mod@example.org", "beta", Role("owner")); err != nil {
			t.Fatal(err)
		}
		roles, err := st.StaffRoles(ctx, account.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range roles {
			got = append(got, r.OrganisationSlug+"="+string(r.Role))
		}
		if strings.Join(got, ",") != "acme=admin,beta=owner" {
			t.Errorf("roles %v, want acme=admin,beta=owner", got)
		}

		refused := []struct {
			name, email, org string
			role             Role
			kind             apperror.Kind
			field            string
		}{
			{"unknown role", "mod@example.org", "acme", "boss", apperror.KindInvalid, "role"},
			{"unknown email", "who@example.org", "acme", model.RoleAdmin, apperror.KindNotFound, "email"},
			{"malformed email", "who", "acme", model.RoleAdmin, apperror.KindInvalid, "email"},
			{"unknown organisation", "mod@example.org", "nope", model.RoleAdmin, apperror.KindNotFound, "organisation"},
		}
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) {
				assertDomainError(t, svc.GrantRole(ctx, c.email, c.org, c.role), c.kind, c.field)
			})
		}
	})
}

func TestResetPassword(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := testService(st)
		account, first, err := svc.CreateStaff(ctx, NewStaff{Email: "root@example.org", InstanceAdmin: true})
		if err != nil {
			t.Fatal(err)
		}

		generated, err := svc.ResetPassword(ctx, "root@example.org", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(generated) < 20 || generated == first {
			t.Errorf("generated %q after %q: want a new password of at least 20 characters", generated, first)
		}
		if _, err := svc.Authenticate(ctx, "root@example.org", first); apperror.KindOf(err) != apperror.KindUnauthenticated {
			t.Errorf("old password after reset: got %v, want refused", err)
		}
		if _, err := svc.Authenticate(ctx, "root@example.org", generated); err != nil {
			t.Errorf("generated password after reset: %v", err)
		}

		if generated, err := svc.ResetPassword(ctx, "ROOT@example.org", "my own long password"); err != nil || generated != "" {
			t.Fatalf("chosen password: generated %q, %v", generated, err)
		}
		reloaded, err := st.StaffAccountByID(ctx, account.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reloaded.PasswordChangedAt.After(account.PasswordChangedAt) {
			t.Errorf("password_changed_at %s not after creation's %s", reloaded.PasswordChangedAt, account.PasswordChangedAt)
		}
		if _, err := svc.Authenticate(ctx, "root@example.org", "my own long password"); err != nil {
			t.Errorf("chosen password after reset: %v", err)
		}

		_, err = svc.ResetPassword(ctx, "root@example.org", "short")
		assertDomainError(t, err, apperror.KindInvalid, "password")
		_, err = svc.ResetPassword(ctx, "nobody@example.org", "")
		assertDomainError(t, err, apperror.KindNotFound, "email")
	})
}
