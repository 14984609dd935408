package delivery

import "github.com/kring-social/kring/app/model"

// OutcomeObserver is told what each delivery attempt came to (package metrics counts them).
type OutcomeObserver interface {
	DeliveryOutcome(outcome, hostClass string)
}

// What a delivery attempt came to.
const (
	OutcomeDelivered      = "delivered"
	OutcomeFailedRetrying = "failed-retrying" // the remote failed; another attempt follows
	OutcomeGaveUp         = "gave-up"         // refused for good, inbox gone, or retries exhausted
	OutcomeSkipped        = "skipped"         // not tried: its host is unreachable, or its activity is gone
)

// Host classes: the state of the host's circuit breaker when the attempt began. A class, not the
// host, labels a metric, so the number of series stays bounded however many servers Kring reaches.
const (
	HostHealthy     = "healthy"     // no failure on record
	HostFailing     = "failing"     // failed lately, still tried
	HostUnreachable = "unreachable" // marked unreachable: only probes are sent
	HostUnsendable  = "unsendable"  // an inbox Kring may never send to (malformed, forbidden address)
)

func hostClass(host model.RemoteHost) string {
	switch {
	case host.UnreachableSince != nil:
		return HostUnreachable
	case host.ConsecutiveFailures > 0:
		return HostFailing
	}
	return HostHealthy
}

type noOutcomes struct{}

func (noOutcomes) DeliveryOutcome(string, string) {}

func (d *Deliverer) observe(outcome string, host model.RemoteHost) {
	d.cfg.Outcomes.DeliveryOutcome(outcome, hostClass(host))
}
