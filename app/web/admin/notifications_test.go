package admin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/mail"
	"github.com/kring-social/kring/app/mail/mailtest"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
)

// mailWait is how long a test waits for an e-mail that must come.
const mailWait = 10 * time.Second

// tasksOf lists the outbox rows of a task type, oldest first.
func (s *site) tasksOf(taskType string) []model.QueuedTask {
	s.t.Helper()
	var rows []model.QueuedTask
	if err := s.store.DB().Where("task_type = ?", taskType).Order("id").Find(&rows).Error; err != nil {
		s.t.Fatal(err)
	}
	return rows
}

// runMail runs the pending mail:send tasks as the worker does: through the test SMTP server.
func (s *site) runMail() {
	s.t.Helper()
	ctx := context.Background()
	for _, row := range s.tasksOf(tasks.TypeSendEmail) {
		var payload tasks.SendEmailPayload
		if err := json.Unmarshal([]byte(row.Payload), &payload); err != nil {
			s.t.Fatal(err)
		}
		if err := mail.Deliver(ctx, s.store, s.mail.Sender(), payload.EmailID, false); err != nil {
			s.t.Fatal(err)
		}
		if err := s.store.CompleteTask(ctx, row.ID); err != nil {
			s.t.Fatal(err)
		}
	}
}

// runDigests runs the digest tasks due by the site's clock, as the worker does when their time comes.
func (s *site) runDigests() {
	s.t.Helper()
	ctx := context.Background()
	for _, row := range s.tasksOf(tasks.TypeStaffDigest) {
		if row.RunAt.After(s.clock.Now()) {
			continue
		}
		var payload tasks.StaffDigestPayload
		if err := json.Unmarshal([]byte(row.Payload), &payload); err != nil {
			s.t.Fatal(err)
		}
		if err := s.notifier.SendDigest(ctx, payload.StaffAccountID); err != nil {
			s.t.Fatal(err)
		}
		if err := s.store.CompleteTask(ctx, row.ID); err != nil {
			s.t.Fatal(err)
		}
	}
}

// fileFlag has a remote server report a new member of group, through the wired reports service.
func (s *site) fileFlag(group model.Group, reason string) model.Report {
	s.t.Helper()
	ctx := context.Background()
	member := s.member(group)
	reporter, err := s.store.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://mastodon.example/actor", Host: "mastodon.example",
		ActorType: "Application", InboxURL: "https://mastodon.example/actor/inbox", FetchedAt: time.Now()})
	if err != nil {
		s.t.Fatal(err)
	}
	filed, err := s.reports.ReceiveFlag(ctx, reports.Flag{ActivityIRI: s.iris.NewActivity(), Reporter: reporter,
		Objects: []string{member.IRI}, Content: reason})
	if err != nil || len(filed) != 1 {
		s.t.Fatalf("%d reports filed, %v", len(filed), err)
	}
	return filed[0]
}

// followLink checks that the message has exactly one link into the admin and returns its path.
func (s *site) followLink(msg mailtest.Message, wantPath string) string {
	s.t.Helper()
	var admin []string
	for _, link := range msg.Links() {
		if strings.HasPrefix(link, s.server.URL+"/admin/") && !strings.HasSuffix(link, "/admin/account/notifications") {
			admin = append(admin, link)
		}
	}
	if len(admin) != 1 || admin[0] != s.server.URL+wantPath {
		s.t.Fatalf("links %q, want one to %s%s; text:\n%s", msg.Links(), s.server.URL, wantPath, msg.Text)
	}
	return strings.TrimPrefix(admin[0], s.server.URL)
}

