package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// An event names an open campaign of its group's organisation, or none; an edit may keep a campaign
// archived since, but not move the event into another that may not be named.
func TestEventsNameOpenCampaignsOfTheirOrganisation(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newFixture(t, st)
		other, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "other", Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		campaign := func(organisationID, name string, archived bool) model.Campaign {
			c := model.Campaign{OrganisationID: organisationID, Name: name}
			if archived {
				now := time.Now()
				c.ArchivedAt = &now
			}
			created, err := st.CreateCampaign(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			return created
		}
		spring := campaign(f.group.OrganisationID, "Spring", false)
		autumn := campaign(f.group.OrganisationID, "Autumn", false)
		over := campaign(f.group.OrganisationID, "Over", true)
		foreign := campaign(other.ID, "Theirs", false)
		draft := func(campaignID string) events.Draft {
			return events.Draft{Title: "Picnic", Start: time.Now().Add(72 * time.Hour), TimeZone: "Europe/Amsterdam",
				PlaceName: "The park", CampaignID: campaignID}
		}
		refused := func(what string, err error) {
			t.Helper()
			if apperror.KindOf(err) != apperror.KindInvalid {
				t.Errorf("%s: %v, want invalid", what, err)
			}
		}
		for name, id := range map[string]string{"another organisation's": foreign.ID, "archived": over.ID, "unknown": model.NewID()} {
			_, err := f.service.Create(ctx, f.group.ID, nil, draft(id))
			refused("create in "+name+" campaign", err)
		}
		event, err := f.service.Create(ctx, f.group.ID, nil, draft(spring.ID))
		if err != nil {
			t.Fatal(err)
		}
		inCampaign := func(want *string) {
			t.Helper()
			stored, err := st.EventByID(ctx, event.ID)
			if err != nil {
				t.Fatal(err)
			}
			if (stored.CampaignID == nil) != (want == nil) || (want != nil && *stored.CampaignID != *want) {
				t.Errorf("event in campaign %v, want %v", stored.CampaignID, want)
			}
		}
		inCampaign(&spring.ID)
		if _, err := f.service.Edit(ctx, event.ID, nil, draft(autumn.ID)); err != nil {
			t.Fatal(err)
		}
		inCampaign(&autumn.ID)
		archivedAt := time.Now()
		if err := st.UpdateCampaign(ctx, autumn.ID, store.CampaignChange{ArchivedAt: store.To(&archivedAt)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.service.Edit(ctx, event.ID, nil, draft(autumn.ID)); err != nil {
			t.Errorf("keeping a campaign archived since: %v", err)
		}
		_, err = f.service.Edit(ctx, event.ID, nil, draft(foreign.ID))
		refused("moving into another organisation's campaign", err)
		_, err = f.service.Edit(ctx, event.ID, nil, draft(over.ID))
		refused("moving into an archived campaign", err)
		inCampaign(&autumn.ID)
		if _, err := f.service.Edit(ctx, event.ID, nil, draft("")); err != nil {
			t.Fatal(err)
		}
		inCampaign(nil)
		var stored int64
		if err := st.DB().Model(&model.Event{}).Count(&stored).Error; err != nil || stored != 1 {
			t.Errorf("%d events stored (%v), want the one created", stored, err)
		}
	})
}
