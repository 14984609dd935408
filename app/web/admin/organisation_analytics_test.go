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
// the rollups, the members and the mentions are served by indexes, so twenty groups with long histories read only
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
		if !strings.Contains(s.SQL, "daily_stats") && !strings.Contains(s.SQL, "server_reach") && !strings.Contains(s.SQL, "follows") && !strings.Contains(s.SQL, "group_mentions") {
			continue
		}
		explained++
		for _, table := range testenv.SeqScans(testenv.Explain(t, conn, s, false)) {
			t.Errorf("no index serves this statement, it reads all of %s:\n%s", table, s.SQL)
		}
	}
	// The groups' and the organisation's rollups, the top posts, the members now, the deliveries per
	// post, the servers reached, the members by server and software, the newest mentions; and the
	// folds of the counts waiting as deltas into the three rollups (the groups', the organisation's,
	// the posts' deliveries).
	if explained != 9+3 {
		t.Errorf("explained %d statements of the rollups, members and mentions, want 9 and 3 folds", explained)
	}
}

// TestOrganisationAnalyticsHealthMentionsReach: the organisation's community health, mentions and
// reach are its groups' (lobby's and desk's, not elsewhere's of another organisation) summed, as
// their own Analytics tabs show them, except the reports, which are the organisation's own count and
// so keep a report of a group since deleted; every table the page shows has a CSV equal to it; the
// newest mentions of both its groups are listed, not the other organisation's.
func TestOrganisationAnalyticsHealthMentionsReach(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		s.member(s.away) // the other organisation's: counted nowhere on acme's page
		alice := s.member(s.lobby)
		s.member(s.lobby)
		// Alice is a member of desk too, and desk has one from another server.
		solo, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://small.example/u/solo", Host: "small.example",
			PreferredUsername: "solo", InboxURL: "https://small.example/u/solo/inbox"})
		if err != nil {
			t.Fatal(err)
		}
		for _, actor := range []model.RemoteActor{alice, solo} {
			if _, err := st.SaveFollow(ctx, model.Follow{GroupID: s.desk.ID, RemoteActorID: actor.ID,
				FollowActivityIRI: actor.IRI + "/follow-desk", State: model.FollowAccepted}); err != nil {
				t.Fatal(err)
			}
		}

		past := store.StatsDay(time.Now().AddDate(0, 0, -3))
		for _, row := range []struct {
			group                                            model.Group
			held, declined, removed, opened, closed, replies int
			seconds, mentions                                int
		}{{s.lobby, 1, 0, 2, 3, 1, 2, 600, 4}, {s.desk, 5, 2, 0, 1, 1, 1, 7200, 1}, {s.away, 100, 100, 100, 100, 100, 100, 100, 100}} {
			err := st.DB().Exec(`INSERT INTO group_daily_stats (group_id, day, posts_held, posts_declined, posts_removed, support_opened,
				support_closed, support_first_replies, support_first_reply_seconds, mentions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				row.group.ID, past, row.held, row.declined, row.removed, row.opened, row.closed, row.replies, row.seconds, row.mentions).Error
			if err != nil {
				t.Fatal(err)
			}
		}
		// A report of lobby, and one of a group deleted since: the organisation counts both.
		gone, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "gone", Name: "Gone"})
		if err != nil {
			t.Fatal(err)
		}
		for _, group := range []model.Group{s.lobby, gone} {
			if _, err := st.CreateReport(ctx, model.Report{OrganisationID: s.lobby.OrganisationID, GroupID: &group.ID,
				Source: model.ReportFromStaff, Content: "spam", Status: model.ReportOpen, TargetPostIRIs: "[]"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.DB().Exec("DELETE FROM groups WHERE id = ?", gone.ID).Error; err != nil {
			t.Fatal(err)
		}

		// Deliveries: lobby's post reached social.example, desk failed there and at down.example;
		// elsewhere's post and its server are another organisation's.
		posts := map[model.Group]model.Post{s.lobby: s.postNow(s.postBy(alice, s.lobby, "<p>Fair in lobby</p>").PostID),
			s.away: s.postNow(s.postBy(s.member(s.away), s.away, "<p>Fair elsewhere</p>").PostID)}
		for group, post := range posts {
			if err := st.DB().Exec(`INSERT INTO post_delivery_daily_stats (post_id, day, group_id, deliveries_attempted, deliveries_succeeded,
				deliveries_failed) VALUES (?, ?, ?, 9, 7, 2)`, post.ID, past, group.ID).Error; err != nil {
				t.Fatal(err)
			}
		}
		// What each group knows of the servers it sent to: desk reached old.example last before
		// the period and failed to it since.
		longAgo := store.StatsDay(time.Now().AddDate(0, 0, -20))
		for _, row := range []struct {
			group                   model.Group
			host                    string
			succeededDay, failedDay any
			failures                int
		}{{s.lobby, "social.example", past, nil, 0}, {s.desk, "social.example", nil, past, 1}, {s.desk, "down.example", nil, past, 2},
			{s.desk, "old.example", longAgo, past, 4}, {s.away, "far.example", nil, past, 5}} {
			if err := st.DB().Exec(`INSERT INTO server_reach (group_id, host, last_succeeded_day, last_failed_day, failures_since_success)
				VALUES (?, ?, ?, ?, ?)`, row.group.ID, row.host, row.succeededDay, row.failedDay, row.failures).Error; err != nil {
				t.Fatal(err)
			}
		}

		// Mentions: one of each group, the other organisation's the newest.
		stranger, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://far.example/u/stranger", Host: "far.example",
			PreferredUsername: "stranger", InboxURL: "https://far.example/u/stranger/inbox"})
		if err != nil {
			t.Fatal(err)
		}
		for i, group := range []model.Group{s.lobby, s.desk, s.away} {
			at := time.Now().Add(time.Duration(i-3) * time.Minute).UTC()
			mention := model.GroupMention{ID: model.NewID(), GroupID: group.ID, ObjectIRI: stranger.IRI + "/notes/" + group.Slug,
				RemoteActorID: stranger.ID, AuthorHost: "far.example", ContentHTML: "<p>Hello " + group.Slug + "</p>", PublishedAt: at, ReceivedAt: at}
			if err := st.DB().Create(&mention).Error; err != nil {
				t.Fatal(err)
			}
		}

		admin := s.loggedIn(acmeAdmin)
		status, page := admin.get("/admin/organisations/acme/analytics?days=7")
		if status != http.StatusOK {
			t.Fatalf("organisation analytics: %d\n%s", status, page)
		}
		groupPages := map[string]string{}
		for _, slug := range []string{"lobby", "desk"} {
			_, groupPages[slug] = admin.get("/admin/groups/" + slug + "/analytics?days=7")
		}
		for _, key := range []string{"moderation", "support", "response", "mentions"} {
			table := figureTableOf(t, page, key)
			lobby, desk := figureTableOf(t, groupPages["lobby"], key), figureTableOf(t, groupPages["desk"], key)
			for i, row := range table[1:] {
				for col := 1; col < len(row); col++ {
					if key == "response" && col == 2 {
						continue // an average, worked out from the sums: below
					}
					want := atoi(t, lobby[i+1][col]) + atoi(t, desk[i+1][col])
					if got := atoi(t, row[col]); got != want || row[0] != lobby[i+1][0] {
						t.Errorf("%s %s %s: %d, want lobby's and desk's %d", key, row[0], table[0][col], got, want)
					}
				}
			}
		}
		// (600 + 7200) seconds over 3 first replies is 44 minutes, rounded up.
		if row := rowOf(figureTableOf(t, page, "response"), past); strings.Join(row, ",") != past+",3,44" {
			t.Errorf("first responses %s: %v, want 3 in 44 minutes on average", past, row)
		}
		if !strings.Contains(page, "<dt>Average first response</dt><dd>43 min (3 answered)</dd>") {
			t.Error("the page does not say 3 conversations answered in 43 minutes on average")
		}
		if row := rowOf(figureTableOf(t, page, "moderation"), past); strings.Join(row, ",") != past+",6,2,2" {
			t.Errorf("posts held, declined, removed %s: %v, want 6, 2, 2", past, row)
		}
		if row := rowOf(figureTableOf(t, page, "mentions"), past); strings.Join(row, ",") != past+",5" {
			t.Errorf("mentions %s: %v, want 5", past, row)
		}
		// Reports received today: lobby's and the deleted group's, though lobby's tab shows one.
		today := store.StatsDay(time.Now())
		if row := rowOf(figureTableOf(t, page, "reports"), today); strings.Join(row, ",") != today+",2,0,0" {
			t.Errorf("reports today: %v, want 2 received", row)
		}
		if row := rowOf(figureTableOf(t, groupPages["lobby"], "reports"), today); strings.Join(row, ",") != today+",1,0,0" {
			t.Errorf("lobby's reports today: %v, want 1 received", row)
		}

		expectReachTables(t, page, map[string]string{
			"post-deliveries": "Post,Attempted,Succeeded,Failed|Fair in lobby,9,7,2",
			// social.example counts once, reached: lobby reached it though desk did not; old.example
			// was reached, but before the period.
			"unreachable-servers": "Server,Failed deliveries since its last success,Marked unreachable now|old.example,4,no|down.example,2,no",
			// Alice counts in lobby and in desk.
			"members-by-server":   "Server,Members|social.example,3|small.example,1",
			"members-by-software": "Software,Members|unknown,4",
		})
		if !strings.Contains(page, `<dd id="servers-reached">1</dd>`) || !strings.Contains(page, `<dd id="servers-unreached">2</dd>`) {
			t.Error("the page does not say 1 server reached and 2 not")
		}

		// Every table linked for download is served, equal to the table.
		links := regexp.MustCompile(`/admin/organisations/acme/analytics\.csv\?chart=([a-z-]+)&amp;days=7`).FindAllStringSubmatch(page, -1)
		seen := map[string]bool{}
		for _, link := range links {
			key := link[1]
			seen[key] = true
			records := csvOf(t, admin, "/admin/organisations/acme/analytics.csv?chart="+key+"&days=7")
			if got, table := strings.Join(flatten(records), "|"), strings.Join(flatten(reachTableOf(t, page, key)), "|"); got != table {
				t.Errorf("%s CSV differs from the table:\n%s\n%s", key, got, table)
			}
		}
		for _, key := range []string{"members", "deliveries", "engagement", "mentions", "moderation", "reports", "support", "response",
			"post-deliveries", "unreachable-servers", "members-by-server", "members-by-software"} {
			if !seen[key] {
				t.Errorf("no CSV link for %s", key)
			}
		}
		for _, chart := range []string{"", "health", "secrets"} {
			status, body := admin.get("/admin/organisations/acme/analytics.csv?chart=" + chart)
			if status != http.StatusBadRequest || !strings.Contains(body, "members-by-software") {
				t.Errorf("?chart=%s: %d, want 400 listing the charts:\n%s", chart, status, body)
			}
		}

		// The newest mentions: desk's, then lobby's; not elsewhere's, though newer.
		list := page[strings.Index(page, `id="newest-mentions-list"`):]
		list = list[:strings.Index(list, "</ul>")]
		desk, lobby := strings.Index(list, "Hello desk"), strings.Index(list, "Hello lobby")
		if desk < 0 || lobby < desk || strings.Contains(list, "Hello elsewhere") {
			t.Errorf("the newest mentions are not desk's then lobby's alone:\n%s", list)
		}
		for _, link := range []string{`href="/admin/groups/desk/mentions">Desk</a>`, `href="https://far.example/u/stranger/notes/lobby"`} {
			if !strings.Contains(list, link) {
				t.Errorf("the newest mentions do not link %s", link)
			}
		}
	})
}