// TestNotifyEventsByEmail: a new report, a held post and a new support conversation each e-mail the
// staff who may moderate the group (its moderator, the organisation's owner and admin) with an
// absolute link that opens the page for that moderator; staff who may not moderate the group get
// nothing.
func TestNotifyEventsByEmail(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		s := newSiteWith(t, st, siteOptions{email: true})

		report := s.fileFlag(s.lobby, "spam, <b>lots</b>")
		s.runMail()
		msg := s.mail.WaitFor(t, lobbyMod, 1, mailWait)
		if !strings.Contains(msg.Subject, "New report in Lobby") || !strings.Contains(msg.Text, "spam, lots") {
			t.Errorf("report e-mail: %q\n%s", msg.Subject, msg.Text)
		}
		path := s.followLink(msg, "/admin/reports/"+report.ID)
		if status, body := s.loggedIn(lobbyMod).get(path); status != http.StatusOK || !strings.Contains(body, "spam") {
			t.Fatalf("the report's link as its moderator: %d", status)
		}
		s.mail.WaitFor(t, acmeOwner, 1, mailWait)
		s.mail.WaitFor(t, acmeAdmin, 1, mailWait)

		s.newPost(s.desk, "<p>please approve</p>", "held")
		s.runMail()
		msg = s.mail.WaitFor(t, deskMod, 1, mailWait)
		path = s.followLink(msg, "/admin/groups/desk/queue")
		if status, body := s.loggedIn(deskMod).get(path); status != http.StatusOK || !strings.Contains(body, "please approve") {
			t.Fatalf("the queue's link as the desk's moderator: %d", status)
		}

		conversation := s.directMessage(s.member(s.lobby), s.lobby, "https://social.example/notes/help-1", "<p>help me</p>")
		s.runMail()
		msg = s.mail.WaitFor(t, lobbyMod, 2, mailWait)
		path = s.followLink(msg, "/admin/groups/lobby/support/"+conversation)
		if status, body := s.loggedIn(lobbyMod).get(path); status != http.StatusOK || !strings.Contains(body, "help me") {
			t.Fatalf("the conversation's link as its moderator: %d", status)
		}

		for email, want := range map[string]int{lobbyMod: 2, deskMod: 1, acmeOwner: 3, acmeAdmin: 3, otherAdmin: 0, instanceAdmin: 0} {
			if got := len(s.mail.MessagesTo(email)); got != want {
				t.Errorf("%s got %d e-mails, want %d", email, got, want)
			}
		}
		if left := s.tasksOf(tasks.TypeSendEmail); len(left) != 0 {
			t.Errorf("%d mail tasks left", len(left))
		}
		var rows int64
		if err := st.DB().Model(&model.OutgoingEmail{}).Count(&rows).Error; err != nil || rows != 0 {
			t.Errorf("%d sent e-mails still stored (%v)", rows, err)
		}
	})
}

