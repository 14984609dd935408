package documents

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/activities"
)

// groupPost serves the Note of a post the group wrote itself, so its id resolves for servers that
// fetch it. Member posts are not served here: their own servers do, and Kring never vouches for
// their content under its origin. A browser is sent to the group's page.
func (r *Routes) groupPost(c *gin.Context) {
	c.Header("Vary", "Accept")
	group, ok := r.liveGroup(c, c.Param("slug"))
	if !ok {
		return
	}
	post, ok := r.postOfGroup(c, group, c.Param("id"))
	if !ok {
		return
	}
	if post.AuthorKind != model.AuthorGroup || !isPublic(post.Visibility) {
		refusal.Refuse(c, http.StatusNotFound, "no such post")
		return
	}
	switch post.State {
	case model.PostVisible:
	case model.PostRemoved:
		// Gone, not missing: servers that cached the Note drop it.
		refusal.Refuse(c, http.StatusGone, "post removed")
		return
	default:
		refusal.Refuse(c, http.StatusNotFound, "no such post")
		return
	}
	if !wantsActivityJSON(c.GetHeader("Accept")) {
		c.Redirect(http.StatusSeeOther, r.cfg.IRIs.GroupActor(group.Slug))
		return
	}
	parts, err := r.cfg.Store.PartsOfPost(c.Request.Context(), post.ID)
	if err != nil {
		r.fail(c, err)
		return
	}
	note, err := activities.GroupNoteDocument(r.cfg.IRIs, group.Group, post, parts)
	if err != nil {
		r.fail(c, err)
		return
	}
	r.writeJSON(c, note)
}

// postOfGroup loads the post with Kring's id for it; a post of another group is as unknown as a
// missing one, so ids cannot be probed across groups. It answers 404 itself and returns false.
func (r *Routes) postOfGroup(c *gin.Context, group store.GroupInOrganisation, id string) (model.Post, bool) {
	post, err := r.cfg.Store.PostByID(c.Request.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && post.GroupID != group.ID):
		refusal.Refuse(c, http.StatusNotFound, "no such post")
		return post, false
	case err != nil:
		r.fail(c, err)
		return post, false
	}
	return post, true
}

// isPublic reports whether a post may be served to anyone who asks: public and unlisted posts are
// addressed to the Public collection; followers-only and direct ones are not.
func isPublic(v model.Visibility) bool {
	return v == model.VisibilityPublic || v == model.VisibilityUnlisted
}
