package admin

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// composePage is the form staff write a post of the group's with, new or to edit.
type composePage struct {
	Group store.GroupInOrganisation
	Post  *model.Post // nil for a new post
	Draft conversations.Draft
	// Kept is the draft being edited, nil for a new post or a published one.
	Kept *model.PostDraft
	// RequireReview: the organisation's posts go out once a second staff member approved them.
	RequireReview bool
	// When is the time chosen to send it, as the form's fields hold it.
	When scheduleFields
	// Others are the organisation's other groups the writer may also publish in; Also those chosen.
	Others []store.GroupInOrganisation
	Also   map[string]bool
	// Campaigns are the organisation's open campaigns a new post may belong to.
	Campaigns []model.Campaign
	Error     string
	// Languages are those a post may be marked as; Pictures the form's picture slots; Preview what
	// a Mastodon user would be shown, when the writer asked to see it.
	Languages []textinput.Language
	Pictures  []pictureField
	Preview   *composePreview
	// Answering is the mention of the group by a non-member the post answers, nil when none.
	Answering *composeAnswer
}

func (a *Admin) mountCompose(r gin.IRouter) {
	r.GET("/groups/:slug/compose", a.compose)
	r.POST("/groups/:slug/compose", a.publish)
	r.GET("/groups/:slug/posts/:id/edit", a.editPost)
	r.POST("/groups/:slug/posts/:id/edit", a.saveGroupPost)
	r.POST("/groups/:slug/posts/:id/delete", a.deleteGroupPost)
	r.POST("/groups/:slug/posts/:id/pin", a.pinPost)
	r.POST("/groups/:slug/posts/:id/unpin", a.unpinPost)
}

func (a *Admin) compose(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	draft := conversations.Draft{Language: textinput.DefaultLanguage}
	if err := a.answerDraft(c, group, c.Query("answer"), &draft); err != nil {
		a.fail(c, err)
		return
	}
	a.renderCompose(c, http.StatusOK, group, nil, draft, "")
}

// sisterGroups are the other groups of group's organisation that the logged-in staff member may
// write in as well.
func (a *Admin) sisterGroups(c *gin.Context, group store.GroupInOrganisation) ([]store.GroupInOrganisation, error) {
	visible, err := a.visibleGroups(c.Request.Context(), principalOf(c))
	if err != nil {
		return nil, err
	}
	var out []store.GroupInOrganisation
	for _, g := range visible {
		if g.OrganisationID == group.OrganisationID && g.ID != group.ID && g.ArchivedAt == nil {
			out = append(out, g)
		}
	}
	return out, nil
}

// chosenGroups are the groups the form publishes in: group, and the sister groups ticked. A group
// the staff member may not write in, or of another organisation, is refused, not skipped.
func (a *Admin) chosenGroups(c *gin.Context, group store.GroupInOrganisation) ([]string, map[string]bool, error) {
	sisters, err := a.sisterGroups(c, group)
	if err != nil {
		return nil, nil, err
	}
	allowed := map[string]bool{}
	for _, g := range sisters {
		allowed[g.ID] = true
	}
	ids, also := []string{group.ID}, map[string]bool{}
	for _, id := range c.PostFormArray("also") {
		if !allowed[id] {
			return nil, nil, apperror.Forbidden("you may not publish in group %q", id)
		}
		if !also[id] {
			also[id] = true
			ids = append(ids, id)
		}
	}
	return ids, also, nil
}

