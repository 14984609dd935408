package campaigns_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/campaigns"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func mustPeriod(t *testing.T, view, date, zone string) campaigns.Period {
	t.Helper()
	p, err := campaigns.PeriodOf(view, date, zone, time.Now())
	if err != nil {
		t.Fatalf("PeriodOf(%q, %q, %q): %v", view, date, zone, err)
	}
	return p
}

// A month is shown as whole weeks, Monday first, with the days of the months around it; a week is
// Monday to Sunday; the instants bounding either are midnights in the zone, so a week with a change
// of the clocks is an hour shorter or longer.
func TestPeriodRanges(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, view, date, zone string
		first, last            string
		from, to               string // RFC 3339, UTC
		days                   int
	}{
		// March 2026 starts on a Sunday: the grid starts on the Monday before, in February.
		{"month starting on Sunday", "month", "2026-03-15", "UTC", "2026-02-23", "2026-04-05", "2026-02-23T00:00:00Z", "2026-04-06T00:00:00Z", 42},
		// February 2027 starts on a Monday and ends on a Sunday: exactly four weeks, nothing around.
		{"month of whole weeks", "", "2027-02-10", "", "2027-02-01", "2027-02-28", "2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z", 28},
		// Amsterdam moves to summer time on 29 March 2026: the grid starts at midnight CET and ends
		// at midnight CEST.
		{"month across summer time", "month", "2026-03-01", "Europe/Amsterdam", "2026-02-23", "2026-04-05", "2026-02-22T23:00:00Z", "2026-04-05T22:00:00Z", 42},
		{"week of spring forward", "week", "2026-03-25", "Europe/Amsterdam", "2026-03-23", "2026-03-29", "2026-03-22T23:00:00Z", "2026-03-29T22:00:00Z", 7},
		{"week of fall back", "week", "2026-10-25", "Europe/Amsterdam", "2026-10-19", "2026-10-25", "2026-10-18T22:00:00Z", "2026-10-25T23:00:00Z", 7},
		{"week asked on its Monday", "week", "2026-06-01", "America/New_York", "2026-06-01", "2026-06-07", "2026-06-01T04:00:00Z", "2026-06-08T04:00:00Z", 7},
		{"week across the year", "week", "2026-01-01", "Asia/Tokyo", "2025-12-29", "2026-01-04", "2025-12-28T15:00:00Z", "2026-01-04T15:00:00Z", 7},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := mustPeriod(t, c.view, c.date, c.zone)
			if !p.First.Equal(day(c.first)) || !p.Last.Equal(day(c.last)) {
				t.Errorf("days %s to %s, want %s to %s", p.First.Format(time.DateOnly), p.Last.Format(time.DateOnly), c.first, c.last)
			}
			if got := p.From().UTC().Format(time.RFC3339); got != c.from {
				t.Errorf("from %s, want %s", got, c.from)
			}
			if got := p.To().UTC().Format(time.RFC3339); got != c.to {
				t.Errorf("to %s, want %s", got, c.to)
			}
			days := p.Days()
			if len(days) != c.days || days[0].Weekday() != time.Monday || days[len(days)-1].Weekday() != time.Sunday {
				t.Errorf("%d days from %s to %s, want %d Monday to Sunday", len(days), days[0].Weekday(), days[len(days)-1].Weekday(), c.days)
			}
		})
	}
}

func TestPeriodSteps(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		view, date, previous, next string
	}{
		{"month", "2026-01-31", "2025-12-01", "2026-02-01"},
		{"month", "2026-03-29", "2026-02-01", "2026-04-01"},
		{"week", "2026-03-04", "2026-02-23", "2026-03-09"},
		// At the edges of the years shown, the step stays where it is.
		{"month", "1970-01-10", "1970-01-10", "1970-02-01"},
		{"month", "2199-12-10", "2199-11-01", "2199-12-10"},
	} {
		p := mustPeriod(t, c.view, c.date, "UTC")
		if got := p.Previous().Format(time.DateOnly); got != c.previous {
			t.Errorf("%s %s: previous %s, want %s", c.view, c.date, got, c.previous)
		}
		if got := p.Next().Format(time.DateOnly); got != c.next {
			t.Errorf("%s %s: next %s, want %s", c.view, c.date, got, c.next)
		}
	}
}

// Without a date the period is about today in the zone asked for, not on the server's clock.
func TestPeriodTodayIsTheZones(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC)
	p, err := campaigns.PeriodOf("month", "", "Europe/Amsterdam", now)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Anchor.Equal(day("2026-04-01")) || p.First.Format(time.DateOnly) != "2026-03-30" {
		t.Errorf("anchor %s, first %s; want April 2026", p.Anchor.Format(time.DateOnly), p.First.Format(time.DateOnly))
	}
	if p.InMonth(day("2026-03-31")) || !p.InMonth(day("2026-04-30")) {
		t.Error("InMonth does not follow the month asked for")
	}
}

func TestPeriodRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ view, date, zone, field string }{
		{"year", "", "", "view"},
		{"Month", "", "", "view"},
		{"", "2026-02-30", "", "date"},
		{"", "2026-1-5", "", "date"},
		{"", "05/01/2026", "", "date"},
		{"", "1969-12-31", "", "date"},
		{"", "2200-01-01", "", "date"},
		{"", "0001-01-01", "", "date"},
		{"", "99999-01-01", "", "date"},
		{"", "", "Mars/Olympus", "zone"},
		{"", "", "Local", "zone"},
		{"", "", "local", "zone"},
		{"", "", "../../etc/passwd", "zone"},
		{"", "", "Europe/Amsterdam\x00", "zone"},
		{"", "", strings.Repeat("A", 5000), "zone"},
	} {
		_, err := campaigns.PeriodOf(c.view, c.date, c.zone, time.Now())
		var appErr *apperror.Error
		if apperror.KindOf(err) != apperror.KindInvalid || !errors.As(err, &appErr) || appErr.Field != c.field {
			t.Errorf("PeriodOf(%q, %q, %q) = %v, want invalid %s", c.view, c.date, clipped(c.zone), err, c.field)
		}
	}
}

func clipped(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
