package campaigns_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/campaigns"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// Every change to a campaign is checked and logged in its organisation's moderation log.
func TestCampaignLifecycleIsLogged(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		starts, ends := time.Date(2026, 4, 1, 15, 30, 0, 0, time.FixedZone("x", 5*3600)), time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)
		created, err := f.service.Create(f.ctx, f.acme.ID, f.staffID, campaigns.Input{Name: "  Spring drive ", Hashtag: " Spring2026 ",
			Description: "Doors open\r\nfor all", StartsOn: &starts, EndsOn: &ends})
		if err != nil {
			t.Fatal(err)
		}
		if created.Name != "Spring drive" || created.Hashtag != "Spring2026" || created.Description != "Doors open\nfor all" ||
			created.StartsOn.Format(time.RFC3339) != "2026-04-01T00:00:00Z" || *created.CreatedByStaffID != *f.staffID {
			t.Errorf("created %+v", created)
		}
		edited, err := f.service.Edit(f.ctx, created.ID, f.staffID, campaigns.Input{Name: "Spring drive 2026", Hashtag: "spring_drive"})
		if err != nil {
			t.Fatal(err)
		}
		if edited.Name != "Spring drive 2026" || edited.Hashtag != "spring_drive" || edited.StartsOn != nil {
			t.Errorf("edited %+v", edited)
		}
		if _, err := f.service.Archive(f.ctx, created.ID, f.staffID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.service.Archive(f.ctx, created.ID, f.staffID); apperror.KindOf(err) != apperror.KindConflict {
			t.Errorf("archiving twice: %v", err)
		}
		reloaded, err := st.CampaignByID(f.ctx, created.ID)
		if err != nil || reloaded.ArchivedAt == nil || reloaded.Name != "Spring drive 2026" {
			t.Fatalf("after archiving: %+v, %v", reloaded, err)
		}
		if _, err := f.service.Unarchive(f.ctx, created.ID, f.staffID); err != nil {
			t.Fatal(err)
		}
		if err := f.service.Delete(f.ctx, created.ID, f.staffID); err != nil {
			t.Fatal(err)
		}
		if err := f.service.Delete(f.ctx, created.ID, f.staffID); apperror.KindOf(err) != apperror.KindNotFound {
			t.Errorf("deleting twice: %v", err)
		}
		log, err := st.ModerationLog(f.ctx, store.ModerationLogFilter{OrganisationID: f.acme.ID})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, entry := range log {
			if entry.TargetKind == model.TargetCampaign && entry.TargetID == created.ID && *entry.StaffAccountID == *f.staffID && entry.GroupID == nil {
				actions = append([]string{string(entry.Action)}, actions...)
			}
		}
		want := "campaign.create campaign.edit campaign.archive campaign.unarchive campaign.delete"
		if strings.Join(actions, " ") != want {
			t.Errorf("logged %v, want %s", actions, want)
		}
	})
}

func TestCampaignInputIsChecked(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		early, late := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC)
		ancient := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			in    campaigns.Input
			field string
		}{
			{campaigns.Input{Name: " "}, "name"},
			{campaigns.Input{Name: strings.Repeat("n", 101)}, "name"},
			{campaigns.Input{Name: "Two\nlines"}, "name"},
			{campaigns.Input{Name: "x", Hashtag: "#spring"}, "hashtag"},
			{campaigns.Input{Name: "x", Hashtag: "spring time"}, "hashtag"},
			{campaigns.Input{Name: "x", Hashtag: strings.Repeat("h", 101)}, "hashtag"},
			{campaigns.Input{Name: "x", Hashtag: "2026"}, "hashtag"},
			{campaigns.Input{Name: "x", Description: strings.Repeat("d", campaigns.MaxDescription+1)}, "description"},
			{campaigns.Input{Name: "x", StartsOn: &late, EndsOn: &early}, "ends_on"},
			{campaigns.Input{Name: "x", StartsOn: &ancient}, "starts_on"},
		} {
			_, err := f.service.Create(f.ctx, f.acme.ID, f.staffID, c.in)
			var appErr *apperror.Error
			if !errors.As(err, &appErr) || appErr.Kind != apperror.KindInvalid || appErr.Field != c.field {
				t.Errorf("%+v: %v, want invalid %s", c.in, err, c.field)
			}
		}
		if _, err := f.service.Create(f.ctx, model.NewID(), f.staffID, campaigns.Input{Name: "x"}); apperror.KindOf(err) != apperror.KindNotFound {
			t.Errorf("campaign of no organisation: %v", err)
		}
		var n int64
		if err := st.DB().Model(&model.Campaign{}).Count(&n).Error; err != nil || n != 0 {
			t.Errorf("%d campaigns stored, %v", n, err)
		}
	})
}

