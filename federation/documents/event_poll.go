package documents

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/activities"
)

// eventPoll serves the RSVP poll of one of a group's events with its current counts: servers
// refresh a poll by fetching its id (Mastodon does before showing a stale one). A browser is sent
// to the group's page.
func (r *Routes) eventPoll(c *gin.Context) {
	c.Header("Vary", "Accept")
	group, ok := r.liveGroup(c, c.Param("slug"))
	if !ok {
		return
	}
	ctx := c.Request.Context()
	event, err := r.cfg.Store.EventByID(ctx, c.Param("id"))
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && (event.GroupID != group.ID || event.PollObjectIRI == nil)):
		refusal.Refuse(c, http.StatusNotFound, "no such poll")
		return
	case err != nil:
		r.fail(c, err)
		return
	}
	if !wantsActivityJSON(c.GetHeader("Accept")) {
		c.Redirect(http.StatusSeeOther, r.cfg.IRIs.GroupActor(group.Slug))
		return
	}
	counts, err := r.cfg.Store.CountParticipants(ctx, event.ID)
	if err != nil {
		r.fail(c, err)
		return
	}
	question, err := activities.EventPoll(r.cfg.IRIs, group.Group, event, *event.PollObjectIRI, counts, time.Now()).Question()
	if err != nil {
		r.fail(c, err)
		return
	}
	body, err := activities.Marshal(question)
	if err != nil {
		r.fail(c, err)
		return
	}
	c.Data(http.StatusOK, activityJSON, body)
}
