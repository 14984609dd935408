package admin

import (
	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// postsLimit bounds the posts page to the newest posts in the state shown.
const postsLimit = 100

// postsPage lists a group's visible or removed posts.
type postsPage struct {
	Group store.GroupInOrganisation
	State model.PostState
	Posts []postRow
	Limit int
}

func (a *Admin) mountPosts(r gin.IRouter) {
	r.GET("/groups/:slug/posts", a.posts)
	r.POST("/groups/:slug/posts/:id/remove", a.removePost)
	r.POST("/groups/:slug/posts/:id/restore", a.restorePost)
}

func (a *Admin) posts(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	state := model.PostState(c.DefaultQuery("state", string(model.PostVisible)))
	if state != model.PostVisible && state != model.PostRemoved {
		a.fail(c, apperror.Invalid("state", "must be %q or %q", model.PostVisible, model.PostRemoved))
		return
	}
	ctx := c.Request.Context()
	posts, err := a.cfg.Store.ListPosts(ctx, store.PostFilter{GroupID: group.ID, States: []model.PostState{state}, Limit: postsLimit})
	if err != nil {
		a.fail(c, err)
		return
	}
	rows, err := a.postRows(ctx, posts)
	if err != nil {
		a.fail(c, err)
		return
	}
	for i := range rows {
		switch id := rows[i].ID; {
		case group.RulesPostID != nil && id == *group.RulesPostID:
			rows[i].KeptBy, rows[i].KeptAt = "the group's rules", "/admin/groups/"+group.Slug
		case group.IntroductionsPostID != nil && id == *group.IntroductionsPostID:
			rows[i].KeptBy, rows[i].KeptAt = "the introductions thread", "/admin/groups/"+group.Slug+"/introductions"
		}
	}
	a.render(c, "posts.html", "Posts of "+group.Name, postsPage{Group: group, State: state, Posts: rows, Limit: postsLimit})
}

func (a *Admin) removePost(c *gin.Context) {
	a.decide(c, a.cfg.Conversations.Remove, reasonRequired, "/posts",
		"Removed: members' servers are told to drop the group's share of it.")
}

func (a *Admin) restorePost(c *gin.Context) {
	a.decide(c, a.cfg.Conversations.Restore, reasonOptional, "/posts?state=removed",
		"Restored: the post is shared with the group again.")
}
