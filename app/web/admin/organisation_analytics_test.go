package admin_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// groupRowOf cuts a group's row out of the organisation page's per-group table: its cells after the
// group's name; nil when the group is not in it.
func groupRowOf(t *testing.T, page, slug string) []string {
	t.Helper()
	row := regexp.MustCompile(`<a href="/admin/groups/` + slug + `/analytics\?days=\d+">[^<]+</a>[^\n]*?</th>((?:<td>[^<]*</td>)+)</tr>`).FindStringSubmatch(page)
	if row == nil {
		return nil
	}
	var cells []string
	for _, cell := range figureCellHTML.FindAllStringSubmatch(row[1], -1) {
		cells = append(cells, cell[1])
	}
	return cells
}

// TestOrganisationAnalyticsPage: the organisation's page shows, per day, the sum of its groups'
// figures as their own Analytics tabs show them (another organisation's group not counted), each
// chart's CSV equal to its table, a row per group for the period with its members now, and the top
// posts of all its groups; other periods and charts are refused.
func TestOrganisationAnalyticsPage(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		alice, bob := s.member(s.lobby), s.member(s.lobby)
		carol := s.member(s.desk)
		dave := s.member(s.away)
		liked := map[model.Group]model.RemoteActor{s.lobby: alice, s.away: dave}
		posts := map[model.Group]model.Post{}
		for group, author := range liked {
			posts[group] = s.postNow(s.postBy(author, group, "<p>News of "+group.Slug+"</p>").PostID)
			for _, liker := range []model.RemoteActor{author, bob, carol} {
				if _, err := st.AddLike(ctx, model.PostLike{PostID: posts[group].ID, RemoteActorID: liker.ID, ActivityIRI: liker.IRI + "/likes/" + group.Slug}); err != nil {
					t.Fatal(err)
				}
			}
		}
		past := store.StatsDay(time.Now().AddDate(0, 0, -10))
		for _, row := range []struct {
			group                        model.Group
			joins, leaves, sent, refused int
		}{{s.lobby, 1, 3, 5, 0}, {s.desk, 0, 1, 7, 2}, {s.away, 100, 0, 1000, 0}} {
			err := st.DB().Exec(`INSERT INTO group_daily_stats (group_id, day, joins, leaves, deliveries_attempted, deliveries_succeeded,
				deliveries_failed) VALUES (?, ?, ?, ?, ?, ?, ?)`, row.group.ID, past, row.joins, row.leaves, row.sent+row.refused, row.sent, row.refused).Error
			if err != nil {
				t.Fatal(err)
			}
		}

		admin := s.loggedIn(acmeAdmin)
		status, page := admin.get("/admin/organisations/acme/analytics")
		if status != http.StatusOK {
			t.Fatalf("organisation analytics: %d\n%s", status, page)
		}
		if !strings.Contains(page, `href="/admin/organisations/acme/analytics" aria-current="page">Analytics</a>`) {
			t.Error("the organisation's navigation does not mark its Analytics page")
		}
		groupPages := map[string]string{}
		for _, slug := range []string{"lobby", "desk"} {
			_, groupPages[slug] = admin.get("/admin/groups/" + slug + "/analytics")
		}
		for _, key := range []string{"members", "deliveries", "engagement"} {
			table := figureTableOf(t, page, key)
			if len(table) != 1+30 {
				t.Fatalf("%s table: %d days, want 30", key, len(table)-1)
			}
			lobby, desk := figureTableOf(t, groupPages["lobby"], key), figureTableOf(t, groupPages["desk"], key)
			for i, row := range table[1:] {
				for col := 1; col < len(row); col++ {
					want := atoi(t, lobby[i+1][col]) + atoi(t, desk[i+1][col])
					if got := atoi(t, row[col]); got != want || row[0] != lobby[i+1][0] {
						t.Errorf("%s %s %s: %d, want lobby's and desk's %d", key, row[0], table[0][col], got, want)
					}
				}
			}
			records := csvOf(t, admin, "/admin/organisations/acme/analytics.csv?chart="+key+"&days=30")
			if strings.Join(flatten(records), "|") != strings.Join(flatten(table), "|") {
				t.Errorf("%s CSV differs from the table:\n%v\n%v", key, records, table)
			}
		}
		// The sums are not vacuous: ten days ago lobby and desk sent 12 and failed 2, away's 1000 left out.
		if row := rowOf(figureTableOf(t, page, "deliveries"), past); strings.Join(row, ",") != past+",14,12,2" {
			t.Errorf("ten days ago: %v, want 14 attempted, 12 succeeded, 2 failed", row)
		}
		// Joined 3 (2 today, 1 ten days ago), left 3, 2 members now, 1 post, 5 and 0 deliveries, 3 likes.
		if row := groupRowOf(t, page, "lobby"); strings.Join(row, ",") != "3,3,2,1,5,0,3,0,0" {
			t.Errorf("lobby's row: %v", row)
		}
		if row := groupRowOf(t, page, "desk"); strings.Join(row, ",") != "1,1,1,0,7,2,0,0,0" {
			t.Errorf("desk's row: %v", row)
		}
		if groupRowOf(t, page, "elsewhere") != nil || strings.Contains(page, "News of elsewhere") {
			t.Error("the other organisation's group is on the page")
		}
		if !strings.Contains(page, "News of lobby</a></td><td>Lobby</td><td>3</td><td>0</td><td>0</td><td>3</td>") {
			t.Error("lobby's liked post is not among the top posts with its group and 3 likes")
		}

		_, week := admin.get("/admin/organisations/acme/analytics?days=7")
		if weekly := figureTableOf(t, week, "deliveries"); len(weekly) != 1+7 || rowOf(weekly, past) != nil {
			t.Errorf("the 7-day table has %d days, ten days ago in it: %t", len(weekly)-1, rowOf(weekly, past) != nil)
		}
		for path, want := range map[string]int{"/admin/organisations/acme/analytics?days=12": http.StatusBadRequest,
			"/admin/organisations/acme/analytics.csv?chart=members&days=365": http.StatusBadRequest,
			"/admin/organisations/acme/analytics.csv?chart=secrets":          http.StatusBadRequest,
			"/admin/organisations/nobody/analytics":                          http.StatusNotFound} {
			if status, _ := admin.get(path); status != want {
				t.Errorf("%s: %d, want %d", path, status, want)
			}
		}
	})
}