// TestNotifyDigest: a moderator who chose the digest gets nothing as events happen, then one e-mail
// listing them all when the digest task runs at 07:00 UTC; one digest task however many events.
func TestNotifyDigest(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		s := newSiteWith(t, st, siteOptions{email: true})
		s.clock.Set(time.Date(2026, 12, 6, 10, 30, 0, 0, time.UTC))
		mod := s.loggedIn(lobbyMod)
		if status, _ := mod.submit("/admin/account/notifications", "/admin/account/notifications", url.Values{"mode": {"digest"}}); status != http.StatusSeeOther {
			t.Fatalf("choose the digest: %d", status)
		}
		first := s.fileFlag(s.lobby, "spam")
		s.clock.Set(time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC))
		second := s.fileFlag(s.lobby, "more spam")
		s.runMail()
		s.mail.WaitFor(t, acmeOwner, 2, mailWait) // told at once, as before
		if got := s.mail.MessagesTo(lobbyMod); len(got) != 0 {
			t.Fatalf("the digest's reader got %d e-mails at once", len(got))
		}
		digests := s.tasksOf(tasks.TypeStaffDigest)
		if len(digests) != 1 || !digests[0].RunAt.Equal(time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC)) {
			t.Fatalf("digest tasks: %+v", digests)
		}

		s.runDigests() // not yet due
		s.runMail()
		if got := s.mail.MessagesTo(lobbyMod); len(got) != 0 {
			t.Fatalf("a digest before its time: %d e-mails", len(got))
		}
		s.clock.Set(time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC))
		s.runDigests()
		s.runMail()
		msg := s.mail.WaitFor(t, lobbyMod, 1, mailWait)
		if !strings.Contains(msg.Subject, "digest") {
			t.Errorf("digest subject %q", msg.Subject)
		}
		for _, report := range []model.Report{first, second} {
			if !strings.Contains(msg.Text, s.server.URL+"/admin/reports/"+report.ID+"\n") {
				t.Errorf("the digest lacks report %s:\n%s", report.ID, msg.Text)
			}
		}
		s.runDigests()
		s.runMail()
		if got := len(s.mail.MessagesTo(lobbyMod)); got != 1 {
			t.Errorf("%d e-mails after the digest ran twice, want 1", got)
		}

		// The next event schedules the next day's digest.
		s.fileFlag(s.lobby, "again")
		if digests := s.tasksOf(tasks.TypeStaffDigest); len(digests) != 1 || !digests[0].RunAt.Equal(time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC)) {
			t.Fatalf("next digest tasks: %+v", digests)
		}
		// Off: nothing at all. A night has passed since she last used the admin, longer than a
		// session's idle timeout: she logs in again.
		mod = s.loggedIn(lobbyMod)
		if status, _ := mod.submit("/admin/account/notifications", "/admin/account/notifications", url.Values{"mode": {"off"}}); status != http.StatusSeeOther {
			t.Fatalf("choose off: %d", status)
		}
		s.fileFlag(s.lobby, "and again")
		s.runMail()
		s.mail.WaitFor(t, acmeOwner, 4, mailWait)
		if got := len(s.mail.MessagesTo(lobbyMod)); got != 1 {
			t.Errorf("%d e-mails with notifications off, want the 1 digest", got)
		}
	})
}

// TestNotificationsPageRoles: every staff member logged in may see and change her own choice, and
// nobody else's; a logged-out browser is sent to log in; a bad mode or a missing CSRF token is
// refused.
func TestNotificationsPageRoles(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	ctx := context.Background()
	everyone := []string{instanceAdmin, acmeOwner, acmeAdmin, lobbyMod, deskMod, otherAdmin}
	for i, email := range everyone {
		b := s.loggedIn(email)
		status, page := b.get("/admin/account/notifications")
		if status != http.StatusOK || !strings.Contains(page, `value="immediately" checked`) || !strings.Contains(page, email) {
			t.Fatalf("%s: page %d", email, status)
		}
		if status, _ := b.submit("/admin/account/notifications", "/admin/account/notifications", url.Values{"mode": {"digest"}}); status != http.StatusSeeOther {
			t.Fatalf("%s: save %d", email, status)
		}
		if _, page := b.get("/admin/account/notifications"); !strings.Contains(page, `value="digest" checked`) {
			t.Errorf("%s: the choice is not shown", email)
		}
		for j, other := range everyone {
			setting, err := s.store.NotificationSetting(ctx, s.staffID(other))
			if err != nil {
				t.Fatal(err)
			}
			want := model.NotificationMode("")
			if j <= i {
				want = model.NotifyDigest
			}
			if setting.Mode != want {
				t.Errorf("after %s chose: %s has %q, want %q", email, other, setting.Mode, want)
			}
		}
	}
	b := s.loggedIn(lobbyMod)
	if status, _ := b.submit("/admin/account/notifications", "/admin/account/notifications", url.Values{"mode": {"hourly"}}); status != http.StatusBadRequest {
		t.Errorf("bad mode: %d", status)
	}
	if status, _ := b.postForm("/admin/account/notifications", url.Values{"mode": {"off"}}); status != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", status)
	}
	if status, _ := s.browser().get("/admin/account/notifications"); status != http.StatusSeeOther {
		t.Errorf("logged out: %d", status)
	}
	if _, page := b.get("/admin"); !strings.Contains(page, `href="/admin/account/notifications"`) {
		t.Error("no link to the notifications page")
	}
}
