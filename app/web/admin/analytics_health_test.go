package admin_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// healthOf sums a group's health figures over all its days, so a test running across midnight UTC
// still sees all it caused.
func (s *site) healthOf(group model.Group) store.GroupDay {
	s.t.Helper()
	var sums []string
	for _, column := range []string{"posts_held", "posts_declined", "posts_removed", "reports_received", "reports_resolved",
		"reports_dismissed", "support_opened", "support_closed", "support_first_replies", "support_first_reply_seconds"} {
		sums = append(sums, "COALESCE(SUM("+column+"), 0) AS "+column)
	}
	if err := s.store.FoldDailyCounts(context.Background()); err != nil {
		s.t.Fatal(err)
	}
	var sum store.GroupDay
	if err := s.store.DB().Table("group_daily_stats").Select(strings.Join(sums, ", ")).Where("group_id = ?", group.ID).Scan(&sum).Error; err != nil {
		s.t.Fatal(err)
	}
	return sum
}

// expectHealth compares one figure of a group's health with what the test has done so far.
func (s *site) expectHealth(group model.Group, after string, figure func(store.GroupDay) int64, want int64) {
	s.t.Helper()
	if got := figure(s.healthOf(group)); got != want {
		s.t.Errorf("after %s: %d, want %d", after, got, want)
	}
}

func held(d store.GroupDay) int64      { return d.PostsHeld }
func declined(d store.GroupDay) int64  { return d.PostsDeclined }
func removed(d store.GroupDay) int64   { return d.PostsRemoved }
func received(d store.GroupDay) int64  { return d.ReportsReceived }
func resolved(d store.GroupDay) int64  { return d.ReportsResolved }
func dismissed(d store.GroupDay) int64 { return d.ReportsDismissed }
func opened(d store.GroupDay) int64    { return d.SupportOpened }
func closed(d store.GroupDay) int64    { return d.SupportClosed }
func answered(d store.GroupDay) int64  { return d.SupportFirstReplies }

// Posts held for review count when stored held (or held again by an edit a filter catches),
// declined and removed when a moderator does it through the admin, once: declining or removing
// again is refused and counts nothing; an edit caught by a rejecting filter counts as removed.
func TestHealthCountsModeration(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		first := s.newPost(s.desk, "<p>please review</p>", conversations.Held)
		contested := s.newPost(s.desk, "<p>and this one</p>", conversations.Held)
		s.expectHealth(s.desk, "two posts held by pre-moderation", held, 2)

		// Two moderators decline the same post at once: one wins, the other is told it is declined.
		var wg sync.WaitGroup
		refusals := make(chan error, 2)
		for range 2 {
			wg.Go(func() {
				_, err := s.talk.Decline(ctx, contested.ID, nil, "both saw it")
				refusals <- err
			})
		}
		wg.Wait()
		close(refusals)
		var conflicts int
		for err := range refusals {
			if apperror.KindOf(err) == apperror.KindConflict {
				conflicts++
			} else if err != nil {
				t.Fatal(err)
			}
		}
		if conflicts != 1 {
			t.Errorf("%d of two declines at once refused, want 1", conflicts)
		}
		s.expectHealth(s.desk, "two declines at once", declined, 1)

		desk, queue := s.loggedIn(deskMod), "/admin/groups/desk/queue"
		decline := queue + "/" + first.ID + "/decline"
		if status, _ := desk.submit(queue, decline, url.Values{"reason": {"off topic"}}); status != http.StatusSeeOther {
			t.Fatalf("decline: %d", status)
		}
		if status, _ := desk.submit(queue, decline, url.Values{"reason": {"off topic"}}); status != http.StatusConflict {
			t.Errorf("declining again: %d, want 409", status)
		}
		s.expectHealth(s.desk, "a post declined, then declined again", declined, 2)

		lobby, posts := s.loggedIn(lobbyMod), "/admin/groups/lobby/posts"
		shared := s.newPost(s.lobby, "<p>spam</p>", conversations.Shared)
		remove := posts + "/" + shared.ID + "/remove"
		if status, _ := lobby.submit(posts, remove, url.Values{"reason": {"spam"}}); status != http.StatusSeeOther {
			t.Fatalf("remove: %d", status)
		}
		if status, _ := lobby.submit(posts, remove, url.Values{"reason": {"spam"}}); status != http.StatusConflict {
			t.Errorf("removing again: %d, want 409", status)
		}
		s.expectHealth(s.lobby, "a post removed, then removed again", removed, 1)
		s.expectHealth(s.lobby, "nothing held in lobby", held, 0)

		// Keyword filters catch edits: one held again, one removed.
		for _, f := range []model.KeywordFilter{{GroupID: s.lobby.ID, Keyword: "casino", Action: model.FilterHold},
			{GroupID: s.lobby.ID, Keyword: "pills", Action: model.FilterReject}} {
			if _, err := st.CreateKeywordFilter(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		for i, word := range []string{"casino", "pills"} {
			author := s.member(s.lobby)
			post := s.postNow(s.postBy(author, s.lobby, "<p>hello</p>").PostID)
			if _, err := s.talk.ApplyEdit(ctx, author, conversations.Edit{ObjectIRI: post.ObjectIRI, ContentHTML: "<p>" + word + "</p>",
				ActivityJSON: `{"type":"Update"}`}); err != nil {
				t.Fatalf("edit %d: %v", i, err)
			}
		}
		s.expectHealth(s.lobby, "an edit held again", held, 1)
		s.expectHealth(s.lobby, "an edit removed", removed, 2)
	})
}

