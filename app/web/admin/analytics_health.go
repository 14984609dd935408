package admin

import (
	"fmt"
	"time"

	"github.com/kring-social/kring/app/store"
)

// healthFigures is the analytics page's Community health section: how much moderation, reporting
// and support the group needed over the period, and how fast staff answered. Each chart is a
// figureTable like the others (so its table, chart and CSV agree); the period's average first
// response cannot be a column's total, so it is worked out from the sums here.
type healthFigures struct {
	Moderation, Reports, Support, Response figureTable
	// The period's first staff replies to support conversations and the seconds they took together.
	FirstReplies, FirstReplySeconds int64
}

// tables lists the section's tables in the order the page shows them.
func (h healthFigures) tables() []figureTable {
	return []figureTable{h.Moderation, h.Reports, h.Support, h.Response}
}

// FirstResponse is the period's average first response in words ("" when no conversation was
// answered in the period).
func (h healthFigures) FirstResponse() string {
	if h.FirstReplies == 0 {
		return ""
	}
	return spokenDuration(time.Duration(h.FirstReplySeconds/h.FirstReplies) * time.Second)
}

// healthFiguresOf lays out the group's health figures of days (oldest first), a row for every day.
func healthFiguresOf(days []string, byDay map[string]store.GroupDay) healthFigures {
	h := healthFigures{
		Moderation: figureTable{Key: "moderation", Title: "Posts held, declined and removed",
			Summary: "Posts held for review (by pre-moderation, a keyword filter or a limited server), held posts declined, and visible posts removed each day.",
			Columns: []string{"Held", "Declined", "Removed"}, Charted: []int{0, 1, 2}},
		Reports: figureTable{Key: "reports", Title: "Reports",
			Summary: "Reports received about the group (from other servers and filed by staff), and reports resolved and dismissed each day.",
			Columns: []string{"Received", "Resolved", "Dismissed"}, Charted: []int{0, 1, 2}},
		Support: figureTable{Key: "support", Title: "Support conversations",
			Summary: "Support conversations opened (a closed one written in again counts again) and closed each day.",
			Columns: []string{"Opened", "Closed"}, Charted: []int{0, 1}},
		Response: figureTable{Key: "response", Title: "First response to support conversations",
			Summary: "Conversations staff answered for the first time each day, and how long after the member's first message on average, in minutes rounded up.",
			Columns: []string{"First replies", "Average first response (minutes)"}, Charted: []int{1}},
	}
	for _, day := range days {
		d := byDay[day]
		h.Moderation.Rows = append(h.Moderation.Rows, figureRow{day, []int64{d.PostsHeld, d.PostsDeclined, d.PostsRemoved}})
		h.Reports.Rows = append(h.Reports.Rows, figureRow{day, []int64{d.ReportsReceived, d.ReportsResolved, d.ReportsDismissed}})
		h.Support.Rows = append(h.Support.Rows, figureRow{day, []int64{d.SupportOpened, d.SupportClosed}})
		h.Response.Rows = append(h.Response.Rows, figureRow{day, []int64{d.SupportFirstReplies, averageMinutes(d.SupportFirstReplySeconds, d.SupportFirstReplies)}})
		h.FirstReplies += d.SupportFirstReplies
		h.FirstReplySeconds += d.SupportFirstReplySeconds
	}
	return h
}

// averageMinutes is the average of count durations summing to seconds, in whole minutes rounded up:
// a day's answers within the minute show as 1 (answers within the second too, which sum to 0), so 0
// means nothing was answered.
func averageMinutes(seconds, count int64) int64 {
	if count == 0 {
		return 0
	}
	return max((seconds+count*60-1)/(count*60), 1)
}

// spokenDuration says d the way a person would, to the minute ("3 h 5 min"), or in seconds under
// a minute, or days and hours from a day up.
func spokenDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int64(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int64(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h %d min", int64(d/time.Hour), int64(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%d d %d h", int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour))
}
