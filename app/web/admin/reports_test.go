package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// reported is a report received from another server about a member of a group and their post.
type reported struct {
	report model.Report
	member model.RemoteActor
	post   model.Post
}

// flagged has a new member of group post, and a Mastodon server report them and the post.
func (s *site) flagged(group model.Group, reason string) reported {
	s.t.Helper()
	ctx := context.Background()
	member := s.member(group)
	post := s.postNow(s.postBy(member, group, "<p>buy cheap watches</p>").PostID)
	reporter, err := s.store.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://mastodon.example/actor", Host: "mastodon.example",
		ActorType: "Application", InboxURL: "https://mastodon.example/actor/inbox", FetchedAt: time.Now()})
	if err != nil {
		s.t.Fatal(err)
	}
	filed, err := reports.NewService(s.store, nil).ReceiveFlag(ctx, reports.Flag{ActivityIRI: s.iris.NewActivity(), Reporter: reporter,
		Objects: []string{member.IRI, post.ObjectIRI}, Content: reason})
	if err != nil || len(filed) != 1 {
		s.t.Fatalf("%d reports filed, %v", len(filed), err)
	}
	return reported{report: filed[0], member: member, post: post}
}

func (s *site) reportNow(id string) model.Report {
	s.t.Helper()
	report, err := s.store.ReportByID(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return report
}

var reportLink = regexp.MustCompile(`/admin/reports/([0-9a-f-]{36})`)

// TestReportsRoles: every reports route refuses another organisation's admin and a moderator of
// another group, sends a logged-out browser to log in, and lets the group's moderator and the
// organisation's managers act.
func TestReportsRoles(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	fresh := func(suffix string) func() string {
		return func() string { return "/admin/reports/" + s.flagged(s.lobby, "spam").report.ID + suffix }
	}
	existing := s.flagged(s.lobby, "spam")
	removal := url.Values{"reason": {"spam"}}
	routes := []roleRoute{
		{name: "queue of the group", target: func() string { return "/admin/reports?group=lobby" }},
		{name: "report page", target: func() string { return "/admin/reports/" + existing.report.ID }},
		{name: "file a report", post: true, target: func() string { return "/admin/reports" },
			form: url.Values{"group": {"lobby"}, "account": {existing.member.IRI}, "note": {"rude"}}},
		{name: "assign", post: true, target: fresh("/assign"), form: url.Values{"to": {"me"}}},
		{name: "note", post: true, target: fresh("/notes"), form: url.Values{"note": {"looked at it"}}},
		{name: "resolve", post: true, target: fresh("/status"), form: url.Values{"status": {"resolved"}}},
		{name: "forward", post: true, target: fresh("/forward"), form: url.Values{"comment": {"spam"}}},
		{name: "ban", post: true, target: fresh("/ban"), form: url.Values{"reason": {"spam"}}},
		{name: "remove a post", post: true, target: func() string {
			r := s.flagged(s.lobby, "spam")
			removal.Set("post", r.post.ObjectIRI) // checkRoles reads the form after the target
			return "/admin/reports/" + r.report.ID + "/remove"
		}, form: removal},
	}
	checkRoles(t, s, s.lobby, routes, []string{lobbyMod, acmeAdmin, acmeOwner, instanceAdmin}, []string{otherAdmin, deskMod})
}

// TestReportsVisibility: the queue shows each staff member the reports of the groups they moderate
// and the organisations they manage, and nothing of others.
func TestReportsVisibility(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		lobby, desk, away := s.flagged(s.lobby, "a"), s.flagged(s.desk, "b"), s.flagged(s.away, "c")
		cases := map[string][]reported{
			lobbyMod: {lobby}, deskMod: {desk}, acmeAdmin: {lobby, desk}, acmeOwner: {lobby, desk},
			otherAdmin: {away}, instanceAdmin: {lobby, desk, away},
		}
		for email, want := range cases {
			b := s.loggedIn(email)
			status, page := b.get("/admin/reports")
			if status != http.StatusOK {
				t.Fatalf("%s: %d", email, status)
			}
			for _, r := range []reported{lobby, desk, away} {
				shown := strings.Contains(page, `id="report-`+r.report.ID+`"`)
				if wanted := containsReport(want, r); shown != wanted {
					t.Errorf("%s sees report %s: %t, want %t", email, r.report.ID, shown, wanted)
				}
			}
		}
		if status, _ := s.loggedIn(acmeAdmin).get("/admin/reports?status=closed"); status != http.StatusBadRequest {
			t.Errorf("unknown status: %d", status)
		}
		if status, _ := s.loggedIn(acmeAdmin).get("/admin/reports?group=nowhere"); status != http.StatusNotFound {
			t.Errorf("unknown group: %d", status)
		}
		if status, _ := s.loggedIn(lobbyMod).get("/admin/reports/" + model.NewID()); status != http.StatusNotFound {
			t.Errorf("unknown report: %d", status)
		}
	})
}

