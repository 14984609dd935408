package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// groupsListPage lists the groups a staff member may see, with the form for a new group when they
// manage an organisation.
type groupsListPage struct {
	Groups        []store.GroupInOrganisation
	Organisations []orgScope // where they may create groups
	Form          groups.NewGroup
	Policies      []policyChoice
	Error         string
}

// policyChoice is a posting policy as the forms offer it.
type policyChoice struct {
	Value model.PostingPolicy
	Label string
}

var policyChoices = []policyChoice{
	{model.PostingFollowers, "Members post; their posts are shared at once"},
	{model.PostingPremoderated, "Members post; each post waits for a moderator's approval"},
	{model.PostingAnyone, "Anyone not banned or blocked posts, members or not"},
	{model.PostingModerators, "Only the group posts (announcements); members reply"},
}

func (a *Admin) mountGroups(r gin.IRouter) {
	r.GET("/groups", a.groupsList)
	r.POST("/groups", a.createGroup)
	r.GET("/groups/:slug", a.groupPage)
	r.POST("/groups/:slug", a.editGroup)
	r.POST("/groups/:slug/archive", a.archiveGroup(true))
	r.POST("/groups/:slug/unarchive", a.archiveGroup(false))
	r.POST("/groups/:slug/images", a.uploadImage)
	r.POST("/groups/:slug/images/remove", a.removeImage)
	r.POST("/groups/:slug/moderators", a.assignModerator)
	r.POST("/groups/:slug/moderators/remove", a.unassignModerator)
}

// UploadRoutes are the admin routes that take pictures, with the body size each may have: the
// largest picture plus room for the form around it. The engine's smaller limit holds everywhere else.
func UploadRoutes() map[string]int64 {
	return map[string]int64{"/admin/groups/:slug/images": groups.MaxImageBytes + 64<<10,
		"/admin/groups/:slug/events/:id/image": groups.MaxImageBytes + 64<<10,
		"/admin/groups/:slug/compose":          composeUploadLimit, "/admin/groups/:slug/posts/:id/edit": composeUploadLimit,
		"/admin/drafts/:id/edit": composeUploadLimit}
}

func (a *Admin) groupsList(c *gin.Context) {
	a.renderGroupsList(c, http.StatusOK, groups.NewGroup{PostingPolicy: model.PostingFollowers}, "")
}

func (a *Admin) renderGroupsList(c *gin.Context, status int, form groups.NewGroup, problem string) {
	ctx := c.Request.Context()
	p := principalOf(c)
	visible, err := a.visibleGroups(ctx, p)
	if err != nil {
		a.fail(c, err)
		return
	}
	orgs, err := a.managedScopes(ctx, p, false)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.renderStatus(c, status, "groups.html", "Groups", groupsListPage{Groups: visible, Organisations: orgs,
		Form: form, Policies: policyChoices, Error: problem})
}

// createGroup makes a group in an organisation the staff member manages (chooseScope refuses any
// other). A refused form comes back filled in, with what was wrong.
func (a *Admin) createGroup(c *gin.Context) {
	org, _, ok := a.chooseScope(c, false)
	if !ok {
		return
	}
	form := groups.NewGroup{
		OrganisationSlug: org.Slug, Slug: c.PostForm("slug"), Name: c.PostForm("name"),
		Summary: c.PostForm("summary"), Rules: c.PostForm("rules"),
		PostingPolicy:    model.PostingPolicy(c.PostForm("posting_policy")),
		ApproveFollowers: c.PostForm("approve_followers") == "on",
		CreatedBy:        sessionOf(c).Account.ID,
	}
	group, err := a.cfg.Groups.CreateGroup(c.Request.Context(), form)
	if status, problem, refused := formRefusal(err); refused {
		a.renderGroupsList(c, status, form, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug, "Group "+group.Name+" created.")
}

// formRefusal tells a refusal of what someone typed, shown again above their form with the status
// it deserves, from other failures, which a.fail answers.
func formRefusal(err error) (status int, problem string, refused bool) {
	switch apperror.KindOf(err) {
	case apperror.KindInvalid:
		return http.StatusBadRequest, apperror.SafeMessage(err), true
	case apperror.KindConflict:
		return http.StatusConflict, apperror.SafeMessage(err), true
	}
	return 0, "", false
}
