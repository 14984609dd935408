package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// eventsPageSize is how many events one page of a group's events lists.
const eventsPageSize = 50

// eventRow is an event in a list, with its participants by state.
type eventRow struct {
	model.Event
	When   string
	Where  string
	Counts events.Counts
}

// eventsPage lists a group's upcoming or past events.
type eventsPage struct {
	Group  store.GroupInOrganisation
	Past   bool
	Events []eventRow
	Next   string
}

func (a *Admin) mountEvents(r gin.IRouter) {
	r.GET("/groups/:slug/events", a.groupEvents)
	r.GET("/groups/:slug/events/new", a.newEvent)
	r.POST("/groups/:slug/events", a.createEvent)
	r.GET("/groups/:slug/events/:id", a.groupEvent)
	r.GET("/groups/:slug/events/:id/edit", a.editEvent)
	r.POST("/groups/:slug/events/:id", a.saveEvent)
	r.POST("/groups/:slug/events/:id/cancel", a.cancelEvent)
	r.POST("/groups/:slug/events/:id/delete", a.deleteEvent)
	r.POST("/groups/:slug/events/:id/image", a.uploadEventImage)
	r.POST("/groups/:slug/events/:id/image/remove", a.removeEventImage)
	a.mountEventParticipants(r)
}

// uploadEventImage stores an uploaded picture as the event's image (checked and re-encoded by the
// groups service, as groups' pictures are) with its alt text.
func (a *Admin) uploadEventImage(c *gin.Context) {
	group, event, ok := a.eventToModerate(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	media := groups.MediaFiles{Dir: a.cfg.MediaDir}
	upload, err := readPicture(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	name, err := a.cfg.Groups.StoreImage(ctx, media, groups.EventImage, upload)
	if err != nil {
		a.fail(c, err)
		return
	}
	previous, err := a.cfg.Events.SetImage(ctx, event.ID, staffID(c), name, c.PostForm("alt"))
	if err != nil {
		_ = groups.RemoveStoredImage(media, name) // nothing refers to it
		a.fail(c, err)
		return
	}
	_ = groups.RemoveStoredImage(media, previous) // a file left behind costs disk space only
	a.done(c, "/admin/groups/"+group.Slug+"/events/"+event.ID, "Picture saved: followers' servers are sent the Update.")
}

func (a *Admin) removeEventImage(c *gin.Context) {
	group, event, ok := a.eventToModerate(c)
	if !ok {
		return
	}
	previous, err := a.cfg.Events.SetImage(c.Request.Context(), event.ID, staffID(c), "", "")
	if err != nil {
		a.fail(c, err)
		return
	}
	_ = groups.RemoveStoredImage(groups.MediaFiles{Dir: a.cfg.MediaDir}, previous)
	a.done(c, "/admin/groups/"+group.Slug+"/events/"+event.ID, "Picture removed.")
}

func (a *Admin) groupEvents(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	page := eventsPage{Group: group, Past: c.Query("when") == "past"}
	list, err := a.cfg.Store.Events(ctx, store.EventFilter{GroupID: group.ID, Past: page.Past, Now: time.Now(),
		After: c.Query("after"), Limit: eventsPageSize + 1})
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(list) > eventsPageSize {
		list = list[:eventsPageSize]
		page.Next = list[eventsPageSize-1].ID
	}
	ids := make([]string, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	counts, err := a.cfg.Store.CountParticipantsOfEvents(ctx, ids)
	if err != nil {
		a.fail(c, err)
		return
	}
	for _, e := range list {
		page.Events = append(page.Events, eventRow{Event: e, When: events.When(e), Where: events.Where(e), Counts: counts[e.ID]})
	}
	a.renderStatus(c, http.StatusOK, "events.html", "Events of "+group.Name, page)
}

// eventForm is the form staff fill in to create or edit an event: dates and times as the browser's
// date and time inputs send them, read in the chosen zone.
type eventForm struct {
	Title, Description                           string
	StartDate, StartTime, EndDate, EndTime       string
	TimeZone, PlaceName, PlaceAddress, OnlineURL string
	Capacity                                     string
	JoinMode                                     string
	Reminders                                    string // durations before the start: "24h, 1h"
	// CampaignIDs are the campaign ids as sent: one, or none; more are refused.
	CampaignIDs []string
}

// Campaign is the campaign the form names, for the select to show it chosen.
func (f eventForm) Campaign() string {
	if len(f.CampaignIDs) == 0 {
		return ""
	}
	return f.CampaignIDs[0]
}

// eventFormPage is the create or edit form.
type eventFormPage struct {
	Group store.GroupInOrganisation
	Event *model.Event // nil when creating
	Form  eventForm
	Zones []string
	// Campaigns are the organisation's campaigns the event may be put in.
	Campaigns []model.Campaign
	Error     string
}

func (a *Admin) newEvent(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	a.renderEventForm(c, http.StatusOK, group, nil, eventForm{TimeZone: "UTC", JoinMode: string(model.JoinOpen), Capacity: "0",
		Reminders: leadsText(model.DefaultReminderLeads)}, "")
}

func (a *Admin) createEvent(c *gin.Context) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return
	}
	form := readEventForm(c)
	draft, err := form.draft()
	var event model.Event
	if err == nil {
		event, err = a.cfg.Events.Create(c.Request.Context(), group.ID, staffID(c), draft)
	}
	if status, problem, refused := formRefusal(err); refused {
		a.renderEventForm(c, status, group, nil, form, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/events/"+event.ID, "Event published: the group's followers' servers are sent it.")
}

// eventToModerate loads the group and the event the path names; another group's event is not found.
func (a *Admin) eventToModerate(c *gin.Context) (store.GroupInOrganisation, model.Event, bool) {
	group, ok := a.groupToModerate(c)
	if !ok {
		return group, model.Event{}, false
	}
	event, err := a.cfg.Store.EventByID(c.Request.Context(), c.Param("id"))
	if err == nil && event.GroupID != group.ID {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		err = apperror.NotFound("event not found in group %q", group.Slug)
	}
	if err != nil {
		a.fail(c, err)
		return group, event, false
	}
	return group, event, true
}

// eventPage shows one event to staff: its details and its participants by state.
type eventPage struct {
	Group        store.GroupInOrganisation
	Event        model.Event
	When, Where  string
	Counts       events.Counts
	Participants []store.ParticipantListing
}

func (a *Admin) groupEvent(c *gin.Context) {
	group, event, ok := a.eventToModerate(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	counts, err := a.cfg.Store.CountParticipants(ctx, event.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	participants, err := a.cfg.Store.Participants(ctx, event.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.renderStatus(c, http.StatusOK, "event.html", event.Title, eventPage{Group: group, Event: event,
		When: events.When(event), Where: events.Where(event), Counts: counts, Participants: participants})
}

func (a *Admin) editEvent(c *gin.Context) {
	group, event, ok := a.eventToModerate(c)
	if !ok {
		return
	}
	reminders, err := a.cfg.Store.EventReminders(c.Request.Context(), event.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	form := formOfEvent(event)
	leads := make([]time.Duration, len(reminders))
	for i, r := range reminders {
		leads[i] = time.Duration(r.LeadMinutes) * time.Minute
	}
	form.Reminders = leadsText(leads)
	a.renderEventForm(c, http.StatusOK, group, &event, form, "")
}

func (a *Admin) saveEvent(c *gin.Context) {
	group, event, ok := a.eventToModerate(c)
	if !ok {
		return
	}
	form := readEventForm(c)
	draft, err := form.draft()
	if err == nil {
		_, err = a.cfg.Events.Edit(c.Request.Context(), event.ID, staffID(c), draft)
	}
	if status, problem, refused := formRefusal(err); refused {
		a.renderEventForm(c, status, group, &event, form, problem)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/events/"+event.ID, "Event saved: followers' servers are sent the Update.")
}

func (a *Admin) cancelEvent(c *gin.Context) {
	group, event, ok := a.eventToModerate(c)
	if !ok {
		return
	}
	if _, err := a.cfg.Events.Cancel(c.Request.Context(), event.ID, staffID(c), c.PostForm("reason")); err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin/groups/"+group.Slug+"/events/"+event.ID, "Event cancelled: participants are told, reminders stop.")
}

func (a *Admin) deleteEvent(c *gin.Context) {
	group, event, ok := a.eventToModerate(c)
	if !ok {
		return
	}
	if err := a.cfg.Events.Delete(c.Request.Context(), event.ID, staffID(c)); err != nil {
		a.fail(c, err)
		return
	}
	_ = groups.RemoveStoredImage(groups.MediaFiles{Dir: a.cfg.MediaDir}, event.ImagePath) // nothing refers to it now
	a.done(c, "/admin/groups/"+group.Slug+"/events", "Event deleted.")
}

func (a *Admin) renderEventForm(c *gin.Context, status int, group store.GroupInOrganisation, event *model.Event, form eventForm, problem string) {
	title := "New event in " + group.Name
	if event != nil {
		title = "Edit " + event.Title
	}
	var current *string
	if event != nil {
		current = event.CampaignID
	}
	open, err := a.openCampaigns(c.Request.Context(), group.OrganisationID, current)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.renderStatus(c, status, "event_form.html", title, eventFormPage{Group: group, Event: event, Form: form, Zones: commonZones,
		Campaigns: open, Error: problem})
}

func readEventForm(c *gin.Context) eventForm {
	return eventForm{Title: c.PostForm("title"), Description: c.PostForm("description"),
		StartDate: c.PostForm("start_date"), StartTime: c.PostForm("start_time"), EndDate: c.PostForm("end_date"), EndTime: c.PostForm("end_time"),
		TimeZone: c.PostForm("time_zone"), PlaceName: c.PostForm("place_name"), PlaceAddress: c.PostForm("place_address"),
		OnlineURL: c.PostForm("online_url"), Capacity: c.PostForm("capacity"), JoinMode: c.PostForm("join_mode"),
		Reminders: c.PostForm("reminders"), CampaignIDs: c.PostFormArray("campaign_id")}
}

// formOfEvent fills the form with an event's fields, its times on the wall clock of its zone.
func formOfEvent(e model.Event) eventForm {
	zone, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	form := eventForm{Title: e.Title, Description: e.Description, TimeZone: e.TimeZone, PlaceName: e.PlaceName,
		PlaceAddress: e.PlaceAddress, OnlineURL: e.OnlineURL, Capacity: strconv.Itoa(e.Capacity), JoinMode: string(e.JoinMode)}
	if e.CampaignID != nil {
		form.CampaignIDs = []string{*e.CampaignID}
	}
	start := e.StartsAt.In(zone)
	form.StartDate, form.StartTime = start.Format(time.DateOnly), start.Format("15:04")
	if e.EndsAt != nil {
		end := e.EndsAt.In(zone)
		form.EndDate, form.EndTime = end.Format(time.DateOnly), end.Format("15:04")
	}
	return form
}

// draft reads the form's dates, times and numbers; the events service checks the rest.
func (f eventForm) draft() (events.Draft, error) {
	d := events.Draft{Title: f.Title, Description: f.Description, TimeZone: f.TimeZone, PlaceName: f.PlaceName,
		PlaceAddress: f.PlaceAddress, OnlineURL: f.OnlineURL, JoinMode: model.JoinMode(f.JoinMode)}
	campaignID, err := oneValue("campaign_id", f.CampaignIDs)
	if err != nil {
		return d, err
	}
	d.CampaignID = campaignID
	start, err := wallClock(f.StartDate, f.StartTime)
	if err != nil {
		return d, apperror.Invalid("start", "give the start's date and time (%v)", err)
	}
	d.Start = start
	if strings.TrimSpace(f.EndDate+f.EndTime) != "" {
		date := f.EndDate
		if date == "" {
			date = f.StartDate // an end time alone ends the same day
		}
		end, err := wallClock(date, f.EndTime)
		if err != nil {
			return d, apperror.Invalid("end", "give the end's date and time (%v)", err)
		}
		d.End = &end
	}
	d.Reminders = []time.Duration{}
	for _, part := range strings.Split(f.Reminders, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		lead, err := time.ParseDuration(part)
		if err != nil {
			return d, apperror.Invalid("reminders", "write each like 24h, 1h or 30m (%q)", part)
		}
		d.Reminders = append(d.Reminders, lead)
	}
	if strings.TrimSpace(f.Capacity) != "" {
		if d.Capacity, err = strconv.Atoi(strings.TrimSpace(f.Capacity)); err != nil {
			return d, apperror.Invalid("capacity", "must be a whole number")
		}
	}
	return d, nil
}

// leadsText writes reminder leads as the form shows them: "24h, 1h, 30m".
func leadsText(leads []time.Duration) string {
	parts := make([]string, len(leads))
	for i, lead := range leads {
		switch {
		case lead%time.Hour == 0:
			parts[i] = strconv.Itoa(int(lead/time.Hour)) + "h"
		case lead%time.Minute == 0:
			parts[i] = strconv.Itoa(int(lead/time.Minute)) + "m"
		default:
			parts[i] = lead.String()
		}
	}
	return strings.Join(parts, ", ")
}

// wallClock reads a date (2006-01-02) and a time (15:04) as a wall-clock time.
func wallClock(date, clock string) (time.Time, error) {
	return time.Parse("2006-01-02 15:04", strings.TrimSpace(date)+" "+strings.TrimSpace(clock))
}
