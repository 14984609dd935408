package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
)

// fixedRefusals stands in for the Redis tally of inbox refusals.
type fixedRefusals map[string]int64

func (f fixedRefusals) RefusalsLastDay(context.Context) (map[string]int64, error) { return f, nil }

// healthFixture puts on record a host marked unreachable with one pending delivery, and two tasks
// out of retries.
type healthFixture struct {
	host       string
	deliveryID string
	dead       []model.QueuedTask
}

func newHealthFixture(t *testing.T, st *store.Store) healthFixture {
	t.Helper()
	ctx := context.Background()
	host := "down.example"
	activity, err := st.CreateOutboundActivity(ctx, model.OutboundActivity{ID: model.NewID(), ActivityIRI: "https://kring.test/a/" + model.NewID(),
		ActorKind: model.OwnerInstance, ActivityType: "Announce", Body: "{}"})
	if err != nil {
		t.Fatal(err)
	}
	deliveries, err := st.CreateDeliveries(ctx, activity.ID, []store.InboxTarget{{URL: "https://" + host + "/inbox", Host: host}})
	if err != nil {
		t.Fatal(err)
	}
	for range 12 {
		if _, err := st.RecordHostFailure(ctx, host, "connection refused"); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.MarkHostUnreachable(ctx, host, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	f := healthFixture{host: host, deliveryID: deliveries[0].ID}
	for range 2 {
		task, err := st.RecordTask(ctx, tasks.NewSendEmailTask(model.NewID()))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.RecordTaskFailure(ctx, task.ID, errString("smtp: 550 mailbox unavailable"), true); err != nil {
			t.Fatal(err)
		}
		f.dead = append(f.dead, task)
	}
	return f
}

type errString string

func (e errString) Error() string { return string(e) }

// Federation health spans the whole instance: moderators and organisation owners and admins are
// refused the page and every action, changing nothing; the instance admin sees the unreachable host,
// the dead tasks, the backlog and the last day's refusals.
func TestFederationHealthIsTheInstanceAdminsOnly(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		f := newHealthFixture(t, st)
		actions := map[string]url.Values{
			"/admin/federation/hosts/retry":                        {"host": {f.host}},
			"/admin/federation/hosts/forget":                       {"host": {f.host}},
			"/admin/federation/tasks/" + f.dead[0].ID + "/retry":   {},
			"/admin/federation/tasks/" + f.dead[0].ID + "/discard": {},
		}
		for _, email := range []string{lobbyMod, acmeAdmin, acmeOwner, otherAdmin} {
			b := s.loggedIn(email)
			if status, _ := b.get("/admin/federation"); status != http.StatusForbidden {
				t.Errorf("GET /admin/federation as %s: %d, want 403", email, status)
			}
			for path, form := range actions {
				if status, _ := b.submit("/admin", path, form); status != http.StatusForbidden {
					t.Errorf("POST %s as %s: %d, want 403", path, email, status)
				}
			}
			if _, page := b.get("/admin"); strings.Contains(page, `href="/admin/federation"`) {
				t.Errorf("%s is shown a link to the federation page", email)
			}
		}
		host, err := st.RemoteHostByName(context.Background(), f.host)
		if err != nil || host.UnreachableSince == nil {
			t.Fatalf("refused requests changed the host: %+v %v", host, err)
		}
		if dead, _ := st.DeadTasks(context.Background(), 10); len(dead) != 2 {
			t.Fatalf("refused requests changed the dead tasks: %d left", len(dead))
		}

		status, page := s.loggedIn(instanceAdmin).get("/admin/federation")
		if status != http.StatusOK {
			t.Fatalf("GET /admin/federation as the instance admin: %d", status)
		}
		for _, want := range []string{"Federation health", f.host, "unreachable since", "connection refused", "1 pending deliveries",
			"mail:send", "550 mailbox unavailable", "signature</td><td>7 refused", "blocked</td><td>2 refused", "maintenance", "2 out of retries"} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
	})
}

// Retry now lifts the host's mark and queues its pending delivery; Forget deletes its record; a dead
// task's retry gives it fresh retries, its discard deletes it; each is in the moderation log.
func TestFederationHealthActions(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		f := newHealthFixture(t, st)
		admin := s.loggedIn(instanceAdmin)
		logged := func(action model.LogAction, target string) bool {
			var n int64
			if err := st.DB().Model(&model.ModerationAction{}).Where("action = ? AND target_id = ? AND staff_account_id IS NOT NULL",
				action, target).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n == 1
		}

		if status, _ := admin.submit("/admin/federation", "/admin/federation/hosts/retry", url.Values{"host": {f.host}}); status != http.StatusSeeOther {
			t.Fatalf("retry host: %d", status)
		}
		host, err := st.RemoteHostByName(ctx, f.host)
		if err != nil || host.UnreachableSince != nil || host.NextProbeAt != nil {
			t.Errorf("after retry now the host is %+v (%v), want no longer unreachable", host, err)
		}
		var queued []model.QueuedTask
		if err := st.DB().Where("task_type = ? AND payload LIKE ?", tasks.TypeDeliverActivity, "%"+f.deliveryID+"%").Find(&queued).Error; err != nil {
			t.Fatal(err)
		}
		if len(queued) != 1 {
			t.Errorf("%d delivery tasks queued for the host's pending delivery, want 1", len(queued))
		}
		if !logged(model.ActionHostRetry, f.host) {
			t.Error("retry now is not in the moderation log")
		}

		if status, _ := admin.submit("/admin/federation", "/admin/federation/hosts/forget", url.Values{"host": {f.host}}); status != http.StatusSeeOther {
			t.Fatalf("forget host: %d", status)
		}
		if _, err := st.RemoteHostByName(ctx, f.host); err == nil {
			t.Error("the forgotten host still has a record")
		}
		if !logged(model.ActionHostForget, f.host) {
			t.Error("forget is not in the moderation log")
		}
		if status, _ := admin.submit("/admin/federation", "/admin/federation/hosts/forget", url.Values{"host": {f.host}}); status != http.StatusNotFound {
			t.Errorf("forgetting a host with no record: %d, want 404", status)
		}

		retried, discarded := f.dead[0].ID, f.dead[1].ID
		if status, _ := admin.submit("/admin/federation", "/admin/federation/tasks/"+retried+"/retry", nil); status != http.StatusSeeOther {
			t.Fatalf("retry task: %d", status)
		}
		task, err := st.FindTask(ctx, retried)
		if err != nil || task.DeadAt != nil || task.Attempts != 0 || task.EnqueuedAt != nil {
			t.Errorf("retried task %+v (%v), want alive with no attempts, for the sweeper to enqueue", task, err)
		}
		if !logged(model.ActionTaskRetry, retried) {
			t.Error("task retry is not in the moderation log")
		}
		if _, page := admin.get("/admin/federation"); !strings.Contains(page, "oldest due") {
			t.Error("the page does not say since when the retried task waits")
		}
		if status, _ := admin.submit("/admin/federation", "/admin/federation/tasks/"+discarded+"/discard", nil); status != http.StatusSeeOther {
			t.Fatalf("discard task: %d", status)
		}
		if _, err := st.FindTask(ctx, discarded); err == nil {
			t.Error("the discarded task is still in the outbox")
		}
		if !logged(model.ActionTaskDiscard, discarded) {
			t.Error("task discard is not in the moderation log")
		}
		// A task that is alive is not the page's to retry or discard.
		if status, _ := admin.submit("/admin/federation", "/admin/federation/tasks/"+retried+"/discard", nil); status != http.StatusNotFound {
			t.Errorf("discarding a live task: %d, want 404", status)
		}
	})
}
