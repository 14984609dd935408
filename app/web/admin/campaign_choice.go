package admin

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
)

// readCampaignChoice reads the Write form's campaign into draft: one campaign_id, or none. Whether
// the post may name it is the publishing service's to check.
func readCampaignChoice(c *gin.Context, draft *conversations.Draft) error {
	campaignID, err := oneValue("campaign_id", c.PostFormArray("campaign_id"))
	draft.CampaignID = campaignID
	return err
}

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
