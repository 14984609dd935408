package web

import (
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/kring-social/kring/app/model"
)

// icalLocal is an iCalendar DATE-TIME in local time, as DTSTART;TZID=... carries it.
const icalLocal = "20060102T150405"

// calendarEvent is an event with the addresses its VEVENT names.
type calendarEvent struct {
	model.Event
	UID string // stable across edits: the event's ActivityStreams id
	URL string // its public page
}

// writeCalendar renders events as an iCalendar (RFC 5545) stream named name. Each event's times
// carry its own zone (TZID) with a VTIMEZONE made from Go's time zone database for the span the
// events cover, so calendar apps show 19:30 in Amsterdam as 19:30 in Amsterdam whatever their
// own zone or zone data.
func writeCalendar(name string, events []calendarEvent) string {
	cal := ics.NewCalendar()
	cal.SetProductId("-//Kring//Events//EN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(name)
	cal.SetXWRCalName(name)
	type span struct{ from, to time.Time }
	zones := map[string]*span{}
	var order []string
	for _, e := range events {
		if _, err := time.LoadLocation(e.TimeZone); err != nil || e.TimeZone == "" || e.TimeZone == "UTC" {
			continue
		}
		end := e.StartsAt
		if e.EndsAt != nil && e.EndsAt.After(end) {
			end = *e.EndsAt
		}
		if z, ok := zones[e.TimeZone]; ok {
			z.from, z.to = earlier(z.from, e.StartsAt), later(z.to, end)
			continue
		}
		zones[e.TimeZone] = &span{from: e.StartsAt, to: end}
		order = append(order, e.TimeZone)
	}
	for _, zone := range order {
		loc, _ := time.LoadLocation(zone)
		cal.AddVTimezone(vtimezone(zone, loc, zones[zone].from, zones[zone].to))
	}
	for _, e := range events {
		cal.AddVEvent(vevent(e))
	}
	return cal.Serialize()
}

func vevent(e calendarEvent) *ics.VEvent {
	v := ics.NewEvent(e.UID)
	v.SetSequence(e.Sequence)
	v.SetDtStampTime(e.UpdatedAt)
	v.SetModifiedAt(e.UpdatedAt)
	v.SetCreatedTime(e.PublishedAt)
	setTime(v, ics.ComponentPropertyDtStart, e.StartsAt, e.TimeZone)
	if e.EndsAt != nil {
		setTime(v, ics.ComponentPropertyDtEnd, *e.EndsAt, e.TimeZone)
	}
	v.SetSummary(e.Title)
	if e.Description != "" {
		v.SetDescription(e.Description)
	}
	if where := eventLocation(e.Event); where != "" {
		v.SetLocation(where)
	}
	if e.URL != "" {
		v.SetURL(e.URL)
	}
	if e.Status == model.EventCancelled {
		v.SetStatus(ics.ObjectStatusCancelled)
	} else {
		v.SetStatus(ics.ObjectStatusConfirmed)
	}
	return v
}

// setTime writes t in zone with its TZID, or in UTC when the zone is UTC or unknown.
func setTime(v *ics.VEvent, property ics.ComponentProperty, t time.Time, zone string) {
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" || zone == "UTC" {
		v.SetProperty(property, t.UTC().Format(icalLocal)+"Z")
		return
	}
	v.SetProperty(property, t.In(loc).Format(icalLocal), ics.WithTZID(zone))
}

// eventLocation is where an event happens: the place's name and address, else its online link.
func eventLocation(e model.Event) string {
	if place := strings.Join(nonEmpty(e.PlaceName, e.PlaceAddress), ", "); place != "" {
		return place
	}
	return webLink(e.OnlineURL)
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// vtimezone describes zone from Go's time zone database: one STANDARD or DAYLIGHT observance per
// period of the zone's rules from the one in force a day before from to the one in force a day after
// to, each starting at its transition (no RRULEs: every change is listed, as the database has it).
func vtimezone(zone string, loc *time.Location, from, to time.Time) *ics.VTimezone {
	tz := ics.NewTimezone(zone)
	t, until := from.Add(-24*time.Hour).In(loc), to.Add(24*time.Hour)
	for range 200 { // a bound on the observances listed
		abbr, offset := t.Zone()
		start, end := t.ZoneBounds()
		before := offset
		if start.IsZero() {
			start = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
		} else {
			_, before = start.Add(-time.Second).In(loc).Zone()
		}
		base := ics.ComponentBase{}
		// DTSTART of an observance is the local time of the change, read in the offset before it.
		base.SetProperty(ics.ComponentPropertyDtStart, start.In(time.FixedZone("", before)).Format(icalLocal))
		base.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(before))
		base.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(offset))
		if abbr != "" {
			base.SetProperty(ics.ComponentProperty(ics.PropertyTzname), abbr)
		}
		if t.IsDST() {
			tz.Components = append(tz.Components, &ics.Daylight{ComponentBase: base})
		} else {
			tz.Components = append(tz.Components, &ics.Standard{ComponentBase: base})
		}
		if end.IsZero() || !end.Before(until) {
			break
		}
		t = end.In(loc)
	}
	return tz
}

// utcOffset writes seconds east of UTC as iCalendar's UTC-OFFSET: +0100, -0330, +001932.
func utcOffset(seconds int) string {
	sign := '+'
	if seconds < 0 {
		sign, seconds = '-', -seconds
	}
	out := fmt.Sprintf("%c%02d%02d", sign, seconds/3600, seconds%3600/60)
	if s := seconds % 60; s != 0 {
		out += fmt.Sprintf("%02d", s)
	}
	return out
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
