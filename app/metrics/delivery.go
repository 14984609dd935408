package metrics

import "github.com/prometheus/client_golang/prometheus"

func newDeliveryMetrics(registry *prometheus.Registry) *prometheus.CounterVec {
	deliveries := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kring_deliveries_total",
		Help: "Delivery attempts by outcome (delivered, failed-retrying, gave-up, skipped) and the class of their host's " +
			"circuit breaker (healthy, failing, unreachable, unsendable): never the host itself, which would be unbounded.",
	}, []string{"outcome", "host_class"})
	registry.MustRegister(deliveries)
	return deliveries
}

// DeliveryOutcome counts one settled or retried delivery attempt.
func (m *Metrics) DeliveryOutcome(outcome, hostClass string) {
	m.deliveries.WithLabelValues(outcome, hostClass).Inc()
}
