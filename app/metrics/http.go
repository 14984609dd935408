package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// UnmatchedRoute labels requests no route matched (404s of scanners): their raw paths would give
// every probe a series of its own.
const UnmatchedRoute = "unmatched"

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(registry *prometheus.Registry) httpMetrics {
	m := httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kring_http_requests_total",
			Help: "HTTP requests answered, by route template, method, status class and status code.",
		}, []string{"route", "method", "class", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kring_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route template and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
	}
	registry.MustRegister(m.requests, m.duration)
	return m
}

// ObserveRequest counts one answered request. route is the route's template (gin's FullPath, such as
// /groups/:slug/inbox), never the raw path, so the number of series stays bounded; an empty route
// counts as UnmatchedRoute.
func (m *Metrics) ObserveRequest(route, method string, status int, took time.Duration) {
	if route == "" {
		route = UnmatchedRoute
	}
	method = boundedMethod(method)
	m.http.requests.WithLabelValues(route, method, statusClass(status), strconv.Itoa(status)).Inc()
	m.http.duration.WithLabelValues(route, method).Observe(took.Seconds())
}

func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// boundedMethod keeps made-up methods out of the labels.
func boundedMethod(method string) string {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		return method
	}
	return "other"
}
