package admin

import (
	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// filtersPage lists a group's keyword filters with a form to add one.
type filtersPage struct {
	Group   store.GroupInOrganisation
	Filters []model.KeywordFilter
}

func (a *Admin) mountFilters(r gin.IRouter) {
	r.GET("/groups/:slug/filters", a.filters)
	r.POST("/groups/:slug/filters", a.addFilter)
	r.POST("/groups/:slug/filters/:id/delete", a.deleteFilter)
}

func (a *Admin) filters(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	filters, err := a.cfg.Conversations.Filters(c.Request.Context(), group.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, "filters.html", "Keyword filters of "+group.Name, filtersPage{Group: group, Filters: filters})
}

func (a *Admin) addFilter(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	added, err := a.cfg.Conversations.AddFilter(c.Request.Context(), group.ID, staffID(c), conversations.NewFilter{
		Keyword: c.PostForm("keyword"), WholeWord: c.PostForm("whole_word") == "yes", Action: model.FilterAction(c.PostForm("action"))})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/filters", "Filter added: new posts containing “"+added.Keyword+"” are "+filterOutcome(added.Action)+".")
}

func (a *Admin) deleteFilter(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	if err := a.cfg.Conversations.RemoveFilter(c.Request.Context(), group.ID, c.Param("id"), staffID(c)); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/filters", "Filter deleted.")
}

// filterOutcome says in words what a filter does to a matching post.
func filterOutcome(action model.FilterAction) string {
	if action == model.FilterReject {
		return "rejected"
	}
	return "held for review"
}
