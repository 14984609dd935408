// Package metrics keeps one process's Prometheus metrics: its own registry (never the global one,
// so tests and the two roles of `kring all` cannot collide), the collectors Kring's code reports to
// through small interfaces declared where it is used, and the handler that serves them. It imports
// nothing of Kring, so every layer may be handed a *Metrics without importing Prometheus itself.
package metrics

import (
	"database/sql"
	"net/http"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one process's registry and the metrics Kring's code moves.
type Metrics struct {
	registry   *prometheus.Registry
	http       httpMetrics
	inbox      inboxMetrics
	deliveries *prometheus.CounterVec
}

// New returns the metrics of a process of the given role ("serve", "worker" or "all") and version,
// with the Go runtime, process and build-info collectors registered.
func New(role, version string) *Metrics {
	registry := prometheus.NewRegistry()
	registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo(role, version),
	)
	m := &Metrics{registry: registry, http: newHTTPMetrics(registry), inbox: newInboxMetrics(registry),
		deliveries: newDeliveryMetrics(registry)}
	return m
}

// buildInfo is a gauge fixed at 1 whose labels say what runs: the usual way to put a version on a
// dashboard and join it to other series.
func buildInfo(role, version string) prometheus.Collector {
	goVersion := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
	}
	gauge := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "kring_build_info",
		Help:        "Always 1; the labels say which Kring version and role this process runs.",
		ConstLabels: prometheus.Labels{"version": version, "role": role, "goversion": goVersion},
	})
	gauge.Set(1)
	return gauge
}

// AddDatabase reports the connection pool of db (open, in use, idle, waits) under db_name.
func (m *Metrics) AddDatabase(db *sql.DB, name string) error {
	return m.registry.Register(collectors.NewDBStatsCollector(db, name))
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Register adds a collector of the caller's own (the queue collector).
func (m *Metrics) Register(c prometheus.Collector) error { return m.registry.Register(c) }
