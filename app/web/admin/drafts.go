package admin

import (
	"context"
	"errors"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

func (a *Admin) mountDrafts(r gin.IRouter) {
	r.GET("/drafts", a.draftsList)
	r.POST("/drafts/review-setting", a.setReviewRequired)
	r.GET("/drafts/:id", a.draftPage)
	r.GET("/drafts/:id/edit", a.editDraft)
	r.POST("/drafts/:id/edit", a.saveDraft)
	r.POST("/drafts/:id/approve", a.approveDraft)
	r.POST("/drafts/:id/request-changes", a.requestChanges)
	r.POST("/drafts/:id/comment", a.commentOnDraft)
	r.POST("/drafts/:id/cancel", a.cancelDraft)
	r.POST("/drafts/:id/delete", a.deleteDraft)
}

// keptDraft is a draft with what its pages show of it.
type keptDraft struct {
	model.PostDraft
	Draft  conversations.Draft
	Groups []store.GroupInOrganisation
	// Home is the first of its groups: the compose form's own; Also the others, ticked.
	Home   store.GroupInOrganisation
	Also   map[string]bool
	Author string
}

// TextHTML is the draft's text as its post will show it.
func (k keptDraft) TextHTML() string { return textinput.TextToHTML(k.Draft.Text) }

// draftToWorkOn loads the draft the path names. Only staff who may write in every one of its groups
// see it or act on it: a moderator of one group must not read or publish in another through a draft.
func (a *Admin) draftToWorkOn(c *gin.Context) (keptDraft, bool) {
	ctx := c.Request.Context()
	draft, err := a.cfg.Store.DraftByID(ctx, c.Param("id"))
	if errors.Is(err, store.ErrNotFound) {
		err = apperror.NotFound("draft not found")
	}
	var kept []keptDraft
	if err == nil {
		kept, err = a.describeDrafts(ctx, []model.PostDraft{draft})
	}
	if err == nil {
		err = access.Require(mayWriteInAll(principalOf(c), kept[0].Groups))
	}
	if err != nil {
		a.fail(c, err)
		return keptDraft{}, false
	}
	return kept[0], true
}

func mayWriteInAll(p access.Principal, groups []store.GroupInOrganisation) bool {
	for _, g := range groups {
		if !p.Moderates(g.Group) {
			return false
		}
	}
	return len(groups) > 0
}

// describeDrafts reads what the pages show of drafts: their content, groups and authors.
func (a *Admin) describeDrafts(ctx context.Context, drafts []model.PostDraft) ([]keptDraft, error) {
	ids := make([]string, len(drafts))
	for i, d := range drafts {
		ids[i] = d.ID
	}
	groupIDs, err := a.cfg.Store.DraftGroupIDs(ctx, ids...)
	if err != nil {
		return nil, err
	}
	var all []string
	for _, gs := range groupIDs {
		all = append(all, gs...)
	}
	groups, err := a.cfg.Store.GroupsInScope(ctx, store.GroupScope{GroupIDs: all})
	if err != nil {
		return nil, err
	}
	byID := map[string]store.GroupInOrganisation{}
	for _, g := range groups {
		byID[g.ID] = g
	}
	authors := map[string]string{}
	out := make([]keptDraft, 0, len(drafts))
	for _, d := range drafts {
		content, err := conversations.DecodeDraft(d.Content)
		if err != nil {
			return nil, err
		}
		k := keptDraft{PostDraft: d, Draft: content, Also: map[string]bool{}, Author: "a former staff member"}
		for i, id := range groupIDs[d.ID] {
			g, ok := byID[id]
			if !ok {
				continue
			}
			k.Groups = append(k.Groups, g)
			if i == 0 {
				k.Home = g
			} else {
				k.Also[id] = true
			}
		}
		if d.AuthorStaffID != nil {
			if _, known := authors[*d.AuthorStaffID]; !known {
				authors[*d.AuthorStaffID] = a.staffName(ctx, *d.AuthorStaffID)
			}
			k.Author = authors[*d.AuthorStaffID]
		}
		out = append(out, k)
	}
	return out, nil
}

// staffName is how a staff member is named on the drafts' pages: by e-mail address.
func (a *Admin) staffName(ctx context.Context, id string) string {
	account, err := a.cfg.Store.StaffAccountByID(ctx, id)
	if err != nil {
		return "a former staff member"
	}
	return account.Email
}

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

// draftPage shows one draft: what it says, where and when it goes, and its review log.
type draftPage struct {
	keptDraft
	Log           []reviewEntry
	RequireReview bool
	// MayApprove: the reader is not its author and it waits for review.
	MayApprove bool
}

type reviewEntry struct {
	model.PostDraftReview
	Who string
}

// Says is what the entry records, in words.
func (e reviewEntry) Says() string {
	switch e.Kind {
	case model.ReviewApprove:
		return "approved"
	case model.ReviewRequestChanges:
		return "asked for changes"
	case model.ReviewSubmit:
		return "submitted it for review"
	case model.ReviewSchedule:
		return "scheduled it"
	case model.ReviewCancel:
		return "took it back"
	case model.ReviewPublish:
		return "published it"
	}
	return "commented"
}

func (a *Admin) draftPage(c *gin.Context) {
	kept, ok := a.draftToWorkOn(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	entries, err := a.cfg.Store.DraftReviews(ctx, kept.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	org, err := a.cfg.Store.OrganisationByID(ctx, kept.OrganisationID)
	if err != nil {
		a.fail(c, err)
		return
	}
	page := draftPage{keptDraft: kept, RequireReview: org.RequireReview}
	names := map[string]string{}
	for _, e := range entries {
		who := "Kring"
		if e.StaffAccountID != nil {
			if _, ok := names[*e.StaffAccountID]; !ok {
				names[*e.StaffAccountID] = a.staffName(ctx, *e.StaffAccountID)
			}
			who = names[*e.StaffAccountID]
		}
		page.Log = append(page.Log, reviewEntry{PostDraftReview: e, Who: who})
	}
	me := sessionOf(c).Account.ID
	page.MayApprove = kept.State == model.DraftInReview && (kept.AuthorStaffID == nil || *kept.AuthorStaffID != me)
	a.render(c, "draft.html", "Draft for "+kept.Home.Name, page)
}

func (a *Admin) approveDraft(c *gin.Context) {
	a.reviewAction(c, func(ctx context.Context, id string) (string, error) {
		outcome, err := a.cfg.Drafts.Approve(ctx, id, staffID(c), c.PostForm("comment"))
		return "Approved. " + outcomeNotice(outcome), err
	})
}

func (a *Admin) requestChanges(c *gin.Context) {
	a.reviewAction(c, func(ctx context.Context, id string) (string, error) {
		return "Sent back to its writer with your comment.", a.cfg.Drafts.RequestChanges(ctx, id, staffID(c), c.PostForm("comment"))
	})
}

func (a *Admin) commentOnDraft(c *gin.Context) {
	a.reviewAction(c, func(ctx context.Context, id string) (string, error) {
		return "Comment added.", a.cfg.Drafts.Comment(ctx, id, staffID(c), c.PostForm("comment"))
	})
}

func (a *Admin) cancelDraft(c *gin.Context) {
	a.reviewAction(c, func(ctx context.Context, id string) (string, error) {
		return "Taken back: it is a draft again and goes nowhere until it is sent.", a.cfg.Drafts.Cancel(ctx, id, staffID(c))
	})
}

func (a *Admin) deleteDraft(c *gin.Context) {
	kept, ok := a.draftToWorkOn(c)
	if !ok {
		return
	}
	if err := a.cfg.Drafts.Delete(c.Request.Context(), kept.ID); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/drafts", "Draft deleted.")
}

// reviewAction runs act on the draft the path names, for staff who may write in all its groups,
// and comes back to the draft's page with act's notice.
func (a *Admin) reviewAction(c *gin.Context, act func(ctx context.Context, id string) (string, error)) {
	kept, ok := a.draftToWorkOn(c)
	if !ok {
		return
	}
	notice, err := act(c.Request.Context(), kept.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, draftURL(kept.ID), notice)
}
