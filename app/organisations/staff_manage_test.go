package organisations

import (
	"context"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestManageStaff: roles change, accounts are disabled and enabled, passwords reset, each logged in
// the organisation's log; an organisation always keeps an enabled owner, and nobody disables or
// resets themselves here.
func TestManageStaff(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := testService(st)
		org, err := svc.CreateOrganisation(ctx, "acme", "Acme")
		if err != nil {
			t.Fatal(err)
		}
		create := func(email string, role Role) model.StaffAccount {
			account, _, err := svc.CreateStaff(ctx, NewStaff{Email: email, Password: "a long enough password",
				OrganisationSlug: "acme", Role: role})
			if err != nil {
				t.Fatal(err)
			}
			return account
		}
		owner, mod := create("owner@acme.test", model.RoleOwner), create("mod@acme.test", model.RoleModerator)
		by := &owner.ID
		change := func(account model.StaffAccount) StaffChange {
			return StaffChange{OrganisationID: org.ID, AccountID: account.ID, By: by}
		}

		if err := svc.ChangeRole(ctx, change(mod), model.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if profile, err := svc.StaffProfile(ctx, mod.ID); err != nil {
			t.Fatal(err)
		} else if profile.RoleIn(org.ID) != model.RoleAdmin {
			t.Errorf("role after change: %+v", profile.Roles)
		}
		refusals := []struct {
			name string
			err  error
			kind apperror.Kind
		}{
			{"the only owner steps down", svc.ChangeRole(ctx, change(owner), model.RoleAdmin), apperror.KindConflict},
			{"the only owner is disabled", svc.SetDisabled(ctx, StaffChange{OrganisationID: org.ID, AccountID: owner.ID, By: &mod.ID}, true), apperror.KindConflict},
			{"disable yourself", svc.SetDisabled(ctx, change(owner), true), apperror.KindConflict},
			{"no such role", svc.ChangeRole(ctx, change(mod), "king"), apperror.KindInvalid},
			{"not staff there", svc.ChangeRole(ctx, StaffChange{OrganisationID: org.ID, AccountID: "nobody"}, model.RoleAdmin), apperror.KindNotFound},
		}
		for _, r := range refusals {
			if apperror.KindOf(r.err) != r.kind {
				t.Errorf("%s: %v, want %s", r.name, r.err, r.kind)
			}
		}
		if _, err := svc.ResetPasswordFor(ctx, change(owner)); apperror.KindOf(err) != apperror.KindConflict {
			t.Errorf("reset your own password here: %v", err)
		}

		if err := svc.SetDisabled(ctx, change(mod), true); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, mod.Email, "a long enough password"); apperror.KindOf(err) != apperror.KindUnauthenticated {
			t.Errorf("a disabled account logs in: %v", err)
		}
		if err := svc.SetDisabled(ctx, change(mod), false); err != nil {
			t.Fatal(err)
		}
		generated, err := svc.ResetPasswordFor(ctx, change(mod))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, mod.Email, generated); err != nil {
			t.Errorf("the new password: %v", err)
		}
		if _, err := svc.Authenticate(ctx, mod.Email, "a long enough password"); err == nil {
			t.Error("the old password still works")
		}

		second := create("second@acme.test", model.RoleOwner)
		if err := svc.ChangeRole(ctx, change(second), model.RoleModerator); err != nil {
			t.Errorf("with two owners one may step down: %v", err)
		}

		log, err := st.ModerationLog(ctx, store.ModerationLogFilter{OrganisationID: org.ID})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			actions = append(actions, string(e.Action)+" "+e.TargetID)
		}
		want := []string{"staff.role second@acme.test", "staff.create second@acme.test", "staff.password_reset mod@acme.test",
			"staff.enable mod@acme.test", "staff.disable mod@acme.test", "staff.role mod@acme.test",
			"staff.create mod@acme.test", "staff.create owner@acme.test", "organisation.create acme"}
		if len(actions) != len(want) {
			t.Fatalf("log %q, want %q", actions, want)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Errorf("log entry %d: %q, want %q", i, actions[i], want[i])
			}
		}
		if log[0].Metadata != `{"from":"owner","to":"moderator"}` || *log[0].StaffAccountID != owner.ID {
			t.Errorf("role change entry %+v", log[0])
		}
	})
}
