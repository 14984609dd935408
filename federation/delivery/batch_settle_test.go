package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/test/testenv"
)

// TestBatchSettlesAsItGoes: a batch settles its delivered deliveries ten at a time while it runs, so
// a worker killed in the middle leaves settled what it had delivered but for the last few: the batch
// run again after the kill sends only those twice. Here the inboxes after the twentieth hold their
// answer until the test has seen the first twenty settled; a batch that settles only when it ends
// never gets there.
func TestBatchSettlesAsItGoes(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	f := newFixture(t, st)
	f.planner.Batch = true
	f.deliverer = delivery.NewDeliverer(delivery.DeliverConfig{Store: st, Poster: fetch.NewClient(fetch.Options{UserAgent: "Kring/test",
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, AllowHTTP: true, Timeout: 30 * time.Second}),
		Signers: delivery.NewKeyRing(st, f.iris), Now: time.Now})
	release := make(chan struct{})
	var answered atomic.Int32
	inbox := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if answered.Add(1) > 20 {
			<-release
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(inbox.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	const followers = 30
	for i := range followers {
		f.follower(t, i, fmt.Sprintf("h%d.example", i), fmt.Sprintf("%s/users/%d/inbox", inbox.URL, i), "", model.FollowAccepted)
	}
	f.fanOut(t)
	var batch model.QueuedTask
	if err := st.DB().Where("task_type = ?", tasks.TypeDeliverBatch).Take(&batch).Error; err != nil {
		t.Fatal(err)
	}
	var payload tasks.DeliverBatchPayload
	if err := json.Unmarshal([]byte(batch.Payload), &payload); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- f.deliverer.DeliverBatch(context.Background(), payload.DeliveryIDs) }()

	delivered := func() int {
		counts, err := st.DeliveryCounts(context.Background(), mustActivityID(t, st))
		if err != nil {
			t.Fatal(err)
		}
		return counts[model.DeliveryDelivered]
	}
	for deadline := time.Now().Add(10 * time.Second); delivered() < 20; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries settled while the batch runs, want the first 20", delivered())
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := delivered(); got != followers {
		t.Fatalf("%d delivered after the batch, want %d", got, followers)
	}
}
