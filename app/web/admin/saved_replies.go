package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// savedRepliesPage lists the organisation's saved replies, reached from one of its groups, with the
// form for a new one or for the one being edited.
type savedRepliesPage struct {
	Group        store.GroupInOrganisation
	Replies      []model.SavedReply
	Form         model.SavedReply
	Placeholders []string
	MaxText      int
	Error        string
}

// savedReplies lists them; ?edit=id fills the form with one of them.
func (a *Admin) savedReplies(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	var form model.SavedReply
	if id := c.Query("edit"); id != "" {
		replies, err := a.cfg.Community.SavedReplies(c.Request.Context(), group.OrganisationID)
		if err != nil {
			a.fail(c, err)
			return
		}
		for _, r := range replies {
			if r.ID == id {
				form = r
			}
		}
	}
	a.renderSavedReplies(c, http.StatusOK, group, form, "")
}

func (a *Admin) renderSavedReplies(c *gin.Context, status int, group store.GroupInOrganisation, form model.SavedReply, problem string) {
	replies, err := a.cfg.Community.SavedReplies(c.Request.Context(), group.OrganisationID)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.renderStatus(c, status, "saved_replies.html", "Saved replies", savedRepliesPage{Group: group, Replies: replies, Form: form,
		Placeholders: community.SavedReplyPlaceholders, MaxText: community.MaxSupportText, Error: problem})
}

// saveReply creates a saved reply, or changes the one the form's id names (of this organisation).
func (a *Admin) saveReply(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	form := model.SavedReply{ID: c.PostForm("id"), OrganisationID: group.OrganisationID, Title: c.PostForm("title"),
		Body: c.PostForm("body"), CreatedByStaffID: staffID(c)}
	_, err := a.cfg.Community.SaveReply(c.Request.Context(), form)
	if status, problem, refused := formRefusal(err); refused {
		a.renderSavedReplies(c, status, group, form, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/saved-replies", "Saved reply “"+form.Title+"” saved.")
}

func (a *Admin) deleteSavedReply(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	if err := a.cfg.Community.DeleteSavedReply(c.Request.Context(), group.OrganisationID, c.Param("id")); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/saved-replies", "Saved reply deleted.")
}
