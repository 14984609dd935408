package production

import (
	"fmt"
	"net"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/kring-social/kring/test/testenv"
)

// serveMetricsAddress is a free loopback address for the serve's metrics listener.
func serveMetricsAddress(b *testing.B) string {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

// inboxHandling is the serve's own histogram of how long its inbox routes took to answer, from the
// moment its handlers had a request to the answer (kring_http_request_duration_seconds): what the
// latency the senders see owes to Kring's handling, as apart from the proxy, the senders' own
// connections and the kernel's queues, which take their share of the same cores.
type inboxHandling struct {
	upperBounds []float64 // seconds, ascending
	cumulative  []uint64  // requests answered within each bound
	count       uint64
}

// readInboxHandling reads the histogram from the serve's metrics listener at address.
func readInboxHandling(b *testing.B, address string) inboxHandling {
	b.Helper()
	var h inboxHandling
	family, ok := testenv.ScrapeMetrics(b, "http://"+address+"/metrics", "")["kring_http_request_duration_seconds"]
	if !ok {
		return h // no request handled yet
	}
	for _, metric := range family.GetMetric() {
		if !isInboxRoute(metric) {
			continue
		}
		histogram := metric.GetHistogram()
		if h.upperBounds == nil {
			for _, bucket := range histogram.GetBucket() {
				h.upperBounds = append(h.upperBounds, bucket.GetUpperBound())
			}
			h.cumulative = make([]uint64, len(h.upperBounds))
		}
		for i, bucket := range histogram.GetBucket() {
			h.cumulative[i] += bucket.GetCumulativeCount()
		}
		h.count += histogram.GetSampleCount()
	}
	return h
}

func isInboxRoute(metric *dto.Metric) bool {
	for _, label := range metric.GetLabel() {
		if label.GetName() == "route" && strings.HasSuffix(label.GetValue(), "inbox") {
			return true
		}
	}
	return false
}

// since is what the serve handled between earlier and h.
func (h inboxHandling) since(earlier inboxHandling) inboxHandling {
	d := inboxHandling{upperBounds: h.upperBounds, cumulative: make([]uint64, len(h.cumulative)), count: h.count - earlier.count}
	for i := range h.cumulative {
		d.cumulative[i] = h.cumulative[i]
		if i < len(earlier.cumulative) {
			d.cumulative[i] -= earlier.cumulative[i]
		}
	}
	return d
}

// within is the share of the requests answered within seconds (a bound of the histogram's).
func (h inboxHandling) within(seconds float64) float64 {
	for i, bound := range h.upperBounds {
		if bound == seconds && h.count > 0 {
			return float64(h.cumulative[i]) / float64(h.count)
		}
	}
	return 0
}

// p99Bound is the smallest bound of the histogram within which 99 % of the requests were answered.
func (h inboxHandling) p99Bound() string {
	for i, bound := range h.upperBounds {
		if h.count > 0 && float64(h.cumulative[i]) >= 0.99*float64(h.count) {
			return fmt.Sprintf("%g s", bound)
		}
	}
	return "over the largest bound"
}