// publish sends what the form says on its way, as its button asks: published now as the group (a
// Create to every follower), kept as a draft, scheduled, or, in an organisation that requires
// review, kept and submitted for a second staff member's approval.
func (a *Admin) publish(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	var draft conversations.Draft
	ids, also, err := a.chosenGroups(c, group)
	if err == nil {
		err = readCampaignChoice(c, &draft)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	err = a.readDraftForm(c, &draft)
	if err == nil {
		if err = a.answerDraft(c, group, c.PostForm("answer"), &draft); err != nil {
			a.fail(c, err)
			return
		}
	}
	if err == nil && wantsPreview(c) {
		page := composePage{Group: group, Draft: draft, Also: also}
		a.renderNewCompose(c, a.withPreview(c, &page), page)
		return
	}
	org, orgErr := a.cfg.Store.OrganisationByID(c.Request.Context(), group.OrganisationID)
	if orgErr != nil {
		a.fail(c, orgErr)
		return
	}
	if action := composeAction(c); err == nil && (action != actionPublish || org.RequireReview) {
		a.keepDraft(c, group, ids, also, draft, action)
		return
	}
	if err == nil {
		_, err = a.cfg.Conversations.PublishInGroups(c.Request.Context(), ids, staffID(c), draft)
	}
	if status, problem, refused := formRefusal(err); refused {
		a.renderComposeChosen(c, status, group, draft, also, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	notice := "Published: the group's followers' servers are sent the post."
	if len(ids) > 1 {
		notice = "Published in " + strconv.Itoa(len(ids)) + " groups: each group's followers' servers are sent it."
	}
	a.done(c, "/admin/groups/"+group.Slug+"/posts", notice)
}

// groupPostToEdit loads one of the group's own posts the path names. Posts Kring keeps in step with
// a page of the group's (its rules, its introductions prompt) may only be pinned or unpinned here.
func (a *Admin) groupPostToEdit(c *gin.Context, pinOnly bool) (store.GroupInOrganisation, model.Post, bool) {
	group, post, ok := a.postToModerate(c)
	switch {
	case !ok:
	case post.AuthorKind != model.AuthorGroup:
		a.fail(c, apperror.Invalid("post", "only the group's own posts are edited, pinned or deleted here"))
		return group, post, false
	case keptInStep(group, post) && !pinOnly:
		a.fail(c, apperror.Conflict("post", "the group's rules post and introductions prompt are changed on their own pages"))
		return group, post, false
	}
	return group, post, ok
}

// keptInStep reports whether Kring writes post itself from a page of the group's: its rules, its
// introductions prompt.
func keptInStep(group store.GroupInOrganisation, post model.Post) bool {
	return group.RulesPostID != nil && *group.RulesPostID == post.ID ||
		group.IntroductionsPostID != nil && *group.IntroductionsPostID == post.ID
}

func (a *Admin) editPost(c *gin.Context) {
	group, post, ok := a.groupPostToEdit(c, false)
	if !ok {
		return
	}
	draft, err := a.draftOfPost(c, post)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.renderCompose(c, http.StatusOK, group, &post, draft, "")
}

// saveGroupPost changes the post's words: an Update to every follower.
func (a *Admin) saveGroupPost(c *gin.Context) {
	group, post, ok := a.groupPostToEdit(c, false)
	if !ok {
		return
	}
	var draft conversations.Draft
	err := a.readDraftForm(c, &draft)
	if err == nil && wantsPreview(c) {
		page := composePage{Group: group, Post: &post, Draft: draft}
		a.renderComposePage(c, a.withPreview(c, &page), "Edit a post of "+group.Name, page)
		return
	}
	if err == nil {
		_, err = a.cfg.Conversations.EditGroupPost(c.Request.Context(), post.ID, staffID(c), draft)
	}
	if status, problem, refused := formRefusal(err); refused {
		a.renderCompose(c, status, group, &post, draft, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/posts", "Saved: followers' servers are sent the Update.")
}

func (a *Admin) deleteGroupPost(c *gin.Context) {
	group, post, ok := a.groupPostToEdit(c, false)
	if !ok {
		return
	}
	if err := a.cfg.Conversations.DeleteGroupPost(c.Request.Context(), post.ID, staffID(c)); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/posts", "Deleted: followers' servers are sent the Delete.")
}

func (a *Admin) pinPost(c *gin.Context)   { a.setPinned(c, true) }
func (a *Admin) unpinPost(c *gin.Context) { a.setPinned(c, false) }

func (a *Admin) setPinned(c *gin.Context, pinned bool) {
	group, post, ok := a.groupPostToEdit(c, true)
	if !ok {
		return
	}
	if _, err := a.cfg.Conversations.SetPinned(c.Request.Context(), post.ID, staffID(c), pinned); err != nil {
		a.fail(c, err)
		return
	}
	notice := "Unpinned."
	if pinned {
		notice = "Pinned: Mastodon shows it on the group's profile."
	}
	a.done(c, "/admin/groups/"+group.Slug+"/posts", notice)
}

// renderComposePage fills in what every rendering of the compose form shows: whether the
// organisation requires review, and the time fields.
func (a *Admin) renderComposePage(c *gin.Context, status int, title string, page composePage) {
	org, err := a.cfg.Store.OrganisationByID(c.Request.Context(), page.Group.OrganisationID)
	if err != nil {
		a.fail(c, err)
		return
	}
	page.RequireReview = org.RequireReview
	if page.Post == nil {
		if page.Campaigns, err = a.openCampaigns(c.Request.Context(), page.Group.OrganisationID, nil); err != nil {
			a.fail(c, err)
			return
		}
		if page.Answering, err = a.answering(c, page.Group, page.Draft); err != nil {
			a.fail(c, err)
			return
		}
	}
	if page.When.Zone == "" {
		page.When = scheduleFieldsOf(page.Kept)
	}
	page.Languages, page.Pictures = textinput.Languages, pictureFields(page.Draft.Images)
	a.renderStatus(c, status, "compose.html", title, page)
}

func (a *Admin) renderCompose(c *gin.Context, status int, group store.GroupInOrganisation, post *model.Post, draft conversations.Draft, problem string) {
	if post != nil {
		a.renderComposePage(c, status, "Edit a post of "+group.Name, composePage{Group: group, Post: post, Draft: draft, Error: problem})
		return
	}
	a.renderComposeChosen(c, status, group, draft, nil, problem)
}

// renderComposeChosen shows the form for a new post, the sister groups ticked in also.
func (a *Admin) renderComposeChosen(c *gin.Context, status int, group store.GroupInOrganisation, draft conversations.Draft, also map[string]bool, problem string) {
	a.renderNewCompose(c, status, composePage{Group: group, Draft: draft, Also: also, Error: problem})
}

// renderNewCompose shows the form for a new post as page has it, with the sister groups the writer
// may publish in too and the time fields as sent.
func (a *Admin) renderNewCompose(c *gin.Context, status int, page composePage) {
	others, err := a.sisterGroups(c, page.Group)
	if err != nil {
		a.fail(c, err)
		return
	}
	page.Others, page.When = others, scheduleFieldsFrom(c)
	a.renderComposePage(c, status, "Write as "+page.Group.Name, page)
}
