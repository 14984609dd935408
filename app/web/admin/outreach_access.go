package admin

import (
	"context"
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/campaigns"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// outreach is what one staff member may see and do of an organisation's outreach (its campaigns and
// calendar): its admins see every group's entries and run its campaigns; a moderator sees the
// entries of the groups they moderate, and runs campaigns when they may write in one of its groups
// (campaigns are theirs to use). Staff without either are refused.
type outreach struct {
	Org model.Organisation
	// Groups are the organisation's groups whose entries the reader sees.
	Groups []store.GroupInOrganisation
	// MayEdit: the reader creates, edits, archives and deletes the organisation's campaigns.
	MayEdit bool
	// Manages: the reader manages the organisation (and so may read its analytics).
	Manages bool
	// Orgs are the organisations whose outreach the reader may open, this one marked, for the
	// pages' switcher.
	Orgs []orgScope
}

// GroupIDs are the ids of the groups whose entries the reader sees.
func (o outreach) GroupIDs() []string {
	ids := make([]string, len(o.Groups))
	for i, g := range o.Groups {
		ids[i] = g.ID
	}
	return ids
}

// scope is the campaigns service's view of what the reader sees.
func (o outreach) scope(campaignID string) campaigns.Scope {
	return campaigns.Scope{OrganisationID: o.Org.ID, GroupIDs: o.GroupIDs(), CampaignID: campaignID}
}

// outreachOf loads the organisation the path's slug names and what the reader may do of its
// outreach. When the reader may not see it at all, it has answered (403; 404 for no such
// organisation) and returns false.
func (a *Admin) outreachOf(c *gin.Context) (outreach, bool) {
	ctx := c.Request.Context()
	p := principalOf(c)
	org, err := a.cfg.Store.OrganisationBySlug(ctx, c.Param("slug"))
	if errors.Is(err, store.ErrNotFound) {
		err = apperror.NotFound("no organisation %q", c.Param("slug"))
	}
	if err != nil {
		a.fail(c, err)
		return outreach{}, false
	}
	o := outreach{Org: org, MayEdit: p.ManagesOrganisation(org.ID), Manages: p.ManagesOrganisation(org.ID)}
	groups, err := a.cfg.Store.ListGroups(ctx, org.ID)
	if err != nil {
		a.fail(c, err)
		return outreach{}, false
	}
	for _, g := range groups {
		if p.Moderates(g.Group) {
			o.Groups = append(o.Groups, g)
			o.MayEdit = o.MayEdit || g.ArchivedAt == nil
		}
	}
	if err := access.Require(p.ManagesOrganisation(org.ID) || len(o.Groups) > 0); err != nil {
		a.fail(c, err)
		return outreach{}, false
	}
	if o.Orgs, err = a.outreachOrganisations(ctx, p); err != nil {
		a.fail(c, err)
		return outreach{}, false
	}
	for i := range o.Orgs {
		o.Orgs[i].Current = o.Orgs[i].ID == org.ID
	}
	return o, true
}

// requireCampaignEditor refuses, and answers, when the reader may not change campaigns of o's
// organisation.
func (a *Admin) requireCampaignEditor(c *gin.Context, o outreach) bool {
	if err := access.Require(o.MayEdit); err != nil {
		a.fail(c, err)
		return false
	}
	return true
}

// outreachOrganisations lists, by slug, the organisations whose outreach p may open: those they
// manage and those of the groups they moderate.
func (a *Admin) outreachOrganisations(ctx context.Context, p access.Principal) ([]orgScope, error) {
	orgs, err := a.cfg.Store.ListOrganisations(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := a.visibleGroups(ctx, p)
	if err != nil {
		return nil, err
	}
	withGroups := map[string]bool{}
	for _, g := range groups {
		withGroups[g.OrganisationID] = true
	}
	var out []orgScope
	for _, o := range orgs {
		if p.ManagesOrganisation(o.ID) || withGroups[o.ID] {
			out = append(out, orgScope{Slug: o.Slug, Name: o.Name, ID: o.ID})
		}
	}
	return out, nil
}

// campaignOf loads the campaign the path's id names, one of o's organisation's; another
// organisation's is not found. When it fails it has answered.
func (a *Admin) campaignOf(c *gin.Context, o outreach) (model.Campaign, bool) {
	campaign, err := a.cfg.Store.CampaignByID(c.Request.Context(), c.Param("id"))
	if err == nil && campaign.OrganisationID != o.Org.ID {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		err = apperror.NotFound("no such campaign in %s", o.Org.Name)
	}
	if err != nil {
		a.fail(c, err)
		return campaign, false
	}
	return campaign, true
}
