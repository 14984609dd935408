package admin

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
)

// errNoOutreach: the reader manages no organisation and moderates no group, so has no campaigns or
// calendar to open.
var errNoOutreach = apperror.Forbidden("you run no organisation's groups, so have no campaigns or calendar to see")

func (a *Admin) archiveCampaign(c *gin.Context) {
	a.changeCampaign(c, "Campaign archived: posts and events can no longer choose it.", func(ctx context.Context, id string, staffID *string) error {
		_, err := a.cfg.Campaigns.Archive(ctx, id, staffID)
		return err
	})
}

func (a *Admin) unarchiveCampaign(c *gin.Context) {
	a.changeCampaign(c, "Campaign open again.", func(ctx context.Context, id string, staffID *string) error {
		_, err := a.cfg.Campaigns.Unarchive(ctx, id, staffID)
		return err
	})
}

// deleteCampaign removes the campaign and goes back to the list: its posts and events stay.
func (a *Admin) deleteCampaign(c *gin.Context) {
	o, campaign, ok := a.campaignToChange(c)
	if !ok {
		return
	}
	if err := a.cfg.Campaigns.Delete(c.Request.Context(), campaign.ID, staffID(c)); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, organisationURL(o.Org.Slug, "campaigns"), "Campaign "+campaign.Name+" deleted: its posts and events stay, in no campaign.")
}

// changeCampaign runs one change on the campaign the path names and goes back to its page.
func (a *Admin) changeCampaign(c *gin.Context, notice string, change func(ctx context.Context, id string, staffID *string) error) {
	o, campaign, ok := a.campaignToChange(c)
	if !ok {
		return
	}
	if err := change(c.Request.Context(), campaign.ID, staffID(c)); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, campaignURL(o.Org.Slug, campaign.ID), notice)
}

// campaignToChange loads the campaign the path names for a reader who may change campaigns.
func (a *Admin) campaignToChange(c *gin.Context) (outreach, model.Campaign, bool) {
	o, ok := a.outreachOf(c)
	if !ok || !a.requireCampaignEditor(c, o) {
		return o, model.Campaign{}, false
	}
	campaign, ok := a.campaignOf(c, o)
	return o, campaign, ok
}
