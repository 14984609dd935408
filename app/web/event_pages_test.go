package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/federation/documents"
	"github.com/kring-social/kring/test/testenv"
)

// winterEvening is 19:30 in Amsterdam on a winter Saturday (CET, UTC+1): 18:30 UTC.
var winterEvening = time.Date(2026, 12, 12, 18, 30, 0, 0, time.UTC)

// summerEvening is 19:30 in Amsterdam in July (CEST, UTC+2): 17:30 UTC.
var summerEvening = time.Date(2027, 7, 3, 17, 30, 0, 0, time.UTC)

// pagesNow is when the tests read the pages: before both.
var pagesNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

type eventSite struct {
	t        *testing.T
	st       *store.Store
	base     string
	lobby    model.Group
	other    model.Group
	winter   model.Event
	summer   model.Event
	off      model.Event
	past     model.Event
	theirs   model.Event
	archived model.Group
}

func newEventSite(t *testing.T, st *store.Store) *eventSite {
	t.Helper()
	ctx := context.Background()
	served := testenv.ServeEngine(t, web.Options{})
	clock := func() time.Time { return pagesNow }
	pages := web.NewGroupPages(served.IRIs).WithEvents(st).WithClock(clock)
	pages.Mount(served.Engine)
	eventPages := web.NewEventPages(st, served.IRIs, nil).WithClock(clock)
	eventPages.Mount(served.Engine)
	documents.NewRoutes(documents.Config{Store: st, IRIs: served.IRIs, GroupPage: pages.Render, EventPage: eventPages.Event}).Mount(served.Engine)

	if _, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	group := func(slug string) model.Group {
		g, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:],
			PostingPolicy: model.PostingAnyone})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	s := &eventSite{t: t, st: st, base: served.Server.URL, lobby: group("lobby"), other: group("other"), archived: group("gone")}
	if err := st.DB().Model(&model.Group{}).Where("id = ?", s.archived.ID).Update("archived_at", pagesNow.Add(-time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	event := func(g model.Group, e model.Event) model.Event {
		e.GroupID, e.JoinMode, e.PublishedAt = g.ID, model.JoinOpen, pagesNow.Add(-48*time.Hour)
		if e.Status == "" {
			e.Status = model.EventConfirmed
		}
		if e.TimeZone == "" {
			e.TimeZone = "Europe/Amsterdam"
		}
		e.ID = model.NewID()
		e.ObjectIRI = served.IRIs.GroupActor(g.Slug) + "/events/" + e.ID
		created, err := st.CreateEvent(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		return created
	}
	winterEnd := winterEvening.Add(150 * time.Minute)
	s.winter = event(s.lobby, model.Event{Title: "Winter party, with songs; bring food", Description: "Soup and songs.\n\nAll welcome.",
		StartsAt: winterEvening, EndsAt: &winterEnd, PlaceName: "De Kring", PlaceAddress: "Dam 1, Amsterdam", Capacity: 10, Sequence: 3,
		ImagePath: "0a1b2c.jpg", ImageAlt: "A lit hall"})
	s.summer = event(s.lobby, model.Event{Title: "Summer picnic", StartsAt: summerEvening, OnlineURL: "https://meet.example/picnic"})
	cancelledAt := pagesNow
	s.off = event(s.lobby, model.Event{Title: "Board games", StartsAt: winterEvening.Add(24 * time.Hour), Status: model.EventCancelled,
		CancelledAt: &cancelledAt, Sequence: 1, PlaceName: "Library"})
	s.past = event(s.lobby, model.Event{Title: "Autumn walk", StartsAt: pagesNow.Add(-10 * 24 * time.Hour), TimeZone: "UTC"})
	s.theirs = event(s.other, model.Event{Title: "Other group's event", StartsAt: winterEvening})
	for i, state := range []model.ParticipantState{model.ParticipantGoing, model.ParticipantGoing, model.ParticipantGoing, model.ParticipantMaybe, model.ParticipantDeclined} {
		actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://remote.example/users/p" + string(rune('a'+i)), Host: "remote.example",
			ActorType: "Person", PreferredUsername: "p" + string(rune('a'+i)), InboxURL: "https://remote.example/inbox", FetchedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SaveParticipant(ctx, model.EventParticipant{EventID: s.winter.ID, RemoteActorID: actor.ID, State: state, Via: model.ViaPoll}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// get fetches path over HTTP and returns the response with its body read.
func (s *eventSite) get(path string, header ...string) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, string(body)
}

// parseCalendar reads an iCalendar stream with emersion/go-ical, a parser independent of the writer.
func parseCalendar(t *testing.T, body string) *goical.Calendar {
	t.Helper()
	cal, err := goical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("parse calendar: %v\n%s", err, body)
	}
	return cal
}

func eventByUID(t *testing.T, cal *goical.Calendar, uid string) goical.Event {
	t.Helper()
	for _, e := range cal.Events() {
		if got, _ := e.Props.Text(goical.PropUID); got == uid {
			return e
		}
	}
	t.Fatalf("no VEVENT with UID %s", uid)
	return goical.Event{}
}

// offsetInForce reads the VTIMEZONE tzid of cal (not Go's zone database) for the UTC offset in
// force at local wall time local: the observance with the latest DTSTART not after it.
func offsetInForce(t *testing.T, cal *goical.Calendar, tzid string, local string) string {
	t.Helper()
	for _, comp := range cal.Children {
		if comp.Name != goical.CompTimezone {
			continue
		}
		if id, _ := comp.Props.Text(goical.PropTimezoneID); id != tzid {
			continue
		}
		best, offset := "", ""
		for _, obs := range comp.Children {
			start := obs.Props.Get(goical.PropDateTimeStart).Value
			if start <= local && start > best {
				best, offset = start, obs.Props.Get(goical.PropTimezoneOffsetTo).Value
			}
		}
		return offset
	}
	t.Fatalf("no VTIMEZONE %s", tzid)
	return ""
}

func TestGroupCalendar(t *testing.T) {
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		s := newEventSite(t, st)
		resp, body := s.get("/groups/lobby/events.ics")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
			t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
			t.Errorf("Cache-Control %q", cc)
		}
		if again, _ := s.get("/groups/lobby/events.ics", "If-None-Match", resp.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
			t.Errorf("unchanged calendar with its ETag: status %d, want 304", again.StatusCode)
		}
		cal := parseCalendar(t, body)
		if n := len(cal.Events()); n != 4 {
			t.Errorf("%d events, want 4 (three upcoming, one past; not the other group's)", n)
		}

		winter := eventByUID(t, cal, s.winter.ObjectIRI)
		dtstart := winter.Props.Get(goical.PropDateTimeStart)
		if tzid := dtstart.Params.Get(goical.ParamTimezoneID); tzid != "Europe/Amsterdam" || dtstart.Value != "20261212T193000" {
			t.Errorf("DTSTART %s;TZID=%s, want 20261212T193000 in Europe/Amsterdam", dtstart.Value, tzid)
		}
		start, err := winter.DateTimeStart(nil)
		if err != nil || !start.Equal(winterEvening) {
			t.Errorf("start %s (err %v), want %s", start.UTC(), err, winterEvening)
		}
		end, err := winter.DateTimeEnd(nil)
		if err != nil || !end.Equal(winterEvening.Add(150*time.Minute)) {
			t.Errorf("end %s (err %v)", end.UTC(), err)
		}
		if off := offsetInForce(t, cal, "Europe/Amsterdam", dtstart.Value); off != "+0100" {
			t.Errorf("the VTIMEZONE gives %q at the winter event, want +0100", off)
		}
		for prop, want := range map[string]string{goical.PropSummary: "Winter party, with songs; bring food", goical.PropSequence: "3",
			goical.PropLocation: "De Kring, Dam 1, Amsterdam", goical.PropDescription: "Soup and songs.\n\nAll welcome.",
			goical.PropStatus: "CONFIRMED", goical.PropURL: s.base + "/groups/lobby/events/" + s.winter.ID} {
			got, _ := winter.Props.Text(prop)
			if prop == goical.PropSequence || prop == goical.PropURL {
				got = winter.Props.Get(prop).Value // INTEGER and URI, not TEXT
			}
			if got != want {
				t.Errorf("%s %q, want %q", prop, got, want)
			}
		}
		if winter.Props.Get(goical.PropDateTimeStamp) == nil {
			t.Error("no DTSTAMP")
		}

		summer := eventByUID(t, cal, s.summer.ObjectIRI)
		start, err = summer.DateTimeStart(nil)
		if err != nil || !start.Equal(summerEvening) {
			t.Errorf("summer start %s (err %v), want %s", start.UTC(), err, summerEvening)
		}
		if off := offsetInForce(t, cal, "Europe/Amsterdam", summer.Props.Get(goical.PropDateTimeStart).Value); off != "+0200" {
			t.Errorf("the VTIMEZONE gives %q at the summer event, want +0200", off)
		}
		if loc, _ := summer.Props.Text(goical.PropLocation); loc != "https://meet.example/picnic" {
			t.Errorf("online event's LOCATION %q", loc)
		}
		if status, _ := eventByUID(t, cal, s.off.ObjectIRI).Props.Text(goical.PropStatus); status != "CANCELLED" {
			t.Errorf("cancelled event's STATUS %q", status)
		}
		past := eventByUID(t, cal, s.past.ObjectIRI)
		if v := past.Props.Get(goical.PropDateTimeStart).Value; !strings.HasSuffix(v, "Z") {
			t.Errorf("an event in UTC starts %q, want a UTC time", v)
		}

		for _, path := range []string{"/groups/nobody/events.ics", "/groups/gone/events.ics"} {
			if resp, _ := s.get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
			}
		}
	})
}

