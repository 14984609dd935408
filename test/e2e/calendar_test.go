package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// checkCalendar reads an iCalendar feed with an independent parser (emersion/go-ical) and fails
// unless the event named summary starts at hour:minute on the wall clock of zone, with that zone
// named on its start.
func checkCalendar(t *testing.T, feed, summary, zone string, hour, minute int) {
	t.Helper()
	resp, err := http.Get(feed)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", feed, resp.Status)
	}
	calendar, err := ical.NewDecoder(resp.Body).Decode()
	if err != nil {
		t.Fatalf("%s does not parse: %v", feed, err)
	}
	location, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	for _, event := range calendar.Events() {
		if name, _ := event.Props.Text(ical.PropSummary); name != summary {
			continue
		}
		start := event.Props.Get(ical.PropDateTimeStart)
		if start == nil || start.Params.Get(ical.ParamTimezoneID) != zone {
			t.Fatalf("%s in %s starts %+v, want its start in %s", summary, feed, start, zone)
		}
		at, err := start.DateTime(location)
		if err != nil || at.In(location).Hour() != hour || at.In(location).Minute() != minute {
			t.Fatalf("%s in %s starts at %s (%v), want %02d:%02d in %s", summary, feed, at, err, hour, minute, zone)
		}
		return
	}
	t.Fatalf("%s lists no %q", feed, summary)
}
