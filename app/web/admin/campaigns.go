package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/campaigns"
	"github.com/kring-social/kring/app/model"
)

// campaignsPage lists an organisation's campaigns, open ones first.
type campaignsPage struct {
	Outreach  outreach
	Campaigns []model.Campaign
}

// campaignPage is one campaign: what went out in it, its events, its drafts waiting to go out.
type campaignPage struct {
	Outreach outreach
	campaigns.Overview
}

func (a *Admin) mountCampaigns(r gin.IRouter) {
	r.GET("/campaigns", a.firstOrganisationOutreach("campaigns"))
	r.GET("/organisations/:slug/campaigns", a.campaignsList)
	r.GET("/organisations/:slug/campaigns/new", a.newCampaign)
	r.POST("/organisations/:slug/campaigns", a.createCampaign)
	r.GET("/organisations/:slug/campaigns/:id", a.campaign)
	r.GET("/organisations/:slug/campaigns/:id/edit", a.editCampaign)
	r.POST("/organisations/:slug/campaigns/:id", a.saveCampaign)
	r.POST("/organisations/:slug/campaigns/:id/archive", a.archiveCampaign)
	r.POST("/organisations/:slug/campaigns/:id/unarchive", a.unarchiveCampaign)
	r.POST("/organisations/:slug/campaigns/:id/delete", a.deleteCampaign)
}

// organisationURL is the page of an organisation's outreach: page is "campaigns", "calendar", or a
// campaign's path under campaigns.
func organisationURL(slug, page string) string { return "/admin/organisations/" + slug + "/" + page }

func campaignURL(slug, campaignID string) string {
	return organisationURL(slug, "campaigns/"+campaignID)
}

// firstOrganisationOutreach sends the navigation's links on to the page of the first organisation
// whose outreach the reader may open; the page itself switches between organisations.
func (a *Admin) firstOrganisationOutreach(page string) gin.HandlerFunc {
	return func(c *gin.Context) {
		orgs, err := a.outreachOrganisations(c.Request.Context(), principalOf(c))
		if err == nil && len(orgs) == 0 {
			err = errNoOutreach
		}
		if err != nil {
			a.fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, organisationURL(orgs[0].Slug, page))
	}
}

func (a *Admin) campaignsList(c *gin.Context) {
	o, ok := a.outreachOf(c)
	if !ok {
		return
	}
	list, err := a.cfg.Store.CampaignsOf(c.Request.Context(), o.Org.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, "campaigns.html", "Campaigns of "+o.Org.Name, campaignsPage{Outreach: o, Campaigns: list})
}

func (a *Admin) campaign(c *gin.Context) {
	o, ok := a.outreachOf(c)
	if !ok {
		return
	}
	found, ok := a.campaignOf(c, o)
	if !ok {
		return
	}
	overview, err := a.cfg.Campaigns.Overview(c.Request.Context(), o.scope(found.ID), found)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, "campaign.html", found.Name, campaignPage{Outreach: o, Overview: overview})
}