func TestEventCalendarFile(t *testing.T) {
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		s := newEventSite(t, st)
		resp, body := s.get("/groups/lobby/events/" + s.winter.ID + ".ics")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
			t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		cal := parseCalendar(t, body)
		if n := len(cal.Events()); n != 1 {
			t.Fatalf("%d events, want 1", n)
		}
		start, err := cal.Events()[0].DateTimeStart(nil)
		if err != nil || start.UTC().Format("15:04") != "18:30" {
			t.Errorf("19:30 in Amsterdam in winter parsed as %s UTC (err %v), want 18:30", start.UTC().Format("15:04"), err)
		}
		// UID and SEQUENCE: an edit keeps the UID and raises the sequence, so calendar apps update the entry.
		if err := st.UpdateEvent(context.Background(), s.winter.ID, store.EventChange{Title: store.To("Winter party (moved)"),
			StartsAt: store.To(winterEvening.Add(time.Hour)), Sequence: store.To(4)}); err != nil {
			t.Fatal(err)
		}
		_, body = s.get("/groups/lobby/events/" + s.winter.ID + ".ics")
		edited := parseCalendar(t, body).Events()[0]
		if uid, _ := edited.Props.Text(goical.PropUID); uid != s.winter.ObjectIRI {
			t.Errorf("UID after the edit %q, want %q", uid, s.winter.ObjectIRI)
		}
		if seq := edited.Props.Get(goical.PropSequence).Value; seq != "4" {
			t.Errorf("SEQUENCE after the edit %q", seq)
		}
		for _, path := range []string{"/groups/other/events/" + s.winter.ID + ".ics", "/groups/lobby/events/" + s.theirs.ID + ".ics",
			"/groups/lobby/events/nothing.ics"} {
			if resp, _ := s.get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
			}
		}
	})
}

