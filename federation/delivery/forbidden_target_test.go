package delivery_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/test/testenv"
)

// guardedDeliverer replaces the fixture's deliverer with one whose client has no loopback
// allow-list, as in production: the SSRF guard refuses every private or loopback address.
func (f *fixture) guardedDeliverer(allowHTTP bool) {
	client := fetch.NewClient(fetch.Options{UserAgent: "Kring/test", AllowHTTP: allowHTTP, Timeout: 3 * time.Second})
	f.deliverer = delivery.NewDeliverer(delivery.DeliverConfig{Store: f.st, Poster: client, Signers: delivery.NewKeyRing(f.st, f.iris),
		Now: time.Now})
}

// planTo plans one delivery to inbox, recorded against host.
func (f *fixture) planTo(t *testing.T, inbox, host string) model.Delivery {
	t.Helper()
	err := f.st.Transaction(context.Background(), func(tx *store.Store) error {
		return f.planner.ToInbox(context.Background(), tx, delivery.Activity{IRI: f.iris.NewActivity(), Type: "Accept",
			GroupID: f.group.ID, Body: []byte(`{"type":"Accept"}`)}, inbox, host)
	})
	if err != nil {
		t.Fatal(err)
	}
	var planned model.Delivery
	if err := f.st.DB().Where("inbox_url = ?", inbox).Take(&planned).Error; err != nil {
		t.Fatal(err)
	}
	return planned
}

func (f *fixture) retryTasks(t *testing.T) int64 {
	t.Helper()
	var n int64
	if err := f.st.DB().Model(&model.QueuedTask{}).Where("task_type = ?", tasks.TypeDeliverActivity).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// checkAbandonedForGood: the delivery was abandoned after exactly one attempt with reason in its
// error, and its host has no failure on record (a target that can never be reached says nothing
// about whether the host is up).
func (f *fixture) checkAbandonedForGood(t *testing.T, id, host, reason string) {
	t.Helper()
	var got model.Delivery
	if err := f.st.DB().Where("id = ?", id).Take(&got).Error; err != nil {
		t.Fatal(err)
	}
	if got.State != model.DeliveryAbandoned || got.Attempts != 1 || !strings.Contains(got.LastError, reason) {
		t.Errorf("delivery to %s: %s after %d attempt(s), error %q; want abandoned after 1, the error naming %q",
			got.InboxURL, got.State, got.Attempts, got.LastError, reason)
	}
	record, err := f.st.RemoteHostByName(context.Background(), host)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		t.Fatal(err)
	case record.ConsecutiveFailures != 0 || record.TotalFailures != 0 || record.UnreachableSince != nil:
		t.Errorf("host %s counted a failure for a target that can never be reached: %+v", host, record)
	}
}

// TestForbiddenTargetAbandonedAtOnce: a delivery whose inbox the client must never reach (a name
// resolving to a loopback address, a scheme other than http(s), plain http where only https is
// allowed, a malformed URL) can never succeed: its one attempt abandons it, no retry follows and the
// host's circuit breaker counts nothing.
func TestForbiddenTargetAbandonedAtOnce(t *testing.T) {
	t.Parallel()
	srv, calls := sink(t)
	u, _ := url.Parse(srv.URL)
	port := u.Port()
	cases := []struct {
		name      string
		inbox     string
		host      string
		allowHTTP bool
		reason    string
	}{
		{"name resolving to loopback", "http://localhost:" + port + "/inbox", "localhost", true, "not allowed"},
		{"loopback address", srv.URL + "/inbox", "127.0.0.1", true, "not allowed"},
		{"scheme", "ftp://remote.example/inbox", "remote.example", true, "scheme"},
		{"http where https only", "http://remote.example/inbox", "remote.example", false, "scheme"},
		{"no host", "https:///inbox", "", true, "host"},
		{"malformed", "https://remote.example:port/inbox", "remote.example", true, "URL"},
	}
	st := testenv.Postgres(t)
	f := newFixture(t, st)
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			f.guardedDeliverer(tc.allowHTTP)
			planned := f.planTo(t, tc.inbox, tc.host)
			before := f.retryTasks(t)
			if err := f.deliverer.Deliver(context.Background(), planned.ID, false); err != nil {
				t.Fatalf("Deliver = %v, want nil: the delivery is settled, no retry", err)
			}
			f.checkAbandonedForGood(t, planned.ID, tc.host, tc.reason)
			if after := f.retryTasks(t); after != before {
				t.Errorf("%d delivery tasks queued by the attempt, want none", after-before)
			}
		})
	}
	if calls.Load() != 0 {
		t.Errorf("the loopback inbox received %d requests, want none", calls.Load())
	}
}

// TestForbiddenTargetAbandonedInBatch: the first attempt, made by a batch, abandons deliveries to
// forbidden targets without making them retry tasks.
func TestForbiddenTargetAbandonedInBatch(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.planner.Batch = true
		f.guardedDeliverer(true)
		srv, calls := sink(t)
		u, _ := url.Parse(srv.URL)
		inboxes := []string{
			"http://localhost:" + u.Port() + "/users/a/inbox",
			srv.URL + "/users/b/inbox",
			"gopher://remote.example/users/c/inbox",
		}
		hosts := []string{"localhost", "127.0.0.1", "remote.example"}
		for i, inbox := range inboxes {
			f.follower(t, i, hosts[i], inbox, "", model.FollowAccepted)
		}
		if n := f.fanOut(t); n != len(inboxes) {
			t.Fatalf("planned %d deliveries, want %d", n, len(inboxes))
		}
		var batches []model.QueuedTask
		if err := st.DB().Where("task_type = ?", tasks.TypeDeliverBatch).Find(&batches).Error; err != nil || len(batches) != 1 {
			t.Fatalf("batch tasks %d, %v; want 1", len(batches), err)
		}
		var payload tasks.DeliverBatchPayload
		if err := json.Unmarshal([]byte(batches[0].Payload), &payload); err != nil {
			t.Fatal(err)
		}
		if err := f.deliverer.DeliverBatch(context.Background(), payload.DeliveryIDs); err != nil {
			t.Fatal(err)
		}
		reasons := []string{"not allowed", "not allowed", "scheme"}
		for i, inbox := range inboxes {
			var planned model.Delivery
			if err := st.DB().Where("inbox_url = ?", inbox).Take(&planned).Error; err != nil {
				t.Fatal(err)
			}
			f.checkAbandonedForGood(t, planned.ID, hosts[i], reasons[i])
		}
		if n := f.retryTasks(t); n != 0 {
			t.Errorf("%d retry tasks queued, want none", n)
		}
		if calls.Load() != 0 {
			t.Errorf("the loopback inbox received %d requests, want none", calls.Load())
		}
	})
}
