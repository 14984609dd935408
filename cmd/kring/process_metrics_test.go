package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/test/testenv"
)

var metricsListening = regexp.MustCompile(`metrics server listening.*address=(\S+)`)

// The embedded default with KRING_METRICS_LISTEN and KRING_METRICS_TOKEN: the metrics listener and
// the main listener's /metrics (with the token only) serve the same registry, parsed by Prometheus's
// text parser; a request counts under its route template, an unsigned inbox POST under the
// "signature" refusal, and each queue has its gauges.
func TestMetricsAreServedAndMove(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef0123456789abcdef"
	k := testenv.StartKring(t, map[string]string{"KRING_DATA_DIR": t.TempDir(),
		"KRING_METRICS_LISTEN": "127.0.0.1:0", "KRING_METRICS_TOKEN": token})
	base := k.WaitListening(t)
	metricsURL := "http://" + k.WaitForLine(t, metricsListening, 30*time.Second)[1] + "/metrics"

	if status := testenv.GetStatus(t, base+"/readyz"); status != http.StatusOK {
		t.Fatalf("/readyz = %d", status)
	}
	before := testenv.ScrapeMetrics(t, metricsURL, "")
	activity := `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://peer.example/a/1","type":"Follow",` +
		`"actor":"https://peer.example/users/u","object":"https://kring.example/groups/lobby"}`
	resp, err := http.Post(base+"/inbox", "application/activity+json", strings.NewReader(activity))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned POST /inbox = %d, want 401", resp.StatusCode)
	}
	if status := testenv.GetStatus(t, base+"/groups/nobody-here"); status != http.StatusNotFound {
		t.Fatalf("/groups/nobody-here = %d, want 404", status)
	}

	after := testenv.ScrapeMetrics(t, metricsURL, "")
	moved := func(name string, labels map[string]string, want float64) {
		t.Helper()
		if got := after.Value(name, labels) - before.Value(name, labels); got != want {
			t.Errorf("%s%v moved by %v, want %v", name, labels, got, want)
		}
	}
	moved("kring_http_requests_total", map[string]string{"route": "/inbox", "method": "POST", "code": "401", "class": "4xx"}, 1)
	moved("kring_inbox_refusals_total", map[string]string{"reason": "signature"}, 1)
	moved("kring_http_request_duration_seconds", map[string]string{"route": "/inbox"}, 1)
	if after.Value("kring_http_requests_total", map[string]string{"route": "/readyz", "code": "200"}) < 1 {
		t.Error("/readyz is not counted under its route")
	}
	for name, family := range after {
		if name != "kring_http_requests_total" {
			continue
		}
		for _, m := range family.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" && strings.Contains(l.GetValue(), "nobody-here") {
					t.Errorf("a raw path is a route label: %q", l.GetValue())
				}
			}
		}
	}
	for _, queue := range []string{"inbound", "deliveries", "maintenance"} {
		if !after.Has("kring_queue_tasks", map[string]string{"queue": queue, "state": "pending"}) ||
			!after.Has("kring_queue_latency_seconds", map[string]string{"queue": queue}) {
			t.Errorf("queue %s has no gauges", queue)
		}
	}
	for _, family := range []string{"kring_build_info", "go_goroutines", "process_resident_memory_bytes", "go_sql_open_connections"} {
		if after[family] == nil {
			t.Errorf("no %s in the scrape", family)
		}
	}
	if after.Value("kring_queue_scrape_success", nil) != 1 {
		t.Error("the queues were not read from the broker")
	}

	// On the main listener, only with the token.
	for auth, want := range map[string]int{"": http.StatusUnauthorized, "Bearer wrong": http.StatusUnauthorized,
		"Bearer " + token + "x": http.StatusUnauthorized, token: http.StatusUnauthorized, "Bearer " + token: http.StatusOK} {
		req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET /metrics with %q = %d, want %d", auth, resp.StatusCode, want)
		}
	}
	if testenv.ScrapeMetrics(t, base+"/metrics", "Bearer "+token)["kring_inbox_refusals_total"] == nil {
		t.Error("the main listener's /metrics is not the process's registry")
	}
	if code := k.Stop(t); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// Without KRING_METRICS_TOKEN there is no /metrics on the main listener.
func TestNoMetricsOnTheSiteWithoutAToken(t *testing.T) {
	t.Parallel()
	k := testenv.StartKring(t, map[string]string{"KRING_DATA_DIR": t.TempDir()})
	base := k.WaitListening(t)
	if status := testenv.GetStatus(t, base+"/metrics"); status != http.StatusNotFound {
		t.Errorf("GET /metrics = %d, want 404", status)
	}
	k.Stop(t)
}
