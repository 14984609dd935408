package admin

import (
	"errors"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// draftsPage lists the drafts the staff member may work on, by where they stand.
type draftsPage struct {
	YourReview, Review, Scheduled, Writing, Published []keptDraft
	// Organisations the staff member manages, with their review setting.
	Managed []model.Organisation
}

func (a *Admin) draftsList(c *gin.Context) {
	ctx := c.Request.Context()
	p := principalOf(c)
	orgIDs := p.OrganisationIDs()
	if p.InstanceAdmin() {
		orgs, err := a.cfg.Store.ListOrganisations(ctx)
		if err != nil {
			a.fail(c, err)
			return
		}
		orgIDs = orgIDs[:0]
		for _, o := range orgs {
			orgIDs = append(orgIDs, o.ID)
		}
	}
	rows, err := a.cfg.Store.Drafts(ctx, store.DraftFilter{OrganisationIDs: orgIDs,
		States:         []model.DraftState{model.DraftWriting, model.DraftInReview, model.DraftScheduled, model.DraftPublished},
		PublishedSince: time.Now().AddDate(0, 0, -14), Limit: 500})
	if err != nil {
		a.fail(c, err)
		return
	}
	kept, err := a.describeDrafts(ctx, rows)
	if err != nil {
		a.fail(c, err)
		return
	}
	var page draftsPage
	me := sessionOf(c).Account.ID
	for _, k := range kept {
		if !mayWriteInAll(p, k.Groups) {
			continue
		}
		switch k.State {
		case model.DraftInReview:
			if k.AuthorStaffID != nil && *k.AuthorStaffID == me {
				page.Review = append(page.Review, k)
			} else {
				page.YourReview = append(page.YourReview, k)
			}
		case model.DraftScheduled:
			page.Scheduled = append(page.Scheduled, k)
		case model.DraftWriting:
			page.Writing = append(page.Writing, k)
		case model.DraftPublished:
			page.Published = append(page.Published, k)
		}
	}
	for _, id := range orgIDs {
		if p.ManagesOrganisation(id) {
			org, err := a.cfg.Store.OrganisationByID(ctx, id)
			if err != nil {
				a.fail(c, err)
				return
			}
			page.Managed = append(page.Managed, org)
		}
	}
	a.render(c, "drafts.html", "Drafts and scheduled posts", page)
}

// setReviewRequired turns the organisation's review of drafted posts on or off; its managers' only.
func (a *Admin) setReviewRequired(c *gin.Context) {
	ctx := c.Request.Context()
	org, err := a.cfg.Store.OrganisationBySlug(ctx, c.PostForm("org"))
	if errors.Is(err, store.ErrNotFound) {
		err = apperror.NotFound("organisation not found")
	}
	if err == nil {
		err = access.Require(principalOf(c).ManagesOrganisation(org.ID))
	}
	if err == nil {
		err = a.cfg.Organisations.SetRequireReview(ctx, org.ID, c.PostForm("require") == "on", staffID(c))
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	notice := org.Name + " no longer requires review: staff publish directly."
	if c.PostForm("require") == "on" {
		notice = org.Name + " now requires review: a post goes out once a second staff member approves it."
	}
	a.done(c, "/admin/drafts", notice)
}
