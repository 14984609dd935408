package admin

import (
	"context"

	"github.com/kring-social/kring/app/model"
)

// openCampaigns are the organisation's campaigns a post or an event may be put in: the open ones,
// and keep (the one an event is in already, archived since) so editing it does not drop it.
func (a *Admin) openCampaigns(ctx context.Context, organisationID string, keep *string) ([]model.Campaign, error) {
	all, err := a.cfg.Store.CampaignsOf(ctx, organisationID)
	if err != nil {
		return nil, err
	}
	var open []model.Campaign
	for _, c := range all {
		if c.ArchivedAt == nil || (keep != nil && *keep == c.ID) {
			open = append(open, c)
		}
	}
	return open, nil
}
