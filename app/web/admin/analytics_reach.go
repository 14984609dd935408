package admin

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
	"github.com/kring-social/kring/app/web/admin/chart"
)

// How much of the reach the page lists: enough to act on, bounded however large the group.
const (
	postsReachShown   = 20
	unreachableShown  = 50
	memberSharesShown = 10
)

// reachTable is one table of the page's reach sections, its cells as the page shows them. The CSV
// is its header and rows as they are, so the two cannot disagree.
type reachTable struct {
	Key     string // the table's name in URLs (?chart=)
	Title   string
	Summary string   // what the figures are, for the chart's description
	Columns []string // the rows' heading first, then the figures'
	Rows    []reachRow
	Charted bool   // drawn as a horizontal bar chart above the table
	Empty   string // said instead of an empty table
}

type reachRow struct {
	Label string   // the row's heading: a post's excerpt, a server, a software
	Href  string   // where the heading links to; empty for none
	Cells []string // the figures, as shown
	Bar   int64    // the figure the chart draws for the row
}

// Chart draws the table's rows as horizontal bars.
func (t reachTable) Chart() chart.HBars {
	bars := chart.HBars{ID: "chart-" + t.Key, Title: t.Title, Description: t.Summary}
	for _, row := range t.Rows {
		bars.Labels, bars.Values = append(bars.Labels, row.Label), append(bars.Values, row.Bar)
	}
	return bars
}

// records are the table as CSV records: the header, then a record per row.
func (t reachTable) records() [][]string {
	records := [][]string{t.Columns}
	for _, row := range t.Rows {
		records = append(records, append([]string{row.Label}, row.Cells...))
	}
	return records
}

// records are a daily figures table as CSV records: the header, then a record per day.
func (t figureTable) records() [][]string {
	records := [][]string{append([]string{"Day"}, t.Columns...)}
	for _, row := range t.Rows {
		records = append(records, append([]string{row.Day}, countCells(row.Values...)...))
	}
	return records
}

// reachFigures is how far the group's work went: its posts' deliveries and the servers reached over
// the period, and where its members are now.
type reachFigures struct {
	Posts            reachTable
	ServersReached   int64
	ServersUnreached int64
	Unreachable      reachTable // at most unreachableShown of ServersUnreached
	MemberServers    reachTable
	MemberSoftware   reachTable
}

// byKey finds a reach table by its name in URLs; an unset table, nameless, is never found.
func (r reachFigures) byKey(key string) (reachTable, bool) {
	for _, t := range r.tables() {
		if t.Key != "" && t.Key == key {
			return t, true
		}
	}
	return reachTable{}, false
}

// tables lists the reach tables in the page's order.
func (r reachFigures) tables() []reachTable {
	return []reachTable{r.Posts, r.Unreachable, r.MemberServers, r.MemberSoftware}
}

// keys lists the reach tables' names in URLs, for an error that says which are there.
func (r reachFigures) keys() []string {
	var keys []string
	for _, t := range r.tables() {
		keys = append(keys, t.Key)
	}
	return keys
}

// groupReach is one group's reach, as its Analytics tab shows it.
func groupReach(groupID string) reachOf { return reachOf{store.OfGroup(groupID), "the group"} }

// reachOf is whose reach a page shows: the store's scope of its reads, and how the page's sentences
// name it ("the group", "the organisation's groups").
type reachOf struct {
	scope store.StatsScope
	whose string
}

// loadReach reads the reach of whose over the period (days, oldest first) and its members now, and
// lays them out as the page's tables.
func (a *Admin) loadReach(ctx context.Context, whose reachOf, days []string) (reachFigures, error) {
	from, through := days[0], days[len(days)-1]
	posts, err := a.cfg.Store.PostsReach(ctx, whose.scope, from, through, postsReachShown)
	if err != nil {
		return reachFigures{}, err
	}
	servers, err := a.cfg.Store.ServersReached(ctx, whose.scope, from, unreachableShown) // periods end today
	if err != nil {
		return reachFigures{}, err
	}
	byServer, bySoftware, err := a.cfg.Store.MembersByServerAndSoftware(ctx, whose.scope, memberSharesShown)
	if err != nil {
		return reachFigures{}, err
	}
	r := reachFigures{ServersReached: servers.Reached, ServersUnreached: servers.UnreachableTotal,
		Posts: reachTable{Key: "post-deliveries", Title: "Deliveries per post",
			Columns: []string{"Post", "Attempted", "Succeeded", "Failed"},
			Empty:   "No post of " + whose.whose + " was delivered in this period."},
		Unreachable: reachTable{Key: "unreachable-servers", Title: "Servers not reached",
			Columns: []string{"Server", "Failed deliveries since its last success", "Marked unreachable now"},
			Empty:   "Every server " + whose.whose + " sent to took at least one delivery."},
		MemberServers: memberShareTable(byServer, whose.whose, "members-by-server", "Members by server", "Server", "Other servers", ""),
		MemberSoftware: memberShareTable(bySoftware, whose.whose, "members-by-software", "Members by server software", "Software",
			"Other software", "unknown"),
	}
	for _, p := range posts {
		label := excerpt(textinput.PlainText(p.ContentHTML), 120)
		if label == "" {
			label = p.ObjectIRI
		}
		r.Posts.Rows = append(r.Posts.Rows, reachRow{Label: label, Href: p.ObjectIRI, Bar: p.Succeeded,
			Cells: countCells(p.Attempted, p.Succeeded, p.Failed)})
	}
	for _, s := range servers.Unreachable {
		marked := "no"
		if s.MarkedNow {
			marked = "yes"
		}
		r.Unreachable.Rows = append(r.Unreachable.Rows, reachRow{Label: s.Host, Bar: s.FailedSinceSuccess,
			Cells: append(countCells(s.FailedSinceSuccess), marked)})
	}
	return r, nil
}

// memberShareTable lays out the largest shares of the members of whose, then the rest together as
// others with how many servers (or programs) they are on; a share with no name is called unnamed.
func memberShareTable(shares store.MemberShares, whose, key, title, heading, others, unnamed string) reachTable {
	t := reachTable{Key: key, Title: title, Charted: true, Columns: []string{heading, "Members"},
		Summary: fmt.Sprintf("The members of %s now, by %s: the %d largest shares, then the others together.",
			whose, strings.ToLower(heading), memberSharesShown),
		Empty: "No members yet."}
	for _, share := range shares.Top {
		label := share.Name
		if label == "" {
			label = unnamed
		}
		t.Rows = append(t.Rows, reachRow{Label: label, Cells: countCells(share.Members), Bar: share.Members})
	}
	if shares.OtherMembers > 0 {
		t.Rows = append(t.Rows, reachRow{Label: fmt.Sprintf("%s (%d)", others, shares.OtherKinds),
			Cells: countCells(shares.OtherMembers), Bar: shares.OtherMembers})
	}
	return t
}

// countCells writes counts as the tables show them.
func countCells(counts ...int64) []string {
	cells := make([]string, len(counts))
	for i, n := range counts {
		cells[i] = strconv.FormatInt(n, 10)
	}
	return cells
}
