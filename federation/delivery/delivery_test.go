package delivery_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/test/testenv"
)

type fixture struct {
	st        *store.Store
	group     model.Group
	iris      federation.IRIs
	planner   delivery.Planner
	deliverer *delivery.Deliverer
	now       time.Time
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	group, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"})
	if err != nil {
		t.Fatal(err)
	}
	public, _ := url.Parse("https://kring.example")
	iris := federation.NewIRIs(public)
	client := fetch.NewClient(fetch.Options{UserAgent: "Kring/test", Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		AllowHTTP: true, Timeout: 3 * time.Second})
	f := &fixture{st: st, group: group, iris: iris, planner: delivery.Planner{}, now: time.Now()}
	f.deliverer = delivery.NewDeliverer(delivery.DeliverConfig{Store: st, Poster: client, Signers: delivery.NewKeyRing(st, iris),
		PerHostLimit: 2, Now: func() time.Time { return f.now }})
	return f
}

// follower adds an accepted follower whose inbox (and shared inbox, if given) are as named.
func (f *fixture) follower(t *testing.T, n int, host, inbox, shared string, state model.FollowState) {
	t.Helper()
	now := time.Now().UTC()
	actor := model.RemoteActor{ID: model.NewID(), IRI: fmt.Sprintf("https://%s/users/u%d", host, n), Host: host, ActorType: "Person",
		InboxURL: inbox, SharedInboxURL: shared, FetchedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := f.st.DB().Create(&actor).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SaveFollow(context.Background(), model.Follow{GroupID: f.group.ID, RemoteActorID: actor.ID,
		FollowActivityIRI: actor.IRI + "#follow", State: state}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) fanOut(t *testing.T) int {
	t.Helper()
	var n int
	err := f.st.Transaction(context.Background(), func(tx *store.Store) error {
		var err error
		n, err = f.planner.ToFollowers(context.Background(), tx, f.group, delivery.Activity{IRI: f.iris.NewActivity(), Type: "Announce",
			GroupID: f.group.ID, Body: []byte(`{"type":"Announce"}`)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFanOutOneDeliveryPerSharedInbox(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		// 1,000 followers on 100 hosts with shared inboxes, 20 on a host without one, 5 pending, 5 on a
		// suspended domain.
		for i := 0; i < 1000; i++ {
			host := fmt.Sprintf("h%d.example", i%100)
			f.follower(t, i, host, fmt.Sprintf("https://%s/users/u%d/inbox", host, i), "https://"+host+"/inbox", model.FollowAccepted)
		}
		for i := 0; i < 20; i++ {
			f.follower(t, 2000+i, "solo.example", fmt.Sprintf("https://solo.example/users/u%d/inbox", i), "", model.FollowAccepted)
		}
		for i := 0; i < 5; i++ {
			f.follower(t, 3000+i, "wait.example", fmt.Sprintf("https://wait.example/u%d", i), "", model.FollowPending)
			f.follower(t, 4000+i, "x.spam.example", fmt.Sprintf("https://x.spam.example/u%d", i), "https://x.spam.example/inbox", model.FollowAccepted)
		}
		if _, err := st.CreateDomainBlock(context.Background(), model.DomainBlock{Domain: "spam.example", Severity: model.SeveritySuspend}); err != nil {
			t.Fatal(err)
		}
		if n := f.fanOut(t); n != 120 {
			t.Fatalf("planned %d deliveries, want 120 (100 shared inboxes + 20 inboxes)", n)
		}
		var queued int64
		if err := st.DB().Model(&model.QueuedTask{}).Where("task_type = ?", tasks.TypeDeliverActivity).Count(&queued).Error; err != nil {
			t.Fatal(err)
		}
		if queued != 120 {
			t.Errorf("queued %d delivery tasks, want 120", queued)
		}
	})
}

// sink is an inbox answering with the statuses given, one per request, then 202.
func sink(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1))
		if r.Header.Get("Signature") == "" || r.Header.Get("Digest") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if n <= len(statuses) {
			if statuses[n-1] == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "120")
			}
			w.WriteHeader(statuses[n-1])
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func (f *fixture) onlyDelivery(t *testing.T) model.Delivery {
	t.Helper()
	var rows []model.Delivery
	if err := f.st.DB().Find(&rows).Error; err != nil || len(rows) != 1 {
		t.Fatalf("deliveries %+v %v", rows, err)
	}
	return rows[0]
}

func TestDeliveryOutcomes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status    int
		wantState model.DeliveryState
		retry     bool
		delay     time.Duration
	}{
		{http.StatusAccepted, model.DeliveryDelivered, false, 0},
		{http.StatusOK, model.DeliveryDelivered, false, 0},
		{http.StatusNotFound, model.DeliveryAbandoned, false, 0},
		{http.StatusGone, model.DeliveryAbandoned, false, 0},
		{http.StatusBadRequest, model.DeliveryFailed, false, 0},
		{http.StatusUnauthorized, model.DeliveryFailed, false, 0},
		{http.StatusRequestTimeout, model.DeliveryPending, true, 0},
		{http.StatusTooManyRequests, model.DeliveryPending, true, 2 * time.Minute},
		{http.StatusServiceUnavailable, model.DeliveryPending, true, 0},
		{http.StatusInternalServerError, model.DeliveryPending, true, 0},
	}
	st := testenv.Postgres(t)
	shared := newFixture(t, st) // one group for the cases, which share the database and so run in turn
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			if err := st.DB().Exec("DELETE FROM deliveries").Error; err != nil {
				t.Fatal(err)
			}
			f := &fixture{}
			*f = *shared
			srv, _ := sink(t, tc.status)
			f.planOne(t, srv.URL+"/inbox")
			err := f.deliverer.Deliver(context.Background(), f.onlyDelivery(t).ID, false)
			var later *delivery.RetryLater
			if errors.As(err, &later) != tc.retry {
				t.Fatalf("Deliver = %v, want retry %t", err, tc.retry)
			}
			if tc.retry && later.Delay != tc.delay {
				t.Errorf("retry delay %s, want %s", later.Delay, tc.delay)
			}
			if !tc.retry && err != nil {
				t.Fatalf("Deliver = %v", err)
			}
			got := f.onlyDelivery(t)
			if got.State != tc.wantState || got.LastStatus != tc.status || got.Attempts != 1 {
				t.Errorf("delivery %s/%d after %d attempt(s), want %s/%d after 1", got.State, got.LastStatus, got.Attempts, tc.wantState, tc.status)
			}
		})
	}
}

