package admin

import (
	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
)

// assignModerator assigns a moderator of the organisation to the group; the groups service refuses
// anyone else.
func (a *Admin) assignModerator(c *gin.Context) {
	group, ok := a.groupToManage(c)
	if !ok {
		return
	}
	staff := c.PostForm("staff")
	if staff == "" {
		a.fail(c, apperror.Invalid("staff", "choose a moderator to assign"))
		return
	}
	if err := a.cfg.Groups.AssignModerator(c.Request.Context(), group.ID, staff, sessionOf(c).Account.ID); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"#moderators", "Moderator assigned.")
}

func (a *Admin) unassignModerator(c *gin.Context) {
	group, ok := a.groupToManage(c)
	if !ok {
		return
	}
	if err := a.cfg.Groups.UnassignModerator(c.Request.Context(), group.ID, c.PostForm("staff"), sessionOf(c).Account.ID); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"#moderators", "Moderator unassigned.")
}
