package groups_test

import (
	"context"
	"testing"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// rulesSyncs records the rules-post syncs the groups service asks for, and the rules another
// connection reads at that moment (what has committed).
type rulesSyncs struct {
	st    *store.Store
	calls []rulesSync
}

type rulesSync struct {
	group, rules string
	staff        *string
}

func (r *rulesSyncs) SyncRulesPost(ctx context.Context, groupID string, staffID *string) error {
	group, err := r.st.GroupByID(context.Background(), groupID)
	if err != nil {
		return err
	}
	r.calls = append(r.calls, rulesSync{group: groupID, rules: group.Rules, staff: staffID})
	return nil
}

// Creating a group and editing one both bring its rules post in step, after the change committed and
// in the name of the staff member who made it (none from the command line), whoever calls the
// service: the admin, the command line.
func TestGroupChangesSyncTheRulesPost(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	ctx := context.Background()
	createOrganisation(t, st, "acme")
	staff, err := st.CreateStaffAccount(ctx, model.StaffAccount{Email: "admin@acme.test", PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	syncs := &rulesSyncs{st: st}
	svc := testenv.Groups(t, st).WithRulesPost(syncs)

	created, err := svc.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby", Rules: "Be kind."})
	if err != nil {
		t.Fatal(err)
	}
	settings := groups.SettingsOf(created)
	settings.Rules = "Be kind. No ads."
	if _, err := svc.EditGroup(ctx, created.ID, settings, staff.ID); err != nil {
		t.Fatal(err)
	}
	if len(syncs.calls) != 2 || syncs.calls[0].group != created.ID || syncs.calls[0].staff != nil || syncs.calls[0].rules != "Be kind." ||
		syncs.calls[1].group != created.ID || syncs.calls[1].staff == nil || *syncs.calls[1].staff != staff.ID ||
		syncs.calls[1].rules != "Be kind. No ads." {
		t.Fatalf("syncs %+v, want one for the creation (no staff) and one for the edit (by %s), each seeing its rules committed", syncs.calls, staff.ID)
	}
}