func (f *fixture) planOne(t *testing.T, inbox string) {
	t.Helper()
	u, _ := url.Parse(inbox)
	err := f.st.Transaction(context.Background(), func(tx *store.Store) error {
		return f.planner.ToInbox(context.Background(), tx, delivery.Activity{IRI: f.iris.NewActivity(), Type: "Accept",
			GroupID: f.group.ID, Body: []byte(`{"type":"Accept"}`)}, inbox, u.Hostname())
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDeliveredIsNotSentAgain(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	f := newFixture(t, st)
	srv, calls := sink(t)
	f.planOne(t, srv.URL+"/inbox")
	id := f.onlyDelivery(t).ID
	for i := 0; i < 2; i++ { // asynq may run a task twice; the second run sends nothing
		if err := f.deliverer.Deliver(context.Background(), id, false); err != nil {
			t.Fatal(err)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("inbox received %d posts, want 1", calls.Load())
	}
}

func TestLastAttemptAbandons(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	f := newFixture(t, st)
	srv, _ := sink(t, http.StatusBadGateway)
	f.planOne(t, srv.URL+"/inbox")
	if err := f.deliverer.Deliver(context.Background(), f.onlyDelivery(t).ID, true); err != nil {
		t.Fatalf("the last attempt settles the delivery: %v", err)
	}
	if got := f.onlyDelivery(t); got.State != model.DeliveryAbandoned {
		t.Fatalf("state %s, want abandoned", got.State)
	}
}

func TestUnreachableHostIsProbedNotHammered(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	f := newFixture(t, st)
	srv, _ := sink(t)
	srv.Close() // connection refused from now on
	host := "127.0.0.1"
	for i := 0; i < delivery.UnreachableAfter; i++ {
		f.planOne(t, srv.URL+"/inbox")
	}
	f.now = time.Now().Add(2 * delivery.UnreachableSpan) // a long outage: the failures span days
	var ids []string
	if err := st.DB().Model(&model.Delivery{}).Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		err := f.deliverer.Deliver(context.Background(), id, false)
		var later *delivery.RetryLater
		if !errors.As(err, &later) {
			t.Fatalf("a refused connection must be retried: %v", err)
		}
	}
	record, err := st.RemoteHostByName(context.Background(), host)
	if err != nil || record.UnreachableSince == nil {
		t.Fatalf("host not marked unreachable after %d failures: %+v %v", delivery.UnreachableAfter, record, err)
	}
	// While unreachable and before the probe time, deliveries are dropped without a request.
	f.planOne(t, srv.URL+"/inbox")
	var last model.Delivery
	if err := st.DB().Order("id DESC").First(&last).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.deliverer.Deliver(context.Background(), last.ID, false); err != nil {
		t.Fatal(err)
	}
	var dropped model.Delivery
	if err := st.DB().Where("id = ?", last.ID).First(&dropped).Error; err != nil {
		t.Fatal(err)
	}
	if dropped.State != model.DeliveryAbandoned {
		t.Fatalf("delivery to an unreachable host: %s, want abandoned", dropped.State)
	}
	// When the probe time comes, one delivery probes; a success makes the host reachable again.
	up, upCalls := sink(t)
	if err := st.DB().Exec("UPDATE remote_hosts SET next_probe_at = ? WHERE host = ?", time.Now().Add(-time.Minute).UTC(), host).Error; err != nil {
		t.Fatal(err)
	}
	f.planOne(t, up.URL+"/inbox")
	var probe model.Delivery // a fresh struct: gorm's First would reuse a filled one's id as a condition
	if err := st.DB().Order("id DESC").First(&probe).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.deliverer.Deliver(context.Background(), probe.ID, false); err != nil {
		t.Fatal(err)
	}
	if record, err = st.RemoteHostByName(context.Background(), host); err != nil {
		t.Fatal(err)
	}
	if upCalls.Load() != 1 || record.UnreachableSince != nil || record.ConsecutiveFailures != 0 {
		t.Fatalf("probe: %d calls, host %+v", upCalls.Load(), record)
	}
}

func TestBusyHostPostpones(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	f := newFixture(t, st)
	// The held deliveries wait for the test, not the clock: a client timeout would fail them if the
	// test were slow to release them under load.
	f.deliverer = delivery.NewDeliverer(delivery.DeliverConfig{Store: st, Poster: fetch.NewClient(fetch.Options{UserAgent: "Kring/test",
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, AllowHTTP: true, Timeout: time.Minute}),
		Signers: delivery.NewKeyRing(st, f.iris), PerHostLimit: 2, Now: func() time.Time { return f.now }})
	release := make(chan struct{})
	arrived := make(chan struct{}, 3) // buffered: the handler never waits to report
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	for i := 0; i < 3; i++ {
		f.planOne(t, fmt.Sprintf("%s/users/%d/inbox", slow.URL, i))
	}
	var ids []string
	if err := st.DB().Model(&model.Delivery{}).Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	results := make(chan error, 2)
	for _, id := range ids[:2] { // the per-host limit in this fixture is 2
		go func() { results <- f.deliverer.Deliver(context.Background(), id, false) }()
	}
	// Both deliveries hold their slot once their request reached the host; one that ends first never
	// reached it.
	for reached := 0; reached < 2; {
		select {
		case <-arrived:
			reached++
		case err := <-results:
			t.Fatalf("a delivery ended before reaching the host: %v", err)
		}
	}
	if err := f.deliverer.Deliver(context.Background(), ids[2], false); !errors.Is(err, delivery.ErrHostBusy) {
		t.Fatalf("third delivery to a host with 2 in flight: %v, want ErrHostBusy", err)
	}
	var third model.Delivery
	if err := st.DB().Where("id = ?", ids[2]).First(&third).Error; err != nil {
		t.Fatal(err)
	}
	if third.Attempts != 0 || third.State != model.DeliveryPending {
		t.Fatalf("a postponed delivery counts no attempt: %+v", third)
	}
	release <- struct{}{}
	release <- struct{}{}
	for i := 0; i < 2; i++ {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
}

// A fan-out planned in batches is sent by batch tasks; a delivery the batch cannot settle becomes a
// single-delivery task of its own, due after the first backoff step (or the host's Retry-After).
func TestBatchDelivery(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.planner.Batch = true
		f.deliverer = delivery.NewDeliverer(delivery.DeliverConfig{Store: st, Poster: fetch.NewClient(fetch.Options{UserAgent: "Kring/test",
			Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, AllowHTTP: true, Timeout: 3 * time.Second}),
			Signers: delivery.NewKeyRing(st, f.iris), Now: time.Now})
		good, goodCalls := sink(t)
		busy, _ := sink(t, http.StatusTooManyRequests)
		const followers = 120 // three batches
		for i := 0; i < followers; i++ {
			inbox := fmt.Sprintf("%s/users/%d/inbox", good.URL, i)
			if i == 7 {
				inbox = busy.URL + "/inbox"
			}
			f.follower(t, i, fmt.Sprintf("h%d.example", i), inbox, "", model.FollowAccepted)
		}
		if n := f.fanOut(t); n != followers {
			t.Fatalf("planned %d", n)
		}
		var batches []model.QueuedTask
		if err := st.DB().Where("task_type = ?", tasks.TypeDeliverBatch).Find(&batches).Error; err != nil {
			t.Fatal(err)
		}
		if len(batches) != 3 {
			t.Fatalf("%d batch tasks, want 3", len(batches))
		}
		for _, b := range batches {
			var payload tasks.DeliverBatchPayload
			if err := json.Unmarshal([]byte(b.Payload), &payload); err != nil {
				t.Fatal(err)
			}
			if err := f.deliverer.DeliverBatch(context.Background(), payload.DeliveryIDs); err != nil {
				t.Fatal(err)
			}
		}
		if goodCalls.Load() != followers-1 {
			t.Errorf("good inboxes got %d posts, want %d", goodCalls.Load(), followers-1)
		}
		counts, err := st.DeliveryCounts(context.Background(), mustActivityID(t, st))
		if err != nil || counts[model.DeliveryDelivered] != followers-1 || counts[model.DeliveryPending] != 1 {
			t.Fatalf("delivery states %v, %v", counts, err)
		}
		var retries []model.QueuedTask
		if err := st.DB().Where("task_type = ?", tasks.TypeDeliverActivity).Find(&retries).Error; err != nil {
			t.Fatal(err)
		}
		if len(retries) != 1 || time.Until(retries[0].RunAt) < time.Minute {
			t.Fatalf("retry tasks %+v; want one, due after the host's Retry-After of 2 minutes", retries)
		}
	})
}

func mustActivityID(t *testing.T, st *store.Store) string {
	t.Helper()
	var activity model.OutboundActivity
	if err := st.DB().Take(&activity).Error; err != nil {
		t.Fatal(err)
	}
	return activity.ID
}
