package events

import (
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// When is an event's time as people read it, in the event's own zone: "Saturday 12 December 2026,
// 19:30-22:00 CET (Europe/Amsterdam)", the end's date repeated only when it is another day.
func When(event model.Event) string {
	zone, err := time.LoadLocation(event.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	start := event.StartsAt.In(zone)
	text := start.Format("Monday 2 January 2006, 15:04")
	if event.EndsAt != nil {
		end := event.EndsAt.In(zone)
		if end.YearDay() == start.YearDay() && end.Year() == start.Year() {
			text += "-" + end.Format("15:04")
		} else {
			text += " to " + end.Format("Monday 2 January 2006, 15:04")
		}
	}
	return fmt.Sprintf("%s %s (%s)", text, start.Format("MST"), zone.String())
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
