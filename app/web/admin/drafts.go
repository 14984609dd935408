package admin

import (
	"context"
	"errors"

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
	var authorIDs []string
	for _, d := range drafts {
		if d.AuthorStaffID != nil {
			authorIDs = append(authorIDs, *d.AuthorStaffID)
		}
	}
	authors, err := a.cfg.Store.StaffEmails(ctx, authorIDs)
	if err != nil {
		return nil, err
	}
	out := make([]keptDraft, 0, len(drafts))
	for _, d := range drafts {
		content, err := conversations.DecodeDraft(d.Content)
		if err != nil {
			return nil, err
		}
		k := keptDraft{PostDraft: d, Draft: content, Also: map[string]bool{}, Author: staffNamed(authors, d.AuthorStaffID, formerStaff)}
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
		out = append(out, k)
	}
	return out, nil
}

// formerStaff names an author whose account is gone.
const formerStaff = "a former staff member"

// staffNamed is how a staff member is named on the drafts' pages: by e-mail address, from emails
// (store.StaffEmails); unknown when id is nil, former staff when the account is gone.
func staffNamed(emails map[string]string, id *string, unknown string) string {
	if id == nil {
		return unknown
	}
	if email, ok := emails[*id]; ok {
		return email
	}
	return formerStaff
}
