package campaigns_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kring-social/kring/app/campaigns"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// fixture is two organisations, acme (groups lobby and desk) and other (group away), a staff
// member, and the service under test.
type fixture struct {
	t                 *testing.T
	ctx               context.Context
	st                *store.Store
	service           *campaigns.Service
	acme, other       model.Organisation
	lobby, desk, away model.Group
	staffID           *string
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), st: st, service: campaigns.NewService(st)}
	for _, org := range []struct {
		slug string
		into *model.Organisation
	}{{"acme", &f.acme}, {"other", &f.other}} {
		created, err := st.CreateOrganisation(f.ctx, model.Organisation{Slug: org.slug, Name: org.slug})
		if err != nil {
			t.Fatal(err)
		}
		*org.into = created
	}
	groupService := testenv.Groups(t, st)
	for _, g := range []struct {
		org, slug string
		into      *model.Group
	}{{"acme", "lobby", &f.lobby}, {"acme", "desk", &f.desk}, {"other", "away", &f.away}} {
		created, err := groupService.CreateGroup(f.ctx, groups.NewGroup{OrganisationSlug: g.org, Slug: g.slug, Name: "The " + g.slug})
		if err != nil {
			t.Fatal(err)
		}
		*g.into = created
	}
	staff, err := st.CreateStaffAccount(f.ctx, model.StaffAccount{Email: "staff@acme.test", PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	f.staffID = &staff.ID
	return f
}

func (f *fixture) campaign(org model.Organisation, name, hashtag string) model.Campaign {
	f.t.Helper()
	c, err := f.service.Create(f.ctx, org.ID, f.staffID, campaigns.Input{Name: name, Hashtag: hashtag})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// post is a post the group published itself at the time, in the publication and campaign given
// (nil for none).
func (f *fixture) post(group model.Group, text string, at time.Time, publication, campaignID *string) model.Post {
	f.t.Helper()
	id := model.NewID()
	post, err := f.st.CreatePost(f.ctx, model.Post{ID: id, GroupID: group.ID, ObjectIRI: "https://kring.example/p/" + id,
		AuthorKind: model.AuthorGroup, ObjectType: "Note", ContentHTML: "<p>" + text + "</p>", Visibility: model.VisibilityPublic,
		State: model.PostVisible, PublishedAt: at, PublicationID: publication, CampaignID: campaignID})
	if err != nil {
		f.t.Fatal(err)
	}
	return post
}

func (f *fixture) event(group model.Group, title string, at time.Time, campaignID *string) model.Event {
	f.t.Helper()
	id := model.NewID()
	event, err := f.st.CreateEvent(f.ctx, model.Event{ID: id, GroupID: group.ID, ObjectIRI: "https://kring.example/e/" + id,
		Title: title, StartsAt: at, TimeZone: "UTC", JoinMode: model.JoinOpen, Status: model.EventConfirmed,
		PublishedAt: at.Add(-time.Hour), CampaignID: campaignID})
	if err != nil {
		f.t.Fatal(err)
	}
	return event
}

// draft is a draft of text for the groups, in the state, to go out at publishAt (nil: no time).
func (f *fixture) draft(text string, state model.DraftState, publishAt *time.Time, campaignID *string, in ...model.Group) model.PostDraft {
	f.t.Helper()
	content, _ := json.Marshal(map[string]any{"Text": text})
	now := time.Now().UTC()
	var at *time.Time
	if publishAt != nil {
		utc := publishAt.UTC()
		at = &utc
	}
	draft := model.PostDraft{ID: model.NewID(), OrganisationID: in[0].OrganisationID, CampaignID: campaignID, Content: string(content),
		State: state, Revision: 1, PublishAt: at, TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := f.st.DB().Create(&draft).Error; err != nil {
		f.t.Fatal(err)
	}
	for _, g := range in {
		if err := f.st.DB().Create(&model.PostDraftGroup{DraftID: draft.ID, GroupID: g.ID}).Error; err != nil {
			f.t.Fatal(err)
		}
	}
	return draft
}

func ptr[T any](v T) *T { return &v }