// Reports count when received, from another server (a redelivered Flag counts nothing) or filed by
// staff, and when resolved or dismissed through the admin, once; each counts for the group and for
// the organisation, and a report whose group is gone for the organisation alone.
func TestHealthCountsReports(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		member := s.member(s.lobby)
		reporter, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://mastodon.example/actor", Host: "mastodon.example",
			ActorType: "Application", InboxURL: "https://mastodon.example/actor/inbox", FetchedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		flag := reports.Flag{ActivityIRI: s.iris.NewActivity(), Reporter: reporter, Objects: []string{member.IRI}, Content: "spam"}
		var flagged []model.Report
		for range 2 {
			filed, err := s.reports.ReceiveFlag(ctx, flag)
			if err != nil {
				t.Fatal(err)
			}
			flagged = append(flagged, filed...)
		}
		if len(flagged) != 1 {
			t.Fatalf("%d reports of one Flag delivered twice, want 1", len(flagged))
		}
		s.expectHealth(s.lobby, "a Flag delivered twice", received, 1)

		b := s.loggedIn(lobbyMod)
		if status, _ := b.submit("/admin/reports", "/admin/reports", url.Values{"group": {"lobby"}, "account": {member.IRI}, "note": {"rude"}}); status != http.StatusSeeOther {
			t.Fatalf("file a report: %d", status)
		}
		s.expectHealth(s.lobby, "a report filed by staff", received, 2)
		var staffFiled model.Report
		if err := st.DB().Where("source = ?", model.ReportFromStaff).Take(&staffFiled).Error; err != nil {
			t.Fatal(err)
		}

		decide := func(report model.Report, status model.ReportStatus, want int) {
			t.Helper()
			page := "/admin/reports/" + report.ID
			if got, _ := b.submit(page, page+"/status", url.Values{"status": {string(status)}}); got != want {
				t.Errorf("%s: %d, want %d", status, got, want)
			}
		}
		decide(flagged[0], model.ReportResolved, http.StatusSeeOther)
		decide(flagged[0], model.ReportResolved, http.StatusConflict)
		decide(flagged[0], model.ReportDismissed, http.StatusConflict)
		s.expectHealth(s.lobby, "a report resolved, then resolved and dismissed again", resolved, 1)
		s.expectHealth(s.lobby, "no report dismissed", dismissed, 0)
		decide(flagged[0], model.ReportOpen, http.StatusSeeOther)
		s.expectHealth(s.lobby, "reopening", resolved, 1)

		// The group of the staff's report is gone (its reports keep no group): dismissing it counts
		// for the organisation only.
		if err := st.DB().Model(&model.Report{}).Where("id = ?", staffFiled.ID).Update("group_id", nil).Error; err != nil {
			t.Fatal(err)
		}
		admin := s.loggedIn(acmeAdmin)
		page := "/admin/reports/" + staffFiled.ID
		if status, _ := admin.submit(page, page+"/status", url.Values{"status": {"dismissed"}}); status != http.StatusSeeOther {
			t.Fatalf("dismiss the report of no group: %d", status)
		}
		s.expectHealth(s.lobby, "dismissing a report of no group", dismissed, 0)

		now := time.Now()
		days, err := st.OrganisationReportDays(ctx, s.lobby.OrganisationID, store.StatsDay(now.AddDate(0, 0, -1)), store.StatsDay(now.AddDate(0, 0, 1)))
		if err != nil {
			t.Fatal(err)
		}
		var org [3]int64 // received, resolved, dismissed
		for _, d := range days {
			org = [3]int64{org[0] + d.ReportsReceived, org[1] + d.ReportsResolved, org[2] + d.ReportsDismissed}
		}
		if org != [3]int64{2, 1, 1} {
			t.Errorf("the organisation's reports received, resolved, dismissed: %v, want [2 1 1]", org)
		}
		if others, err := st.OrganisationReportDays(ctx, s.away.OrganisationID, "2000-01-01", "2999-12-31"); err != nil || len(others) != 0 {
			t.Errorf("the other organisation's reports: %+v, %v; want none", others, err)
		}
	})
}

