package admin

import (
	"net/http"

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
	Error string
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
	a.renderCompose(c, http.StatusOK, group, nil, conversations.Draft{}, "")
}

// publish posts the draft as the group: a Create to every follower.
func (a *Admin) publish(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	draft := draftOf(c)
	_, err := a.cfg.Conversations.PublishAsGroup(c.Request.Context(), group.ID, staffID(c), draft)
	if status, problem, refused := formRefusal(err); refused {
		a.renderCompose(c, status, group, nil, draft, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/posts", "Published: the group's followers' servers are sent the post.")
}

// groupPostToEdit loads one of the group's own posts the path names.
func (a *Admin) groupPostToEdit(c *gin.Context) (store.GroupInOrganisation, model.Post, bool) {
	group, post, ok := a.postToModerate(c)
	if ok && post.AuthorKind != model.AuthorGroup {
		a.fail(c, apperror.Invalid("post", "only the group's own posts are edited, pinned or deleted here"))
		return group, post, false
	}
	return group, post, ok
}

func (a *Admin) editPost(c *gin.Context) {
	group, post, ok := a.groupPostToEdit(c)
	if !ok {
		return
	}
	draft := conversations.Draft{Text: textinput.HTMLToText(post.ContentHTML), Summary: post.Summary, Pin: post.PinnedAt != nil}
	a.renderCompose(c, http.StatusOK, group, &post, draft, "")
}

// saveGroupPost changes the post's words: an Update to every follower.
func (a *Admin) saveGroupPost(c *gin.Context) {
	group, post, ok := a.groupPostToEdit(c)
	if !ok {
		return
	}
	draft := draftOf(c)
	_, err := a.cfg.Conversations.EditGroupPost(c.Request.Context(), post.ID, staffID(c), draft)
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
	group, post, ok := a.groupPostToEdit(c)
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
	group, post, ok := a.groupPostToEdit(c)
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

func draftOf(c *gin.Context) conversations.Draft {
	return conversations.Draft{Text: c.PostForm("text"), Summary: c.PostForm("summary"), Pin: c.PostForm("pin") == "on"}
}

func (a *Admin) renderCompose(c *gin.Context, status int, group store.GroupInOrganisation, post *model.Post, draft conversations.Draft, problem string) {
	title := "Write as " + group.Name
	if post != nil {
		title = "Edit a post of " + group.Name
	}
	a.renderStatus(c, status, "compose.html", title, composePage{Group: group, Post: post, Draft: draft, Error: problem})
}
