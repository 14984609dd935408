package admin

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/model"
)

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
	var staffIDs []string
	for _, e := range entries {
		if e.StaffAccountID != nil {
			staffIDs = append(staffIDs, *e.StaffAccountID)
		}
	}
	names, err := a.cfg.Store.StaffEmails(ctx, staffIDs)
	if err != nil {
		a.fail(c, err)
		return
	}
	for _, e := range entries {
		// An entry in no one's name is Kring's own (a scheduled post that came back, say).
		page.Log = append(page.Log, reviewEntry{PostDraftReview: e, Who: staffNamed(names, e.StaffAccountID, "Kring")})
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