// A name is the organisation's once, in any letter case; another organisation may have it too.
func TestCampaignNamesAreUniquePerOrganisation(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		f.campaign(f.acme, "Spring drive", "")
		autumn := f.campaign(f.acme, "Autumn", "")
		f.campaign(f.other, "Spring drive", "")
		if _, err := f.service.Create(f.ctx, f.acme.ID, f.staffID, campaigns.Input{Name: "SPRING DRIVE"}); apperror.KindOf(err) != apperror.KindConflict {
			t.Errorf("same name in other case: %v", err)
		}
		if _, err := f.service.Edit(f.ctx, autumn.ID, f.staffID, campaigns.Input{Name: "spring drive"}); apperror.KindOf(err) != apperror.KindConflict {
			t.Errorf("renamed onto another's name: %v", err)
		}
		if _, err := f.service.Edit(f.ctx, autumn.ID, f.staffID, campaigns.Input{Name: "AUTUMN"}); err != nil {
			t.Errorf("renaming in another case of its own name: %v", err)
		}
	})
}

// Fifty staff creating one name at once leave one campaign; the others are told it is taken.
func TestParallelCreatesOfOneNameLeaveOne(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		const tries = 50
		errs := make([]error, tries)
		var wg sync.WaitGroup
		for i := range tries {
			wg.Go(func() {
				_, errs[i] = f.service.Create(f.ctx, f.acme.ID, f.staffID, campaigns.Input{Name: "Open day"})
			})
		}
		wg.Wait()
		created := 0
		for _, err := range errs {
			switch {
			case err == nil:
				created++
			case apperror.KindOf(err) != apperror.KindConflict:
				t.Errorf("create: %v, want a conflict", err)
			}
		}
		var stored int64
		if err := st.DB().Model(&model.Campaign{}).Where("organisation_id = ?", f.acme.ID).Count(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if created != 1 || stored != 1 {
			t.Errorf("%d creates succeeded, %d campaigns stored; want 1 and 1", created, stored)
		}
	})
}

// Deleting a campaign keeps what went out in it: its posts, events and drafts lose the campaign.
func TestDeletingACampaignKeepsItsPostsAndEvents(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		c := f.campaign(f.acme, "Spring", "spring")
		at := time.Now()
		post := f.post(f.lobby, "hello", at, nil, &c.ID)
		event := f.event(f.lobby, "Picnic", at, &c.ID)
		draft := f.draft("soon", model.DraftScheduled, &at, &c.ID, f.lobby)
		if err := f.service.Delete(f.ctx, c.ID, f.staffID); err != nil {
			t.Fatal(err)
		}
		gotPost, err := st.PostByID(f.ctx, post.ID)
		if err != nil || gotPost.CampaignID != nil {
			t.Errorf("post after delete: %v, campaign %v", err, gotPost.CampaignID)
		}
		gotEvent, err := st.EventByID(f.ctx, event.ID)
		if err != nil || gotEvent.CampaignID != nil {
			t.Errorf("event after delete: %v, campaign %v", err, gotEvent.CampaignID)
		}
		var gotDraft model.PostDraft
		if err := st.DB().Where("id = ?", draft.ID).Take(&gotDraft).Error; err != nil || gotDraft.CampaignID != nil {
			t.Errorf("draft after delete: %v, campaign %v", err, gotDraft.CampaignID)
		}
	})
}
