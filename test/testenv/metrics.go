package testenv

import (
	"io"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape is one parsed /metrics answer, read with Prometheus's own text parser, so a test fails on
// output a real scraper would reject.
type Scrape map[string]*dto.MetricFamily

// ParseMetrics parses a Prometheus text exposition.
func ParseMetrics(t testing.TB, text io.Reader) Scrape {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(text)
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	return families
}

// ScrapeMetrics gets url (with an Authorization header when auth is not empty) and parses the
// answer, which must be 200.
func ScrapeMetrics(t testing.TB, url, auth string) Scrape {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("scrape %s: %d %s", url, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return ParseMetrics(t, resp.Body)
}

// Value sums the samples of the named counter or gauge (or the counts of a histogram) whose labels
// include every one of labels; it is 0 when there are none.
func (s Scrape) Value(name string, labels map[string]string) float64 {
	family := s[name]
	if family == nil {
		return 0
	}
	total := 0.0
	for _, m := range family.GetMetric() {
		if !hasLabels(m, labels) {
			continue
		}
		switch {
		case m.GetCounter() != nil:
			total += m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			total += m.GetGauge().GetValue()
		case m.GetHistogram() != nil:
			total += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return total
}

// Has reports whether a sample of the named family has every one of labels.
func (s Scrape) Has(name string, labels map[string]string) bool {
	family := s[name]
	if family == nil {
		return false
	}
	for _, m := range family.GetMetric() {
		if hasLabels(m, labels) {
			return true
		}
	}
	return false
}

func hasLabels(m *dto.Metric, labels map[string]string) bool {
	found := 0
	for _, pair := range m.GetLabel() {
		if want, ok := labels[pair.GetName()]; ok && want == pair.GetValue() {
			found++
		}
	}
	return found == len(labels)
}
