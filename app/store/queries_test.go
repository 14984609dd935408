package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

func TestOrganisationAndStaffQueries(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		acme, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Again"}); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("duplicate slug: got %v, want ErrDuplicate", err)
		}
		if _, err := st.OrganisationBySlug(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown slug: got %v, want ErrNotFound", err)
		}
		found, err := st.OrganisationByID(ctx, acme.ID)
		if err != nil || found.Slug != "acme" || !found.CreatedAt.Equal(acme.CreatedAt) {
			t.Errorf("by id: got %+v, %v", found, err)
		}

		account, err := st.CreateStaffAccount(ctx, model.StaffAccount{Email: " Mod@Example.ORG ", PasswordHash: "h"})
		if err != nil {
			t.Fatal(err)
		}
		if account.Email != "mod@example.org" {
			t.Errorf("email stored as %q, want it lowercased and trimmed", account.Email)
		}
		if _, err := st.CreateStaffAccount(ctx, model.StaffAccount{Email: "MOD@example.org", PasswordHash: "h"}); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("same email in other case: got %v, want ErrDuplicate", err)
		}
		if byEmail, err := st.StaffAccountByEmail(ctx, "mod@EXAMPLE.org"); err != nil || byEmail.ID != account.ID {
			t.Errorf("lookup in other case: got %+v, %v", byEmail, err)
		}
		if err := st.SetStaffPassword(ctx, model.NewID(), "h"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("password of unknown account: got %v, want ErrNotFound", err)
		}

		first, err := st.SetStaffRole(ctx, account.ID, acme.ID, model.RoleModerator)
		if err != nil {
			t.Fatal(err)
		}
		second, err := st.SetStaffRole(ctx, account.ID, acme.ID, model.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if second.ID != first.ID || second.Role != model.RoleAdmin || !second.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("second grant should replace the role in place: first %+v, second %+v", first, second)
		}
		roles, err := st.StaffRoles(ctx, account.ID)
		if err != nil || len(roles) != 1 || roles[0].OrganisationSlug != "acme" || roles[0].Role != model.RoleAdmin {
			t.Errorf("roles: got %+v, %v", roles, err)
		}

		if err := st.InsertInstanceSetting(ctx, "k", "v1"); err != nil {
			t.Fatal(err)
		}
		if err := st.InsertInstanceSetting(ctx, "k", "v2"); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("second insert of a setting: got %v, want ErrDuplicate", err)
		}
		if setting, err := st.InstanceSetting(ctx, "k"); err != nil || setting.Value != "v1" {
			t.Errorf("setting: got %+v, %v", setting, err)
		}
	})
}

func TestGroupQueries(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		acme, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		beta, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "beta", Name: "Beta"})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range []struct{ org, slug string }{{beta.ID, "zeta"}, {acme.ID, "lobby"}, {acme.ID, "chat"}} {
			if _, err := st.CreateGroup(ctx, model.Group{OrganisationID: g.org, Slug: g.slug, Name: g.slug, PostingPolicy: model.PostingFollowers}); err != nil {
				t.Fatal(err)
			}
		}
		all, err := st.ListGroups(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, g := range all {
			got = append(got, g.OrganisationSlug+"/"+g.Slug)
		}
		if want := "[acme/chat acme/lobby beta/zeta]"; fmt.Sprint(got) != want {
			t.Errorf("all groups: got %v, want %s", got, want)
		}
		onlyBeta, err := st.ListGroups(ctx, beta.ID)
		if err != nil || len(onlyBeta) != 1 || onlyBeta[0].Slug != "zeta" {
			t.Errorf("beta's groups: got %+v, %v", onlyBeta, err)
		}
		lobby, err := st.GroupBySlug(ctx, "lobby")
		if err != nil || lobby.OrganisationSlug != "acme" || lobby.OrganisationID != acme.ID || lobby.CreatedAt.IsZero() {
			t.Errorf("lobby: got %+v, %v", lobby, err)
		}
		if _, err := st.GroupBySlug(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown group: got %v, want ErrNotFound", err)
		}

		if _, err := st.ActiveGroupKey(ctx, lobby.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("key before creation: got %v, want ErrNotFound", err)
		}
		created, err := st.CreateSigningKey(ctx, model.SigningKey{OwnerKind: model.OwnerGroup, GroupID: &lobby.ID,
			KeySuffix: model.MainKeySuffix, PublicPEM: "p", PrivatePEM: "k"})
		if err != nil {
			t.Fatal(err)
		}
		if key, err := st.ActiveGroupKey(ctx, lobby.ID); err != nil || key.ID != created.ID {
			t.Errorf("active key: got %+v, %v", key, err)
		}
		if _, err := st.ActiveInstanceKey(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("instance key before creation: got %v, want ErrNotFound", err)
		}

		for _, action := range []model.LogAction{"first", "second", "third"} {
			if _, err := st.RecordModerationAction(ctx, store.LogEntry{OrganisationID: &acme.ID, GroupID: &lobby.ID,
				Action: action, TargetKind: model.TargetGroup, TargetID: lobby.ID}); err != nil {
				t.Fatal(err)
			}
		}
		log, err := st.ModerationLog(ctx, store.ModerationLogFilter{GroupID: lobby.ID, Limit: 2})
		if err != nil || len(log) != 2 || log[0].Action != "third" || log[1].Action != "second" || log[0].Metadata != "{}" {
			t.Errorf("moderation log, newest first: got %+v, %v", log, err)
		}
		if other, err := st.ModerationLog(ctx, store.ModerationLogFilter{OrganisationID: beta.ID}); err != nil || len(other) != 0 {
			t.Errorf("beta's log: got %+v, %v", other, err)
		}
	})
}
