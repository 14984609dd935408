package admin

import (
	"context"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web/admin/chart"
)

// analyticsPeriods are the periods, in days, the analytics page offers; the first is not the
// default (defaultAnalyticsDays is).
var analyticsPeriods = []int{7, 30, 90}

const (
	defaultAnalyticsDays = 30
	topPostsShown        = 10
)

// analyticsPeriod reads ?days= (7, 30 or 90; 30 when absent).
func analyticsPeriod(days string) (int, error) {
	if days == "" {
		return defaultAnalyticsDays, nil
	}
	n, err := strconv.Atoi(days)
	if err == nil {
		for _, p := range analyticsPeriods {
			if n == p {
				return n, nil
			}
		}
	}
	return 0, apperror.Invalid("days", "must be 7, 30 or 90 (got %q)", days)
}

// requestedPeriod reads the period ?days= asks for, and lists its days (periodDays); when it is not
// one offered it has answered (400).
func (a *Admin) requestedPeriod(c *gin.Context) (int, []string, bool) {
	days, err := analyticsPeriod(c.Query("days"))
	if err != nil {
		a.fail(c, err)
		return 0, nil, false
	}
	return days, periodDays(time.Now(), days), true
}

// figureTable is one chart's figures: a row per day of the period, oldest first, a column per
// figure. The page's table, the CSV and the chart are all drawn from it, so they cannot disagree.
type figureTable struct {
	Key     string // the chart's name in URLs (?chart=)
	Title   string
	Summary string   // what the figures are, for the chart's description
	Columns []string // the figures' names, after the day
	Charted []int    // the columns drawn in the chart
	Rows    []figureRow
}

type figureRow struct {
	Day    string
	Values []int64
}

// Chart draws the table's charted columns as bars per day.
func (t figureTable) Chart() chart.Bars {
	bars := chart.Bars{ID: "chart-" + t.Key, Title: t.Title, Description: t.Summary}
	for _, row := range t.Rows {
		bars.Labels = append(bars.Labels, row.Day[len("2006-"):]) // MM-DD: the period is at most 90 days
	}
	for _, col := range t.Charted {
		series := chart.Series{Name: t.Columns[col]}
		for _, row := range t.Rows {
			series.Values = append(series.Values, row.Values[col])
		}
		bars.Series = append(bars.Series, series)
	}
	return bars
}

// Total is the sum of a column over the period.
func (t figureTable) Total(col int) int64 {
	var sum int64
	for _, row := range t.Rows {
		sum += row.Values[col]
	}
	return sum
}

// figureTables is what the analytics page shows of a group over a period, by chart.
type figureTables struct {
	Members, Deliveries, Engagement figureTable
	Health                          healthFigures // the Community health section (analytics_health.go)
	Mentions                        figureTable
}

// byKey finds a chart's table by its name in URLs. A table left unset has no name and is never
// found: ?chart= empty must not answer with an empty table.
func (f figureTables) byKey(key string) (figureTable, bool) {
	for _, t := range f.all() {
		if t.Key != "" && t.Key == key {
			return t, true
		}
	}
	return figureTable{}, false
}

// all lists every chart's table, in the page's order.
func (f figureTables) all() []figureTable {
	return append([]figureTable{f.Members, f.Deliveries, f.Engagement, f.Mentions}, f.Health.tables()...)
}

// keys lists the charts' names in URLs, for an error that says which are there.
func (f figureTables) keys() []string {
	var keys []string
	for _, t := range f.all() {
		if t.Key != "" {
			keys = append(keys, t.Key)
		}
	}
	return keys
}

// periodDays lists the UTC days of the period ending today, oldest first.
func periodDays(today time.Time, days int) []string {
	list := make([]string, days)
	for i := range list {
		list[i] = store.StatsDay(today.AddDate(0, 0, i-days+1))
	}
	return list
}

// loadFigures reads the group's daily rollups of the period and lays them out as the page's
// tables, a row for every day (zero where nothing happened).
func (a *Admin) loadFigures(ctx context.Context, groupID string, days []string) (figureTables, error) {
	byDay, err := a.cfg.Store.GroupDays(ctx, groupID, days[0], days[len(days)-1])
	if err != nil {
		return figureTables{}, err
	}
	return layOutFigures(days, byDay), nil
}

// layOutFigures lays out daily figures (a group's, or an organisation's summed over its groups) as
// the analytics pages' tables, a row for every day of days (zero where byDay has none).
func layOutFigures(days []string, byDay map[string]store.GroupDay) figureTables {
	f := figureTables{
		Members: figureTable{Key: "members", Title: "Members joined and left",
			Summary: "Members who joined and who left the group each day, and the net growth.",
			Columns: []string{"Joined", "Left", "Net growth"}, Charted: []int{0, 1, 2}},
		Deliveries: figureTable{Key: "deliveries", Title: "Deliveries to other servers",
			Summary: "The group's activities sent to other servers each day: attempts, deliveries that succeeded and that failed for good.",
			Columns: []string{"Attempted", "Succeeded", "Failed"}, Charted: []int{1, 2}},
		Engagement: figureTable{Key: "engagement", Title: "Likes, boosts and replies",
			Summary: "Likes, boosts and replies the group's posts and the members' posts it shared received each day.",
			Columns: []string{"Likes", "Boosts", "Replies"}, Charted: []int{0, 1, 2}},
		// What the group's outside world said to it, which its Mentions tab lists.
		Mentions: figureTable{Key: "mentions", Title: "Mentions by non-members",
			Summary: "Public posts that named the group each day, written by people who do not follow it.",
			Columns: []string{"Mentions"}, Charted: []int{0}},
	}
	for _, day := range days {
		d := byDay[day]
		f.Members.Rows = append(f.Members.Rows, figureRow{day, []int64{d.Joins, d.Leaves, d.Joins - d.Leaves}})
		f.Deliveries.Rows = append(f.Deliveries.Rows, figureRow{day, []int64{d.DeliveriesAttempted, d.DeliveriesSucceeded, d.DeliveriesFailed}})
		f.Engagement.Rows = append(f.Engagement.Rows, figureRow{day, []int64{d.Likes, d.Boosts, d.Replies}})
		f.Mentions.Rows = append(f.Mentions.Rows, figureRow{day, []int64{d.Mentions}})
	}
	f.Health = healthFiguresOf(days, byDay)
	return f
}
