package admin_test

import (
	"context"
	"encoding/csv"
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

var (
	figureRowHTML  = regexp.MustCompile(`<tr><th scope="row">([^<]+)</th>((?:<td>[^<]*</td>)+)</tr>`)
	figureCellHTML = regexp.MustCompile(`<td>([^<]*)</td>`)
	columnHTML     = regexp.MustCompile(`<th scope="col">([^<]+)</th>`)
	svgInPage      = regexp.MustCompile(`(?s)<svg .*?</svg>`)
)

// figureTableOf cuts a chart's table out of the analytics page: its header, then a row per day,
// cells as shown.
func figureTableOf(t *testing.T, page, key string) [][]string {
	t.Helper()
	start := strings.Index(page, `<table class="figures" id="`+key+`-table">`)
	if start < 0 {
		t.Fatalf("no %s table on the page", key)
	}
	table := page[start : start+strings.Index(page[start:], "</table>")]
	var header []string
	for _, m := range columnHTML.FindAllStringSubmatch(table, -1) {
		header = append(header, m[1])
	}
	rows := [][]string{header}
	for _, m := range figureRowHTML.FindAllStringSubmatch(table, -1) {
		row := []string{m[1]}
		for _, cell := range figureCellHTML.FindAllStringSubmatch(m[2], -1) {
			row = append(row, cell[1])
		}
		rows = append(rows, row)
	}
	return rows
}

// rowOf finds a day's row in a table cut by figureTableOf; nil when the day is not in it.
func rowOf(rows [][]string, day string) []string {
	for _, row := range rows[1:] {
		if row[0] == day {
			return row
		}
	}
	return nil
}

// TestGroupAnalyticsPage: the Analytics tab shows a group's daily figures over 7, 30 or 90 days as
// charts (well-formed SVG announced as images) each followed by its table, the top posts, and a
// CSV of each chart equal to its table; a past day's figures drop out of a shorter period; other
// periods and charts are refused.
func TestGroupAnalyticsPage(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		alice, bob := s.member(s.lobby), s.member(s.lobby)
		s.member(s.lobby)
		s.member(s.desk) // another group's member: not in lobby's figures
		post := s.postNow(s.postBy(alice, s.lobby, "<p>Our <b>spring</b> fair is on</p>").PostID)
		for _, liker := range []model.RemoteActor{alice, bob} {
			if _, err := st.AddLike(ctx, model.PostLike{PostID: post.ID, RemoteActorID: liker.ID, ActivityIRI: liker.IRI + "/likes/1"}); err != nil {
				t.Fatal(err)
			}
		}
		// Ten days ago more left than joined.
		past := store.StatsDay(time.Now().AddDate(0, 0, -10))
		if err := st.DB().Exec("INSERT INTO group_daily_stats (group_id, day, joins, leaves) VALUES (?, ?, 1, 3)", s.lobby.ID, past).Error; err != nil {
			t.Fatal(err)
		}
		today := store.StatsDay(time.Now())

		mod := s.loggedIn(lobbyMod)
		status, page := mod.get("/admin/groups/lobby/analytics")
		if status != http.StatusOK {
			t.Fatalf("analytics: %d\n%s", status, page)
		}
		if !strings.Contains(page, `href="/admin/groups/lobby/analytics" aria-current="page">Analytics</a>`) {
			t.Error("the group navigation does not mark the Analytics tab")
		}
		members := figureTableOf(t, page, "members")
		if len(members) != 1+30 || strings.Join(members[0], ",") != "Day,Joined,Left,Net growth" {
			t.Fatalf("members table: header %v and %d days, want 30", members[0], len(members)-1)
		}
		if row := rowOf(members, today); strings.Join(row, ",") != today+",3,0,3" {
			t.Errorf("today's members: %v, want 3 joined", row)
		}
		if row := rowOf(members, past); strings.Join(row, ",") != past+",1,3,-2" {
			t.Errorf("ten days ago: %v, want 1 joined, 3 left", row)
		}
		if row := rowOf(figureTableOf(t, page, "engagement"), today); strings.Join(row, ",") != today+",2,0,0" {
			t.Errorf("today's engagement: %v, want 2 likes", row)
		}
		if !strings.Contains(page, "Our spring fair is on</a></td><td>2</td><td>0</td><td>0</td><td>2</td>") {
			t.Error("the liked post is not among the top posts with its 2 likes")
		}
		svgs := svgInPage.FindAllString(page, -1)
		if len(svgs) != 3+1+2+4 { // the daily charts, mentions by non-members, members by server and by software, the Community health section's
			t.Fatalf("%d charts, want 10", len(svgs))
		}
		for _, svg := range svgs {
			if !strings.Contains(svg, `role="img"`) {
				t.Errorf("a chart is not announced as an image: %.80s", svg)
			}
			decoder := xml.NewDecoder(strings.NewReader(svg))
			for {
				if _, err := decoder.Token(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("a chart is not well-formed XML: %v", err)
				}
			}
		}

		for _, key := range []string{"members", "deliveries", "engagement", "mentions"} {
			records := csvOf(t, mod, "/admin/groups/lobby/analytics.csv?chart="+key+"&days=30")
			if got, want := records, figureTableOf(t, page, key); strings.Join(flatten(got), "|") != strings.Join(flatten(want), "|") {
				t.Errorf("%s CSV differs from the table:\n%v\n%v", key, got, want)
			}
		}

		_, week := mod.get("/admin/groups/lobby/analytics?days=7")
		if weekly := figureTableOf(t, week, "members"); len(weekly) != 1+7 || rowOf(weekly, past) != nil || rowOf(weekly, today) == nil {
			t.Errorf("the 7-day table has %d days, ten days ago in it: %t", len(weekly)-1, rowOf(weekly, past) != nil)
		}
		for _, path := range []string{"/admin/groups/lobby/analytics?days=12", "/admin/groups/lobby/analytics.csv?chart=members&days=365",
			"/admin/groups/lobby/analytics.csv?chart=secrets"} {
			if status, _ := mod.get(path); status != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", path, status)
			}
		}
	})
}

