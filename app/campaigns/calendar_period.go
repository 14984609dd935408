package campaigns

import (
	"strings"
	"time"

	"github.com/kring-social/kring/app/apperror"
)

// View is how much of the calendar one page shows.
type View string

const (
	MonthView View = "month"
	WeekView  View = "week"
)

// The calendar shows days in these years only: enough for any plan, and far from the edges of what
// either database and Go's dates hold.
const (
	FirstYear = 1970
	LastYear  = 2199
)

// maxZoneName bounds a zone name: the longest IANA names are about 30 characters.
const maxZoneName = 64

// Period is the days one calendar page shows, in its time zone: a month as whole weeks, Monday
// first, with the days of the months before and after that fill them; or one week, Monday to Sunday.
// Days are dates: midnight UTC of their year, month and day, whatever the zone.
type Period struct {
	View        View
	Zone        *time.Location
	Anchor      time.Time // the day asked for
	First, Last time.Time // the first and last day shown
}

// PeriodOf reads a calendar request: view (month when empty), date as YYYY-MM-DD (today in the zone
// when empty) and zone, an IANA name (UTC when empty). What it cannot read is invalid, naming the
// field.
func PeriodOf(view, date, zone string, now time.Time) (Period, error) {
	var p Period
	switch View(view) {
	case MonthView, "":
		p.View = MonthView
	case WeekView:
		p.View = WeekView
	default:
		return p, apperror.Invalid("view", "must be month or week")
	}
	location, err := loadZone(zone)
	if err != nil {
		return p, err
	}
	p.Zone = location
	if date == "" {
		p.Anchor = dayOf(now.In(location))
	} else if p.Anchor, err = time.Parse(time.DateOnly, date); err != nil {
		return p, apperror.Invalid("date", "must be a date written YYYY-MM-DD (got %q)", clip(date))
	}
	if p.Anchor.Year() < FirstYear || p.Anchor.Year() > LastYear {
		return p, apperror.Invalid("date", "must be between %d and %d", FirstYear, LastYear)
	}
	p.First, p.Last = p.bounds()
	return p, nil
}

// loadZone is the IANA zone name, UTC for none. "Local" is refused: it is the server's zone, which
// means nothing to the reader.
func loadZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	location, err := time.LoadLocation(name)
	if err != nil || len(name) > maxZoneName || strings.EqualFold(name, "Local") {
		return nil, apperror.Invalid("zone", "%q is not an IANA time zone such as Europe/Amsterdam", clip(name))
	}
	return location, nil
}

// clip keeps what a refusal quotes back short.
func clip(s string) string {
	if len(s) > maxZoneName {
		return s[:maxZoneName] + "…"
	}
	return s
}

// bounds are the first and last day the period shows.
func (p Period) bounds() (first, last time.Time) {
	if p.View == WeekView {
		first = mondayOf(p.Anchor)
		return first, first.AddDate(0, 0, 6)
	}
	start := time.Date(p.Anchor.Year(), p.Anchor.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, -1)
	return mondayOf(start), mondayOf(end).AddDate(0, 0, 6)
}

// dayOf is the date t shows on its own clock, as a Period keeps dates.
func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// mondayOf is the Monday of day's week.
func mondayOf(day time.Time) time.Time {
	sinceMonday := (int(day.Weekday()) + 6) % 7
	return day.AddDate(0, 0, -sinceMonday)
}

// From is the instant the period starts: midnight of its first day in its zone.
func (p Period) From() time.Time { return p.midnight(p.First) }

// To is the instant the period ends: midnight after its last day in its zone. With a change of the
// clocks inside, the period is an hour shorter or longer than whole days of 24 hours.
func (p Period) To() time.Time { return p.midnight(p.Last.AddDate(0, 0, 1)) }

// midnight is the first instant of day in the period's zone. Where the clocks jump over midnight,
// Go's normalisation gives the instant the day starts at.
func (p Period) midnight(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, p.Zone)
}

// Days lists the dates the period shows, first to last.
func (p Period) Days() []time.Time {
	var days []time.Time
	for d := p.First; !d.After(p.Last); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	return days
}

// DayOf is the date instant t falls on in the period's zone.
func (p Period) DayOf(t time.Time) time.Time { return dayOf(t.In(p.Zone)) }

// InMonth reports whether day is of the month a month view is about (always, for a week).
func (p Period) InMonth(day time.Time) bool {
	return p.View == WeekView || (day.Year() == p.Anchor.Year() && day.Month() == p.Anchor.Month())
}

// Previous is a day of the period before this one; Next of the one after. Both stay within the
// years the calendar shows (the same period at the edges).
func (p Period) Previous() time.Time { return p.step(-1) }

// Next is a day of the period after this one.
func (p Period) Next() time.Time { return p.step(1) }

func (p Period) step(n int) time.Time {
	var day time.Time
	if p.View == WeekView {
		day = p.First.AddDate(0, 0, 7*n)
	} else {
		day = time.Date(p.Anchor.Year(), p.Anchor.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	}
	if day.Year() < FirstYear || day.Year() > LastYear {
		return p.Anchor
	}
	return day
}
