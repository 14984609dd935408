package metrics

import "github.com/prometheus/client_golang/prometheus"

type inboxMetrics struct {
	accepted *prometheus.CounterVec
	refused  *prometheus.CounterVec
}

func newInboxMetrics(registry *prometheus.Registry) inboxMetrics {
	m := inboxMetrics{
		accepted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kring_inbox_accepted_total",
			Help: "Inbound activities acknowledged: stored for processing, or ignored (verified, of a type Kring does nothing with).",
		}, []string{"outcome"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kring_inbox_refusals_total",
			Help: "Inbound activities refused, by reason (federation/inbox names the few reasons).",
		}, []string{"reason"}),
	}
	registry.MustRegister(m.accepted, m.refused)
	return m
}

// InboxAccepted counts an acknowledged activity; stored is false for one acknowledged but ignored.
func (m *Metrics) InboxAccepted(stored bool) {
	outcome := "stored"
	if !stored {
		outcome = "ignored"
	}
	m.inbox.accepted.WithLabelValues(outcome).Inc()
}

// InboxRefused counts a refused activity under reason, one of the inbox's few fixed reasons.
func (m *Metrics) InboxRefused(reason string) { m.inbox.refused.WithLabelValues(reason).Inc() }
