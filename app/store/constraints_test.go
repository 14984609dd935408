package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestSchemaRefusesWhatItMust checks the unique indexes, CHECK constraints and foreign keys on both
// engines: the schema, not only the services, keeps the data sane.
func TestSchemaRefusesWhatItMust(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now()
		acme, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "other", Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		lobby, err := st.CreateGroup(ctx, model.Group{OrganisationID: acme.ID, Slug: "lobby", Name: "Lobby", PostingPolicy: model.PostingFollowers})
		if err != nil {
			t.Fatal(err)
		}
		staff, err := st.CreateStaffAccount(ctx, model.StaffAccount{Email: "a@example.org", PasswordHash: "h"})
		if err != nil {
			t.Fatal(err)
		}
		block := func(org *string, domain string) *model.DomainBlock {
			return &model.DomainBlock{ID: model.NewID(), OrganisationID: org, Domain: domain, Severity: model.SeveritySuspend,
				CreatedAt: now, UpdatedAt: now}
		}
		key := func(kind model.KeyOwnerKind, group *string) *model.SigningKey {
			return &model.SigningKey{ID: model.NewID(), OwnerKind: kind, GroupID: group, KeySuffix: model.MainKeySuffix,
				PublicPEM: "p", PrivatePEM: "k", CreatedAt: now}
		}
		// Set up rows that the cases below collide with.
		for _, row := range []any{block(nil, "bad.example"), block(&acme.ID, "bad.example"),
			key(model.OwnerInstance, nil), key(model.OwnerGroup, &lobby.ID)} {
			if err := st.DB().Create(row).Error; err != nil {
				t.Fatalf("set up %T: %v", row, err)
			}
		}

		cases := []struct {
			name      string
			row       any
			duplicate bool // refused by a unique index (else: by a CHECK or foreign key)
			allowed   bool
		}{
			{"second instance-wide block of a domain", block(nil, "bad.example"), true, false},
			{"second block of a domain by one organisation", block(&acme.ID, "bad.example"), true, false},
			{"same domain blocked by another organisation", block(&other.ID, "bad.example"), false, true},
			{"instance-wide block of another domain", block(nil, "worse.example"), false, true},
			{"unknown severity", &model.DomainBlock{ID: model.NewID(), Domain: "x.example", Severity: "mute", CreatedAt: now, UpdatedAt: now}, false, false},
			{"second active instance key", key(model.OwnerInstance, nil), true, false},
			{"second active key of a group", key(model.OwnerGroup, &lobby.ID), true, false},
			{"retired key beside the active one", &model.SigningKey{ID: model.NewID(), OwnerKind: model.OwnerGroup, GroupID: &lobby.ID,
				KeySuffix: "old", PublicPEM: "p", PrivatePEM: "k", CreatedAt: now, RetiredAt: &now}, false, true},
			{"group key without a group", key(model.OwnerGroup, nil), false, false},
			{"instance key naming a group", key(model.OwnerInstance, &lobby.ID), false, false},
			{"group slug taken in another organisation", &model.Group{ID: model.NewID(), OrganisationID: other.ID, Slug: "lobby",
				Name: "L", PostingPolicy: model.PostingFollowers, CreatedAt: now, UpdatedAt: now}, true, false},
			{"unknown posting policy", &model.Group{ID: model.NewID(), OrganisationID: acme.ID, Slug: "g2", Name: "G",
				PostingPolicy: "everyone", CreatedAt: now, UpdatedAt: now}, false, false},
			{"group of an unknown organisation", &model.Group{ID: model.NewID(), OrganisationID: model.NewID(), Slug: "g3", Name: "G",
				PostingPolicy: model.PostingFollowers, CreatedAt: now, UpdatedAt: now}, false, false},
			{"unknown role", &model.StaffRole{ID: model.NewID(), StaffAccountID: staff.ID, OrganisationID: acme.ID,
				Role: "root", CreatedAt: now, UpdatedAt: now}, false, false},
			{"role in an unknown organisation", &model.StaffRole{ID: model.NewID(), StaffAccountID: staff.ID, OrganisationID: model.NewID(),
				Role: model.RoleAdmin, CreatedAt: now, UpdatedAt: now}, false, false},
			{"remote-authored post without an author", &model.Post{ID: model.NewID(), GroupID: lobby.ID, ObjectIRI: "https://r.example/1",
				AuthorKind: model.AuthorRemote, ObjectType: "Note", Visibility: model.VisibilityPublic, State: model.PostVisible,
				PublishedAt: now, CreatedAt: now, UpdatedAt: now}, false, false},
		}
		for _, c := range cases {
			err := st.DB().WithContext(ctx).Create(c.row).Error
			switch {
			case c.allowed && err != nil:
				t.Errorf("%s: refused: %v", c.name, err)
			case !c.allowed && err == nil:
				t.Errorf("%s: accepted", c.name)
			case !c.allowed && c.duplicate && !errors.Is(store.ClassifyForTest(err), store.ErrDuplicate):
				t.Errorf("%s: refused, but not as a duplicate: %v", c.name, err)
			case !c.allowed && !c.duplicate && errors.Is(store.ClassifyForTest(err), store.ErrDuplicate):
				t.Errorf("%s: refused as a duplicate, expected a CHECK or foreign key: %v", c.name, err)
			}
		}
	})
}

// TestOrganisationCannotBeDeletedWithGroups: groups other servers know must be retired on purpose.
func TestOrganisationCannotBeDeletedWithGroups(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		acme, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateGroup(ctx, model.Group{OrganisationID: acme.ID, Slug: "lobby", Name: "Lobby", PostingPolicy: model.PostingFollowers}); err != nil {
			t.Fatal(err)
		}
		if err := st.DB().Delete(&model.Organisation{}, "id = ?", acme.ID).Error; err == nil {
			t.Fatal("deleted an organisation that still has a group")
		}
	})
}

// TestTimesSortInOrder: SQLite compares the stored text, so times of every fraction width must sort
// and compare as instants do.
func TestTimesSortInOrder(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ordered := []time.Time{wholeSecond, micros, tenths, tenths.Add(time.Microsecond), trailing}
		// Insert out of order so the result cannot come back in insertion order by accident.
		for _, i := range []int{3, 0, 4, 2, 1} {
			row := model.ModerationAction{ID: model.NewID(), Action: "test", TargetKind: "t", TargetID: "x", Metadata: "{}",
				CreatedAt: ordered[i]}
			if err := st.DB().WithContext(ctx).Create(&row).Error; err != nil {
				t.Fatal(err)
			}
		}
		var got []model.ModerationAction
		if err := st.DB().WithContext(ctx).Order("created_at").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		for i, row := range got {
			if !row.CreatedAt.Equal(ordered[i]) {
				t.Errorf("position %d: got %s, want %s", i, row.CreatedAt.Format(time.RFC3339Nano), ordered[i].Format(time.RFC3339Nano))
			}
		}
		var before int64
		if err := st.DB().WithContext(ctx).Model(&model.ModerationAction{}).Where("created_at < ?", tenths).Count(&before).Error; err != nil {
			t.Fatal(err)
		}
		if before != 2 {
			t.Errorf("%d entries before %s, want 2", before, tenths.Format(time.RFC3339Nano))
		}
	})
}
