package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
	"github.com/kring-social/kring/federation"
)

var eventPageTemplate = template.Must(template.ParseFS(groupTemplates, "templates/event.html"))

// calendarMaxAge is how long calendar apps and caches may keep a calendar or page before asking
// again (with If-None-Match, answered 304 when nothing changed).
const calendarMaxAge = "public, max-age=300"

// feedPast is how many past events a group's calendar keeps, latest first.
const feedPast = 20

// feedUpcoming bounds the upcoming events of a group's calendar.
const feedUpcoming = 200

// EventPages serves groups' events to anyone, without logging in: each event's page and its
// iCalendar file, and a group's calendar of upcoming and recent events.
type EventPages struct {
	store  *store.Store
	iris   federation.IRIs
	logger *slog.Logger
	now    func() time.Time
}

// NewEventPages returns the event pages of the instance at iris.
func NewEventPages(st *store.Store, iris federation.IRIs, logger *slog.Logger) *EventPages {
	if logger == nil {
		logger = slog.Default()
	}
	return &EventPages{store: st, iris: iris, logger: logger, now: time.Now}
}

// WithClock returns the pages reading the time from now (tests).
func (p *EventPages) WithClock(now func() time.Time) *EventPages {
	c := *p
	c.now = now
	return &c
}

// Mount registers the group's calendar, GET /groups/{slug}/events.ics. An event's page and its
// .ics, /groups/{slug}/events/{id}[.ics], share their path with the Event's id, which federation's
// documents serve: they hand browsers and calendar clients to Event.
func (p *EventPages) Mount(router gin.IRouter) {
	router.GET("/groups/:slug/events.ics", p.groupCalendar)
}

// publicGroup loads the group slug names as its public page does: 404 when there is none or it is
// archived.
func (p *EventPages) publicGroup(c *gin.Context) (store.GroupInOrganisation, bool) {
	group, err := p.store.GroupBySlug(c.Request.Context(), c.Param("slug"))
	switch {
	case errors.Is(err, store.ErrNotFound), err == nil && group.ArchivedAt != nil:
		refusal.Refuse(c, http.StatusNotFound, "no such group")
		return group, false
	case err != nil:
		respondError(c, p.logger, err)
		return group, false
	}
	return group, true
}

func (p *EventPages) groupCalendar(c *gin.Context) {
	group, ok := p.publicGroup(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	now := p.now()
	upcoming, err := p.store.Events(ctx, store.EventFilter{GroupID: group.ID, Now: now, Limit: feedUpcoming})
	if err != nil {
		respondError(c, p.logger, err)
		return
	}
	past, err := p.store.Events(ctx, store.EventFilter{GroupID: group.ID, Now: now, Past: true, Limit: feedPast})
	if err != nil {
		respondError(c, p.logger, err)
		return
	}
	var events []calendarEvent
	for i := len(past) - 1; i >= 0; i-- {
		events = append(events, p.calendarEvent(group.Group, past[i]))
	}
	for _, e := range upcoming {
		events = append(events, p.calendarEvent(group.Group, e))
	}
	p.sendCalendar(c, writeCalendar(group.Name, events))
}

// Event answers GET /groups/{slug}/events/{id} with the event's page, or with its iCalendar when the
// id ends in .ics.
func (p *EventPages) Event(c *gin.Context) {
	group, ok := p.publicGroup(c)
	if !ok {
		return
	}
	id, ics := strings.CutSuffix(c.Param("id"), ".ics")
	event, err := p.store.EventByID(c.Request.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && event.GroupID != group.ID {
		refusal.Refuse(c, http.StatusNotFound, "no such event")
		return
	}
	if err != nil {
		respondError(c, p.logger, err)
		return
	}
	if ics {
		p.sendCalendar(c, writeCalendar(event.Title, []calendarEvent{p.calendarEvent(group.Group, event)}))
		return
	}
	p.page(c, group, event)
}

func (p *EventPages) calendarEvent(group model.Group, e model.Event) calendarEvent {
	uid := e.ObjectIRI
	if uid == "" {
		uid = e.ID + "@" + p.iris.Host()
	}
	return calendarEvent{Event: e, UID: uid, URL: p.iris.GroupEvent(group.Slug, e.ID)}
}

// sendCalendar answers with body as text/calendar, or 304 when the client has it already.
func (p *EventPages) sendCalendar(c *gin.Context, body string) {
	sum := sha256.Sum256([]byte(body))
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	c.Header("Cache-Control", calendarMaxAge)
	c.Header("ETag", etag)
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", []byte(body))
}

func (p *EventPages) page(c *gin.Context, group store.GroupInOrganisation, event model.Event) {
	counts, err := p.store.CountParticipants(c.Request.Context(), event.ID)
	if err != nil {
		respondError(c, p.logger, err)
		return
	}
	going := counts[model.ParticipantGoing]
	left := -1
	if event.Capacity > 0 {
		left = max(event.Capacity-going, 0)
	}
	pageURL := p.iris.GroupEvent(group.Slug, event.ID)
	view := map[string]any{
		"Title": event.Title, "GroupName": group.Name, "GroupURL": p.iris.GroupActor(group.Slug),
		"Handle": p.iris.GroupHandle(group.Slug), "URL": pageURL, "ICSPath": "/groups/" + group.Slug + "/events/" + event.ID + ".ics",
		"Description":   template.HTML(textinput.TextToHTML(event.Description)), // escaped by TextToHTML
		"OGDescription": ogDescription(event), "When": events.When(event), "StartISO": event.StartsAt.UTC().Format(time.RFC3339),
		"PlaceName": event.PlaceName, "PlaceAddress": event.PlaceAddress, "Online": webLink(event.OnlineURL),
		"Cancelled": event.Status == model.EventCancelled, "Capacity": event.Capacity, "Going": going,
		"Maybe": counts[model.ParticipantMaybe], "Left": left, "Waiting": counts[model.ParticipantWaiting],
		"Approval": event.JoinMode == model.JoinApproval, "Past": !eventEnd(event).After(p.now()),
	}
	if event.ImagePath != "" {
		view["Image"] = groups.MediaURLPath + event.ImagePath
		view["ImageURL"] = p.iris.Base() + groups.MediaURLPath + event.ImagePath
		view["ImageAlt"] = event.ImageAlt
	}
	var out bytes.Buffer
	if err := eventPageTemplate.Execute(&out, view); err != nil {
		respondError(c, p.logger, err)
		return
	}
	c.Header("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
	c.Header("Cache-Control", "public, max-age=60")
	c.Data(http.StatusOK, "text/html; charset=utf-8", out.Bytes())
}

// eventEnd is when an event is over: its end, or its start when it has none.
func eventEnd(e model.Event) time.Time {
	if e.EndsAt != nil {
		return *e.EndsAt
	}
	return e.StartsAt
}

// ogDescription is the line link previews show: when, where, and the start of the description.
func ogDescription(e model.Event) string {
	parts := []string{events.When(e)}
	if where := eventLocation(e); where != "" {
		parts = append(parts, where)
	}
	line := strings.Join(parts, " · ")
	if e.Status == model.EventCancelled {
		line = "Cancelled. " + line
	}
	if d := strings.Join(strings.Fields(e.Description), " "); d != "" {
		if r := []rune(d); len(r) > 200 {
			d = string(r[:200]) + "…"
		}
		line += ". " + d
	}
	return line
}