func atoi(t *testing.T, cell string) int {
	t.Helper()
	n, err := strconv.Atoi(cell)
	if err != nil {
		t.Fatalf("%q is not a figure", cell)
	}
	return n
}

// The organisation's managers and the instance admin may read its analytics, page and CSV; a
// moderator of one of its groups and another organisation's admin are refused. The navigation's
// Analytics link leads a manager to their organisation's page and refuses a moderator.
func TestOrganisationAnalyticsRoles(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		checkRoles(t, s, s.lobby, []roleRoute{
			{name: "organisation analytics", target: func() string { return "/admin/organisations/acme/analytics?days=7" }},
			{name: "organisation analytics CSV", target: func() string { return "/admin/organisations/acme/analytics.csv?chart=members" }},
		}, []string{acmeAdmin, acmeOwner, instanceAdmin}, []string{lobbyMod, deskMod, otherAdmin})

		if status, _ := s.loggedIn(lobbyMod).get("/admin/analytics"); status != http.StatusForbidden {
			t.Errorf("/admin/analytics as a moderator: %d, want 403", status)
		}
		_, calendar := s.loggedIn(lobbyMod).get("/admin/organisations/acme/calendar")
		if strings.Contains(calendar, "/admin/organisations/acme/analytics") {
			t.Error("a moderator's calendar links the organisation's analytics, which would refuse her")
		}
		status, _ := s.loggedIn(otherAdmin).get("/admin/analytics")
		if status != http.StatusSeeOther {
			t.Errorf("/admin/analytics as other's admin: %d, want 303", status)
		}
	})
}

// The organisation's page costs the same statements however many groups it has, and those reading
// the rollups and the members are served by indexes, so twenty groups with long histories read only
// their rows of the period.
func TestOrganisationAnalyticsQueriesStayBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	s := newSite(t, st)
	admin := s.loggedIn(acmeAdmin)
	recorder := testenv.RecordStatements(t, st)
	statementsOfPage := func() []testenv.Statement {
		return recorder.During(func() {
			if status, page := admin.get("/admin/organisations/acme/analytics?days=90"); status != http.StatusOK {
				t.Fatalf("organisation analytics: %d\n%s", status, page)
			}
		})
	}
	addHistory := func(group model.Group) {
		for days := range 120 {
			err := st.DB().Exec("INSERT INTO group_daily_stats (group_id, day, joins, deliveries_attempted) VALUES (?, ?, 1, 2)",
				group.ID, store.StatsDay(time.Now().AddDate(0, 0, -days))).Error
			if err != nil {
				t.Fatal(err)
			}
		}
		s.member(group)
	}
	addHistory(s.lobby)
	two := len(statementsOfPage())
	for i := range 4 {
		group, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "more" + strconv.Itoa(i), Name: "More"})
		if err != nil {
			t.Fatal(err)
		}
		addHistory(group)
	}
	statements := statementsOfPage()
	if len(statements) != two {
		t.Errorf("the page ran %d statements for 2 groups and %d for 6", two, len(statements))
	}
	conn := testenv.Conn(t, st)
	if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	explained := 0
	for _, s := range statements {
		if !strings.Contains(s.SQL, "daily_stats") && !strings.Contains(s.SQL, "follows") {
			continue
		}
		explained++
		for _, table := range testenv.SeqScans(testenv.Explain(t, conn, s, false)) {
			t.Errorf("no index serves this statement, it reads all of %s:\n%s", table, s.SQL)
		}
	}
	if explained != 4 {
		t.Errorf("explained %d statements of the rollups and members, want 4 (two rollups, top posts, members)", explained)
	}
}
