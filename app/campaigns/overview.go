package campaigns

import (
	"context"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// overviewLimit bounds each list of a campaign's page; the counts count everything.
const overviewLimit = 200

// Overview is a campaign's page: what went out in it (newest first), its events and its drafts
// waiting to go out (soonest first), and how many of each there are, in the groups a reader sees.
type Overview struct {
	Campaign     model.Campaign
	Counts       store.CampaignCounts
	Publications []Entry
	Events       []Entry
	Drafts       []Entry
}

// Overview gathers the page of the campaign the scope names, in the scope's groups. The caller has
// loaded the campaign and checked it is the scope organisation's.
func (s *Service) Overview(ctx context.Context, scope Scope, campaign model.Campaign) (Overview, error) {
	view := Overview{Campaign: campaign}
	filter := store.OutreachFilter{OrganisationID: scope.OrganisationID, GroupIDs: scope.GroupIDs, CampaignID: campaign.ID, Limit: overviewLimit}
	var err error
	if view.Counts, err = s.store.CountCampaign(ctx, campaign.ID, scope.GroupIDs); err != nil {
		return view, err
	}
	events, err := s.store.EventsOfGroups(ctx, filter)
	if err != nil {
		return view, err
	}
	drafts, err := s.store.WaitingDrafts(ctx, filter)
	if err != nil {
		return view, err
	}
	filter.Newest = true
	posts, err := s.store.SentGroupPosts(ctx, filter)
	if err != nil {
		return view, err
	}
	view.Publications, view.Events, view.Drafts = publicationEntries(posts), eventEntries(events), draftEntries(drafts)
	sortEntries(view.Drafts)
	return view, nil
}
