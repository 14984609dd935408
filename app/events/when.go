package events

import (
	"time"

	"github.com/kring-social/kring/app/model"
)

// When is an event's time as people read it, in the event's own zone: "Saturday 12 December 2026,
// 19:30–22:00 CET (Europe/Amsterdam)"; an end on another day gives both dates, each with its zone's
// abbreviation (the clocks may have changed in between).
func When(event model.Event) string {
	zone, err := time.LoadLocation(event.TimeZone)
	if err != nil || event.TimeZone == "" {
		zone = time.UTC
	}
	start := event.StartsAt.In(zone)
	text := start.Format("Monday 2 January 2006, 15:04")
	last := start
	if event.EndsAt != nil {
		end := event.EndsAt.In(zone)
		if end.Format("20060102") == start.Format("20060102") {
			text += "–" + end.Format("15:04")
		} else {
			text += " " + start.Format("MST") + " – " + end.Format("Monday 2 January 2006, 15:04")
			last = end
		}
	}
	text += " " + last.Format("MST")
	if zone != time.UTC {
		text += " (" + zone.String() + ")"
	}
	return text
}

// Where is an event's place as one line: its name and address, or its online link.
func Where(event model.Event) string {
	switch {
	case event.PlaceName != "" && event.PlaceAddress != "":
		return event.PlaceName + ", " + event.PlaceAddress
	case event.PlaceName != "" || event.PlaceAddress != "":
		return event.PlaceName + event.PlaceAddress
	case event.OnlineURL != "":
		return "Online: " + event.OnlineURL
	}
	return ""
}
