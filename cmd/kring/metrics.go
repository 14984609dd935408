package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/kring-social/kring/app/metrics"
	"github.com/kring-social/kring/federation/inbox"
	"github.com/kring-social/kring/workers"
)

// startMetrics builds the process's metrics (its own registry: serve and worker each have theirs)
// with the database pool and the broker's queues, and serves them on KRING_METRICS_LISTEN when set.
func (p *process) startMetrics(role processRole) error {
	p.metrics = metrics.New(role.name, version)
	sqlDB, err := p.store.DB().DB()
	if err != nil {
		return fmt.Errorf("database handle for metrics: %w", err)
	}
	if err := p.metrics.AddDatabase(sqlDB, "kring"); err != nil {
		return err
	}
	if err := p.metrics.AddQueues(readQueues(p.inspector)); err != nil {
		return err
	}
	p.federation.DeliveryOutcomes = p.metrics
	if p.cfg.MetricsListen == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", p.metrics.Handler())
	server, err := serveHTTP("metrics server", p.cfg.MetricsListen, "KRING_METRICS_LISTEN", p.logger, mux)
	if err != nil {
		return err
	}
	p.metricsServer = server
	p.closers = append(p.closers, func() error { return server.Shutdown(p.cfg.ShutdownTimeout) })
	return nil
}

// readQueues adapts the broker inspector to the metrics' queue reader.
func readQueues(inspector *workers.Inspector) metrics.QueueReader {
	return func(ctx context.Context) ([]metrics.QueueSample, error) {
		stats, err := inspector.QueueStatsWithin(ctx)
		if err != nil {
			return nil, err
		}
		samples := make([]metrics.QueueSample, len(stats))
		for i, s := range stats {
			samples[i] = metrics.QueueSample{Queue: s.Queue, Pending: s.Pending, Active: s.Active, Scheduled: s.Scheduled,
				Retry: s.Retry, Archived: s.Archived, Latency: s.Latency}
		}
		return samples, nil
	}
}

// inboxObservers tells the metrics and the refusal tally alike of every inbox request.
type inboxObservers []inbox.Observer

func (o inboxObservers) InboxAccepted(stored bool) {
	for _, observer := range o {
		observer.InboxAccepted(stored)
	}
}

func (o inboxObservers) InboxRefused(reason string) {
	for _, observer := range o {
		observer.InboxRefused(reason)
	}
}