func containsReport(list []reported, r reported) bool {
	for _, x := range list {
		if x.report.ID == r.report.ID {
			return true
		}
	}
	return false
}

// TestHandleAReport takes a received report from the queue to resolved: assign, note, remove the
// post, forward to the author's server (a Flag queued to it), ban the author (a Block queued), and
// resolve, each shown on the report's page and logged under the moderator's name.
func TestHandleAReport(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		r := s.flagged(s.lobby, "Selling watches\nin every thread")
		b := s.loggedIn(lobbyMod)
		page := "/admin/reports/" + r.report.ID
		if status, queue := b.get("/admin/reports?group=lobby"); status != http.StatusOK || !strings.Contains(queue, "Selling watches in every thread") ||
			!strings.Contains(queue, handle(r.member)) {
			t.Fatalf("queue: %d %s", status, queue)
		}
		status, body := b.get(page)
		if status != http.StatusOK || !strings.Contains(body, "<p>buy cheap watches</p>") || !strings.Contains(body, "Selling watches\nin every thread") ||
			!strings.Contains(body, handle(r.member)) || !strings.Contains(body, "mastodon.example") {
			t.Fatalf("report page: %d %s", status, body)
		}
		steps := []struct {
			path string
			form url.Values
			want string // on the page afterwards
		}{
			{"/assign", url.Values{"to": {"me"}}, "Unassign"},
			{"/notes", url.Values{"note": {"Checked their other posts <too>"}}, "Checked their other posts &lt;too&gt;"},
			{"/remove", url.Values{"post": {r.post.ObjectIRI}, "reason": {"spam"}}, "removed: spam"},
			{"/forward", url.Values{"comment": {"Spam from your user"}}, "Forwarded</dt><dd><time datetime=\"20"},
			{"/ban", url.Values{"reason": {"spam"}}, "The account is banned from this group"},
			{"/status", url.Values{"status": {"resolved"}, "reason": {"handled"}}, "resolved since"},
		}
		for _, step := range steps {
			if status, body := b.submit(page, page+step.path, step.form); status != http.StatusSeeOther {
				t.Fatalf("%s: %d %s", step.path, status, body)
			}
			if _, body := b.get(page); !strings.Contains(body, step.want) {
				t.Errorf("after %s the page lacks %q", step.path, step.want)
			}
		}
		if post := s.postNow(r.post.ID); post.State != model.PostRemoved {
			t.Errorf("post %s", post.State)
		}
		if flags := s.sentTo(r.member.SharedInboxURL, "Flag"); len(flags) != 1 || !strings.Contains(flags[0].Body, "Spam from your user") ||
			!strings.Contains(flags[0].Body, r.post.ObjectIRI) || !strings.Contains(flags[0].Body, s.iris.InstanceActor()) {
			t.Errorf("Flags queued to the author's server: %+v", flags)
		}
		if blocks := s.sentTo(r.member.InboxURL, "Block"); len(blocks) != 1 {
			t.Errorf("%d Blocks queued to the author", len(blocks))
		}
		if report := s.reportNow(r.report.ID); report.Status != model.ReportResolved || report.ForwardedAt == nil {
			t.Errorf("report %+v", report)
		}
		for _, action := range []model.LogAction{model.ActionReportNote, model.ActionReportForward, model.ActionReportResolve, model.ActionPostRemove} {
			logged := s.logged(s.lobby, action)
			if len(logged) != 1 || *logged[0].StaffAccountID != s.staffID(lobbyMod) {
				t.Errorf("%s logged %+v", action, logged)
			}
		}
		if _, open := b.get("/admin/reports?group=lobby"); strings.Contains(open, r.report.ID) {
			t.Error("a resolved report is still in the open queue")
		}
		if _, resolved := b.get("/admin/reports?status=resolved"); !strings.Contains(resolved, r.report.ID) {
			t.Error("the resolved report is not listed as resolved")
		}
		if status, _ := b.submit(page, page+"/forward", url.Values{"comment": {"again"}}); status != http.StatusConflict {
			t.Errorf("second forward: %d", status)
		}
		if status, _ := b.submit(page, page+"/status", url.Values{"status": {"open"}}); status != http.StatusSeeOther {
			t.Errorf("reopen: %d", status)
		}
	})
}