func TestEventPage(t *testing.T) {
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		s := newEventSite(t, st)
		resp, page := s.get("/groups/lobby/events/" + s.winter.ID)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
			t.Errorf("Content-Security-Policy %q", csp)
		}
		for _, want := range []string{
			`<meta property="og:title" content="Winter party, with songs; bring food">`,
			`<meta property="og:type" content="website">`,
			`<meta property="og:url" content="` + s.base + `/groups/lobby/events/` + s.winter.ID + `">`,
			`<meta property="og:image" content="` + s.base + `/media/0a1b2c.jpg">`,
			`<meta property="og:description" content="Saturday 12 December 2026, 19:30–22:00 CET (Europe/Amsterdam) · De Kring, Dam 1, Amsterdam. Soup and songs. All welcome.">`,
			`Saturday 12 December 2026, 19:30–22:00 CET (Europe/Amsterdam)</time>`,
			`<dd>De Kring, Dam 1, Amsterdam</dd>`,
			`<dd>3 people, 1 maybe</dd>`,
			`<dd>10 in all, 7 left</dd>`,
			`<a href="/groups/lobby/events/` + s.winter.ID + `.ics">`,
			`<link rel="alternate" type="text/calendar" href="/groups/lobby/events/` + s.winter.ID + `.ics">`,
			`<img class="banner" src="/media/0a1b2c.jpg" alt="A lit hall">`,
			"<p>Soup and songs.</p>",
			"join it from Mobilizon",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %s", want)
			}
		}
		if strings.Contains(page, "<script") || strings.Contains(page, "This event is cancelled") {
			t.Error("page has a script or says cancelled")
		}

		_, page = s.get("/groups/lobby/events/" + s.off.ID)
		for _, want := range []string{"This event is cancelled.", `<meta property="og:title" content="Cancelled: Board games">`} {
			if !strings.Contains(page, want) {
				t.Errorf("cancelled event's page lacks %s", want)
			}
		}
		if strings.Contains(page, "How to join") {
			t.Error("a cancelled event tells how to join")
		}
		_, page = s.get("/groups/lobby/events/" + s.summer.ID)
		if !strings.Contains(page, `<a href="https://meet.example/picnic" rel="nofollow noopener">`) || !strings.Contains(page, "19:30 CEST (Europe/Amsterdam)") {
			t.Errorf("summer event's page lacks its link or local time:\n%s", page)
		}
		if strings.Contains(page, "og:image") {
			t.Error("og:image for an event without an image")
		}

		for _, path := range []string{"/groups/other/events/" + s.winter.ID, "/groups/lobby/events/" + s.theirs.ID,
			"/groups/gone/events/" + s.winter.ID, "/groups/nobody/events/" + s.winter.ID, "/groups/lobby/events/nothing"} {
			if resp, _ := s.get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
			}
		}
	})
}

func TestGroupPageListsUpcomingEvents(t *testing.T) {
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		s := newEventSite(t, st)
		resp, page := s.get("/groups/lobby", "Accept", "text/html")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, want := range []string{
			`<link rel="alternate" type="text/calendar" href="/groups/lobby/events.ics"`,
			`<a href="/groups/lobby/events/` + s.winter.ID + `">Winter party, with songs; bring food</a>`,
			`<a href="/groups/lobby/events/` + s.summer.ID + `">Summer picnic</a>`,
			`<a href="/groups/lobby/events/` + s.off.ID + `"><s>Board games</s> (cancelled)</a>`,
			`<a href="/groups/lobby/events.ics">`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("group page lacks %s", want)
			}
		}
		if strings.Contains(page, "Autumn walk") || strings.Contains(page, "Other group") {
			t.Error("group page lists a past event or another group's")
		}
		if w, o := strings.Index(page, "Winter party"), strings.Index(page, "Summer picnic"); w > o {
			t.Error("events not soonest first")
		}
	})
}
