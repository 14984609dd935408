package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// groupPage is a group's overview: its settings, pictures and moderators, and for those who manage
// its organisation the forms that change them.
type groupPage struct {
	Group        store.GroupInOrganisation
	CanManage    bool
	SlugEditable bool
	Form         groups.Settings // the edit form's values: the group's, or what was just refused
	Policies     []policyChoice
	PolicyLabel  string
	Moderators   []model.StaffAccount
	Candidates   []model.StaffAccount // moderators of the organisation not assigned yet
	Pictures     []pictureCard
	MaxImageMiB  int
	Error        string
}

// pictureCard is one of the group's pictures with the size Kring makes it.
type pictureCard struct {
	Kind          groups.ImageKind
	Label, Name   string
	Width, Height int
}

// groupToManage loads the group the path names and checks that the staff member manages its
// organisation; when not, it has answered (404, 403) and returns false.
func (a *Admin) groupToManage(c *gin.Context) (store.GroupInOrganisation, bool) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return group, false
	}
	if err := access.Require(principalOf(c).ManagesOrganisation(group.OrganisationID)); err != nil {
		a.fail(c, err)
		return group, false
	}
	return group, true
}

func (a *Admin) groupPage(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	a.renderGroupPage(c, http.StatusOK, group, groups.SettingsOf(group.Group), "")
}

func (a *Admin) renderGroupPage(c *gin.Context, status int, group store.GroupInOrganisation, form groups.Settings, problem string) {
	ctx := c.Request.Context()
	page := groupPage{Group: group, CanManage: principalOf(c).ManagesOrganisation(group.OrganisationID),
		Form: form, Policies: policyChoices, MaxImageMiB: groups.MaxImageBytes >> 20, Error: problem}
	for _, kind := range []groups.ImageKind{groups.Avatar, groups.Header} {
		size := groups.ImageSize(kind)
		page.Pictures = append(page.Pictures, pictureCard{Kind: kind, Label: pictureNames[kind],
			Name: groups.PictureOf(group.Group, kind), Width: size.X, Height: size.Y})
	}
	for _, p := range policyChoices {
		if p.Value == group.PostingPolicy {
			page.PolicyLabel = p.Label
		}
	}
	var err error
	if page.Moderators, err = a.cfg.Groups.Moderators(ctx, group.ID); err != nil {
		a.fail(c, err)
		return
	}
	if page.CanManage {
		if page.SlugEditable, err = a.cfg.Groups.SlugEditable(ctx, group.Group); err != nil {
			a.fail(c, err)
			return
		}
		if page.Candidates, err = a.unassignedModerators(c, group.Group, page.Moderators); err != nil {
			a.fail(c, err)
			return
		}
	}
	a.renderStatus(c, status, "group.html", group.Name, page)
}

func (a *Admin) unassignedModerators(c *gin.Context, group model.Group, assigned []model.StaffAccount) ([]model.StaffAccount, error) {
	all, err := a.cfg.Groups.ModeratorCandidates(c.Request.Context(), group)
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	for _, m := range assigned {
		taken[m.ID] = true
	}
	var out []model.StaffAccount
	for _, m := range all {
		if !taken[m.ID] {
			out = append(out, m)
		}
	}
	return out, nil
}

// editGroup saves the settings form. A slug field left out (the form shows it read-only once the
// group has federated) keeps the slug.
func (a *Admin) editGroup(c *gin.Context) {
	group, ok := a.groupToManage(c)
	if !ok {
		return
	}
	form := groups.Settings{
		Slug: c.DefaultPostForm("slug", group.Slug), Name: c.PostForm("name"), Summary: c.PostForm("summary"),
		Rules: c.PostForm("rules"), PostingPolicy: model.PostingPolicy(c.PostForm("posting_policy")),
		ApproveFollowers: c.PostForm("approve_followers") == "on", Discoverable: c.PostForm("discoverable") == "on",
	}
	edited, err := a.cfg.Groups.EditGroup(c.Request.Context(), group.ID, form, sessionOf(c).Account.ID)
	if status, problem, refused := formRefusal(err); refused {
		a.renderGroupPage(c, status, group, form, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+edited.Slug, "Settings saved.")
}

// archiveGroup archives the group (archived true) or brings it back.
func (a *Admin) archiveGroup(archived bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		group, ok := a.groupToManage(c)
		if !ok {
			return
		}
		_, err := a.cfg.Groups.SetArchived(c.Request.Context(), group.ID, archived, c.PostForm("reason"), sessionOf(c).Account.ID)
		if err != nil {
			a.fail(c, err)
			return
		}
		notice := "Group archived: it takes no new follows or posts, and other servers are told it is gone."
		if !archived {
			notice = "Group brought back from the archive."
		}
		a.done(c, "/admin/groups/"+group.Slug, notice)
	}
}