// Support conversations count when opened (a redelivered message counts nothing; her message in a
// closed conversation, or staff reopening it, counts again) and when closed (closing a closed one
// counts nothing); each conversation's first reply counts once, with the time since her first
// message, and the page shows the average.
func TestHealthCountsSupport(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		alice, bob := s.member(s.lobby), s.member(s.lobby)
		aliceNote := alice.IRI + "/statuses/1"
		first := s.directMessage(alice, s.lobby, aliceNote, "<p>Where is the meeting?</p>")
		if again := s.directMessage(alice, s.lobby, aliceNote, "<p>Where is the meeting?</p>"); again != first {
			t.Fatalf("the redelivered message landed in %s, not %s", again, first)
		}
		second := s.directMessage(bob, s.lobby, bob.IRI+"/statuses/1", "<p>Can I bring a friend?</p>")
		s.expectHealth(s.lobby, "two conversations opened, one message delivered twice", opened, 2)

		// Alice wrote 90 minutes ago, Bob 30: their first answers took 2 h together, 1 h on average.
		for id, ago := range map[string]time.Duration{first: 90 * time.Minute, second: 30 * time.Minute} {
			if err := st.DB().Model(&model.SupportMessage{}).Where("conversation_id = ?", id).
				Update("created_at", time.Now().Add(-ago).UTC()).Error; err != nil {
				t.Fatal(err)
			}
		}
		b := s.loggedIn(lobbyMod)
		for _, id := range []string{first, second, first} {
			page := "/admin/groups/lobby/support/" + id
			if status, _ := b.submit(page, page+"/reply", url.Values{"text": {"Room 4 at 7pm."}}); status != http.StatusSeeOther {
				t.Fatalf("reply: %d", status)
			}
		}
		health := s.healthOf(s.lobby)
		if health.SupportFirstReplies != 2 || health.SupportFirstReplySeconds < 7200 || health.SupportFirstReplySeconds > 7200+60 {
			t.Errorf("first replies: %d taking %d s, want 2 taking 7200 s (three replies, two conversations)",
				health.SupportFirstReplies, health.SupportFirstReplySeconds)
		}
		if _, page := b.get("/admin/groups/lobby/analytics"); !strings.Contains(page, "<dt>Average first response</dt><dd>1 h 0 min (2 answered)</dd>") {
			t.Errorf("the page does not give the average first response of 1 h: %s", page)
		}

		status := func(id, to string) {
			t.Helper()
			page := "/admin/groups/lobby/support/" + id
			if got, _ := b.submit(page, page+"/status", url.Values{"status": {to}}); got != http.StatusSeeOther {
				t.Fatalf("%s: %d", to, got)
			}
		}
		status(first, "closed")
		status(first, "closed")
		s.expectHealth(s.lobby, "a conversation closed twice", closed, 1)

		// Alice answers in her closed conversation: it opens again.
		if _, err := s.community.ReceiveDirect(ctx, alice, community.DirectMessage{ActivityIRI: aliceNote + "/2/activity",
			ObjectIRI: aliceNote + "/2", InReplyTo: aliceNote, ContentHTML: "<p>One more thing</p>"}, []model.Group{s.lobby}); err != nil {
			t.Fatal(err)
		}
		if c := s.conversationNow(first); c.Status != model.SupportOpen {
			t.Fatalf("her conversation is %s after she wrote in it, want open", c.Status)
		}
		s.expectHealth(s.lobby, "she wrote in her closed conversation", opened, 3)
		status(first, "closed")
		status(first, "open")
		status(first, "waiting")
		s.expectHealth(s.lobby, "staff closed and reopened it", opened, 4)
		s.expectHealth(s.lobby, "staff closed it again", closed, 2)

		// Staff answer in a closed conversation: it waits for her again, opened once more.
		status(second, "closed")
		page := "/admin/groups/lobby/support/" + second
		if got, _ := b.submit(page, page+"/reply", url.Values{"text": {"One more thing from us."}}); got != http.StatusSeeOther {
			t.Fatalf("reply in a closed conversation: %d", got)
		}
		s.expectHealth(s.lobby, "staff answered in a closed conversation", opened, 5)
		s.expectHealth(s.lobby, "more replies and reopening", answered, 2)
	})
}

