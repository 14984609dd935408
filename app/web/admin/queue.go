package admin

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// queueLimit bounds the queue page; the oldest waiting posts come first, so none is starved.
const queueLimit = 100

// queuePage is the pre-moderation queue of one group.
type queuePage struct {
	Group store.GroupInOrganisation
	Posts []postRow
	Limit int
}

func (a *Admin) mountQueue(r gin.IRouter) {
	r.GET("/groups/:slug/queue", a.queue)
	r.POST("/groups/:slug/queue/:id/approve", a.approvePost)
	r.POST("/groups/:slug/queue/:id/decline", a.declinePost)
}

func (a *Admin) queue(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	posts, err := a.cfg.Store.ListPosts(ctx, store.PostFilter{GroupID: group.ID, States: []model.PostState{model.PostHeld},
		Oldest: true, Limit: queueLimit})
	if err != nil {
		a.fail(c, err)
		return
	}
	rows, err := a.postRows(ctx, posts)
	if err != nil {
		a.fail(c, err)
		return
	}
	authors := make([]*model.RemoteActor, len(rows))
	for i := range rows {
		authors[i] = rows[i].Author
	}
	screen, err := a.cfg.Conversations.HoldScreen(ctx, group.Group, authors)
	if err != nil {
		a.fail(c, err)
		return
	}
	for i := range rows {
		rows[i].HeldBecause = screen.Reasons(rows[i].Post, rows[i].Author)
	}
	a.render(c, "queue.html", "Queue of "+group.Name, queuePage{Group: group, Posts: rows, Limit: queueLimit})
}

func (a *Admin) approvePost(c *gin.Context) {
	approve := func(ctx context.Context, postID string, staffID *string, _ string) (model.Post, error) {
		return a.cfg.Conversations.Approve(ctx, postID, staffID)
	}
	a.decide(c, approve, reasonUnused, "/queue", "Approved: the post is shared with the group.")
}

func (a *Admin) declinePost(c *gin.Context) {
	a.decide(c, a.cfg.Conversations.Decline, reasonRequired, "/queue", "Declined: the author is told why.")
}
