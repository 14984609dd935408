package documents

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/activities"
)

// EventDocument is what the group says of one of its events, with its participants holding a place.
func EventDocument(iris federation.IRIs, group model.Group, event model.Event, going int) activities.EventDocument {
	d := activities.EventDocument{Event: event, Group: iris.GroupActor(group.Slug), Followers: iris.GroupFollowers(group.Slug),
		When: events.When(event), Where: events.Where(event), Going: going}
	if event.ImagePath != "" {
		d.ImageURL, d.ImageMediaType = iris.Base()+groups.MediaURLPath+event.ImagePath, groups.MediaType(event.ImagePath)
	}
	return d
}

// EventPage answers people and calendar clients at an event's id: its page for a browser, its
// iCalendar for the id with .ics added.
type EventPage = gin.HandlerFunc

// groupEvent serves the Event, so its id resolves for servers that fetch it (Mobilizon does before
// a Join); browsers and calendar clients get EventPage.
func (r *Routes) groupEvent(c *gin.Context) {
	c.Header("Vary", "Accept")
	if !wantsActivityJSON(c.GetHeader("Accept")) || strings.HasSuffix(c.Param("id"), ".ics") {
		if r.cfg.EventPage == nil {
			refusal.Refuse(c, http.StatusNotFound, "no event pages here")
			return
		}
		r.cfg.EventPage(c)
		return
	}
	group, ok := r.liveGroup(c, c.Param("slug"))
	if !ok {
		return
	}
	ctx := c.Request.Context()
	event, err := r.cfg.Store.EventByID(ctx, c.Param("id"))
	if err == nil && event.GroupID != group.ID {
		err = store.ErrNotFound
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		refusal.Refuse(c, http.StatusNotFound, "no such event")
		return
	case err != nil:
		r.fail(c, err)
		return
	}
	counts, err := r.cfg.Store.CountParticipants(ctx, event.ID)
	if err != nil {
		r.fail(c, err)
		return
	}
	object, err := activities.EventObject(EventDocument(r.cfg.IRIs, group.Group, event, counts[model.ParticipantGoing]))
	if err != nil {
		r.fail(c, err)
		return
	}
	body, err := json.Marshal(object)
	if err != nil {
		r.fail(c, err)
		return
	}
	c.Data(http.StatusOK, activityJSON, body)
}