// The Community health section shows the period's totals and, per chart, a table and a CSV equal to
// it; the average first response per day is in minutes, rounded up.
func TestHealthOnAnalyticsPage(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		today, past := store.StatsDay(time.Now()), store.StatsDay(time.Now().AddDate(0, 0, -10))
		err := st.DB().Exec(`INSERT INTO group_daily_stats (group_id, day, posts_held, posts_declined, posts_removed,
			reports_received, reports_resolved, reports_dismissed, support_opened, support_closed, support_first_replies,
			support_first_reply_seconds) VALUES (?, ?, 3, 1, 2, 4, 2, 1, 5, 3, 2, 7260), (?, ?, 1, 0, 0, 0, 0, 0, 1, 0, 1, 30)`,
			s.lobby.ID, today, s.lobby.ID, past).Error
		if err != nil {
			t.Fatal(err)
		}
		b := s.loggedIn(lobbyMod)
		status, page := b.get("/admin/groups/lobby/analytics")
		if status != http.StatusOK {
			t.Fatalf("analytics: %d", status)
		}
		for _, fact := range []string{
			"<dt>Posts held, declined, removed</dt><dd>4, 1, 2</dd>",
			"<dt>Reports received, resolved, dismissed</dt><dd>4, 2, 1</dd>",
			"<dt>Support conversations opened, closed</dt><dd>6, 3</dd>",
			"<dt>Average first response</dt><dd>40 min (3 answered)</dd>", // (7260 + 30) / 3 s
		} {
			if !strings.Contains(page, fact) {
				t.Errorf("the page lacks %s", fact)
			}
		}
		want := map[string][2]string{
			"moderation": {"Day,Held,Declined,Removed", today + ",3,1,2"},
			"reports":    {"Day,Received,Resolved,Dismissed", today + ",4,2,1"},
			"support":    {"Day,Opened,Closed", today + ",5,3"},
			"response":   {"Day,First replies,Average first response (minutes)", today + ",2,61"}, // 3630 s
		}
		for key, w := range want {
			table := figureTableOf(t, page, key)
			if strings.Join(table[0], ",") != w[0] || len(table) != 1+30 {
				t.Errorf("%s: header %v and %d days, want %s and 30", key, table[0], len(table)-1, w[0])
			}
			if row := rowOf(table, today); strings.Join(row, ",") != w[1] {
				t.Errorf("%s today: %v, want %s", key, row, w[1])
			}
			status, body := b.get("/admin/groups/lobby/analytics.csv?chart=" + key)
			if status != http.StatusOK {
				t.Fatalf("%s CSV: %d", key, status)
			}
			records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(flatten(records), "|") != strings.Join(flatten(table), "|") {
				t.Errorf("%s CSV differs from the table:\n%v\n%v", key, records, table)
			}
		}
		if row := rowOf(figureTableOf(t, page, "response"), past); strings.Join(row, ",") != past+",1,1" {
			t.Errorf("ten days ago a reply within the minute: %v, want 1 minute", row)
		}
		if status, body := b.get("/admin/groups/lobby/analytics.csv?chart=health"); status != http.StatusBadRequest || !strings.Contains(body, "moderation") {
			t.Errorf("an unknown chart: %d, not naming the charts there are", status)
		}
		if _, week := b.get("/admin/groups/lobby/analytics?days=7"); !strings.Contains(week, "<dt>Average first response</dt><dd>1 h 0 min (2 answered)</dd>") {
			t.Error("over 7 days the average is not today's alone")
		}
	})
}