// TestStaffFileAReport files a report from the queue's form; what it must name is checked.
func TestStaffFileAReport(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		member := s.member(s.lobby)
		post := s.postNow(s.postBy(member, s.lobby, "<p>rude words</p>").PostID)
		b := s.loggedIn(lobbyMod)
		cases := []struct {
			name   string
			form   url.Values
			status int
		}{
			{"a group they do not moderate", url.Values{"group": {"desk"}, "account": {member.IRI}, "note": {"x"}}, http.StatusForbidden},
			{"an account Kring does not know", url.Values{"group": {"lobby"}, "account": {"https://nowhere.example/users/x"}, "note": {"x"}}, http.StatusBadRequest},
			{"nothing named", url.Values{"group": {"lobby"}, "note": {"x"}}, http.StatusBadRequest},
			{"a post of another group", url.Values{"group": {"lobby"}, "posts": {"https://social.example/statuses/1"}, "note": {"x"}}, http.StatusBadRequest},
		}
		for _, tc := range cases {
			if status, _ := b.submit("/admin/reports", "/admin/reports", tc.form); status != tc.status {
				t.Errorf("%s: %d, want %d", tc.name, status, tc.status)
			}
		}
		resp, err := b.client.PostForm(s.server.URL+"/admin/reports", url.Values{"csrf": {csrfOf(t, b, "/admin/reports")},
			"group": {"lobby"}, "posts": {post.ObjectIRI + "\r\n"}, "note": {"Insults a newcomer"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := reportLink.FindStringSubmatch(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || id == nil {
			t.Fatalf("file: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		report := s.reportNow(id[1])
		if report.Source != model.ReportFromStaff || *report.TargetActorID != member.ID || report.Content != "Insults a newcomer" ||
			*report.ReporterStaffID != s.staffID(lobbyMod) {
			t.Errorf("report %+v", report)
		}
		if _, page := b.get("/admin/reports/" + report.ID); !strings.Contains(page, "<p>rude words</p>") || !strings.Contains(page, "filed by "+lobbyMod) {
			t.Errorf("report page lacks the post or who filed it: %s", page)
		}
	})
}

// csrfOf reads the CSRF token of the page at path.
func csrfOf(t *testing.T, b *browser, path string) string {
	t.Helper()
	_, page := b.get(path)
	token := csrfInput.FindStringSubmatch(page)
	if token == nil {
		t.Fatalf("no CSRF token on %s", path)
	}
	return token[1]
}
