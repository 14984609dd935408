package documents

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/store"
)

// maxThreadItems bounds one thread collection. Conversations longer than this are rare in a group,
// and a server reading the collection (FEP-7888 context, the Note's replies) only needs enough to
// fill in what it missed.
const maxThreadItems = 500

// thread serves one conversation of a group: the post Kring knows by id (a member's post or the
// group's own) first, then its visible public and unlisted replies, oldest first, as object ids.
func (r *Routes) thread(c *gin.Context) {
	group, ok := r.liveGroup(c, c.Param("slug"))
	if !ok {
		return
	}
	root, ok := r.postOfGroup(c, group, c.Param("id"))
	if !ok {
		return
	}
	if root.State != model.PostVisible || !isPublic(root.Visibility) {
		refusal.Refuse(c, http.StatusNotFound, "no such thread")
		return
	}
	posts, err := r.cfg.Store.ListPosts(c.Request.Context(), store.PostFilter{GroupID: group.ID,
		States: []model.PostState{model.PostVisible}, Public: true, ThreadRootIRI: root.ObjectIRI,
		Oldest: true, Limit: maxThreadItems})
	if err != nil {
		r.fail(c, err)
		return
	}
	// The root leads even when a reply's clock says it came first.
	items := []string{root.ObjectIRI}
	for _, p := range posts {
		if p.ID != root.ID && len(items) < maxThreadItems {
			items = append(items, p.ObjectIRI)
		}
	}
	r.writeJSON(c, map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"id": r.cfg.IRIs.GroupThread(group.Slug, root.ID), "type": "OrderedCollection",
		"totalItems": len(items), "orderedItems": items})
}