// A post held for review counts as shared on the day a moderator approves it, not before.
func TestGroupAnalyticsCountApprovedPosts(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		held := s.newPost(s.desk, "<p>please review</p>", conversations.Held)
		s.newPost(s.desk, "<p>and this one</p>", conversations.Held)
		b := s.loggedIn(deskMod)
		today := store.StatsDay(time.Now())
		shared := func() int64 {
			days, err := st.GroupDays(context.Background(), s.desk.ID, today, today)
			if err != nil {
				t.Fatal(err)
			}
			return days[today].PostsShared
		}
		if n := shared(); n != 0 {
			t.Fatalf("%d posts shared while held, want 0", n)
		}
		if status, _ := b.submit("/admin/groups/desk/queue", "/admin/groups/desk/queue/"+held.ID+"/approve", nil); status != http.StatusSeeOther {
			t.Fatalf("approve: %d", status)
		}
		if n := shared(); n != 1 {
			t.Errorf("%d posts shared after one approval, want 1", n)
		}
	})
}

// csvOf downloads a CSV file and reads its records.
func csvOf(t *testing.T, b *browser, path string) [][]string {
	t.Helper()
	status, body := b.get(path)
	if status != http.StatusOK {
		t.Fatalf("%s: %d %s", path, status, body)
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return records
}

func flatten(rows [][]string) []string {
	var cells []string
	for _, row := range rows {
		cells = append(cells, strings.Join(row, ","))
	}
	return cells
}

// The group's moderators and its organisation's managers (and the instance admin) may read its
// analytics, page and CSV; another group's moderator and another organisation's admin are refused,
// and logged out the browser is sent to log in.
func TestGroupAnalyticsRoles(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		checkRoles(t, s, s.lobby, []roleRoute{
			{name: "analytics", target: func() string { return "/admin/groups/lobby/analytics?days=90" }},
			{name: "analytics CSV", target: func() string { return "/admin/groups/lobby/analytics.csv?chart=deliveries" }},
			{name: "members by server CSV", target: func() string { return "/admin/groups/lobby/analytics.csv?chart=members-by-server" }},
		}, []string{lobbyMod, acmeAdmin, acmeOwner, instanceAdmin}, []string{deskMod, otherAdmin})
	})
}
