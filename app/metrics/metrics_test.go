package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kring-social/kring/app/metrics"
	"github.com/kring-social/kring/test/testenv"
)

func scrape(t *testing.T, m *metrics.Metrics) testenv.Scrape {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return testenv.ParseMetrics(t, rec.Body)
}

// Labels stay bounded: no route is "unmatched", a made-up method is "other".
func TestRequestLabelsStayBounded(t *testing.T) {
	t.Parallel()
	m := metrics.New("serve", "test")
	m.ObserveRequest("", "GET", 404, time.Millisecond)
	m.ObserveRequest("/groups/:slug", "BREW", 405, time.Millisecond)
	s := scrape(t, m)
	if s.Value("kring_http_requests_total", map[string]string{"route": metrics.UnmatchedRoute, "class": "4xx", "code": "404"}) != 1 {
		t.Error("a request no route matched is not counted as unmatched")
	}
	if s.Value("kring_http_requests_total", map[string]string{"route": "/groups/:slug", "method": "other"}) != 1 {
		t.Error("a made-up method is not counted as other")
	}
	if s.Value("kring_build_info", map[string]string{"version": "test", "role": "serve"}) != 1 {
		t.Error("no build info")
	}
}

// A broker that does not answer in time leaves the queue gauges out and says so, without holding
// the rest of the scrape.
func TestQueueScrapeOfADeadBroker(t *testing.T) {
	t.Parallel()
	m := metrics.New("worker", "test")
	if err := m.AddQueues(func(ctx context.Context) ([]metrics.QueueSample, error) {
		<-ctx.Done()
		return nil, errors.New("broker did not answer")
	}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s := scrape(t, m)
	if took := time.Since(start); took > metrics.QueueScrapeTimeout+time.Second {
		t.Errorf("scrape took %s", took)
	}
	if !s.Has("kring_queue_scrape_success", nil) || s.Value("kring_queue_scrape_success", nil) != 0 {
		t.Error("a failed queue read is not reported")
	}
	if s["kring_queue_tasks"] != nil {
		t.Error("queue gauges reported without an answer")
	}
	if s["go_goroutines"] == nil {
		t.Error("the rest of the scrape is missing")
	}
}
