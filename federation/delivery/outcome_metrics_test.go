package delivery_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/kring-social/kring/app/metrics"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/test/testenv"
)

// Each attempt counts under its outcome and its host's class, as a scrape reads them: a first 503
// fails and will be retried while the host is healthy; the retry, to a host now failing, delivers;
// a 410 from another delivery gives up.
func TestDeliveryOutcomesAreCounted(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	f := newFixture(t, st)
	m := metrics.New("worker", "test")
	client := fetch.NewClient(fetch.Options{UserAgent: "Kring/test", Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		AllowHTTP: true, Timeout: 3 * time.Second})
	f.deliverer = delivery.NewDeliverer(delivery.DeliverConfig{Store: st, Poster: client, Signers: delivery.NewKeyRing(st, f.iris),
		Outcomes: m})
	srv, _ := sink(t, http.StatusServiceUnavailable)
	f.planOne(t, srv.URL+"/inbox")
	id := f.onlyDelivery(t).ID
	scrape := func() testenv.Scrape {
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		return testenv.ParseMetrics(t, rec.Body)
	}

	var later *delivery.RetryLater
	if err := f.deliverer.Deliver(context.Background(), id, false); !errors.As(err, &later) {
		t.Fatalf("first attempt: %v, want a retry", err)
	}
	if got := scrape().Value("kring_deliveries_total", map[string]string{"outcome": "failed-retrying", "host_class": "healthy"}); got != 1 {
		t.Errorf("failed-retrying from a healthy host = %v, want 1", got)
	}
	if err := f.deliverer.Deliver(context.Background(), id, false); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	s := scrape()
	if got := s.Value("kring_deliveries_total", map[string]string{"outcome": "delivered", "host_class": "failing"}); got != 1 {
		t.Errorf("delivered to a failing host = %v, want 1", got)
	}
	if got := s.Value("kring_deliveries_total", nil); got != 2 {
		t.Errorf("%v outcomes counted, want 2", got)
	}
}
