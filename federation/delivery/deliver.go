package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/federation/memo"
	"github.com/kring-social/kring/federation/signing"
)

// Poster posts a signed activity to an inbox (fetch.Client does).
type Poster interface {
	Post(ctx context.Context, inbox string, body []byte, signer signing.Signer) (fetch.PostResult, error)
}

// Signers finds the key an activity is signed with (KeyRing does).
type Signers interface {
	SignerFor(ctx context.Context, activity model.OutboundActivity) (signing.Signer, error)
}

// RetryLater asks for another attempt: after Delay when the server said when (Retry-After), else
// after the task queue's backoff.
type RetryLater struct {
	Delay time.Duration
	Err   error
}

func (e *RetryLater) Error() string { return "delivery will be retried: " + e.Err.Error() }
func (e *RetryLater) Unwrap() error { return e.Err }

// ErrHostBusy says the delivery was not tried because its host already has its share of requests in
// flight; it should run again shortly, without counting as an attempt.
var ErrHostBusy = errors.New("host has too many deliveries in flight")

// Circuit-breaker policy. A host that failed UnreachableAfter times in a row, with no success for
// UnreachableSpan, is marked unreachable: its deliveries are dropped, except one probe per
// ProbeInterval, until a probe succeeds. This is Mastodon's "unavailable domain" in spirit, so a dead
// server costs one request an hour instead of one per activity.
const (
	UnreachableAfter = 10
	UnreachableSpan  = 24 * time.Hour
	ProbeInterval    = time.Hour
)

// DeliverConfig is what a Deliverer needs.
type DeliverConfig struct {
	Store   *store.Store
	Poster  Poster
	Signers Signers
	// PerHostLimit bounds the POSTs in flight to one host from this process (DefaultPerHostLimit when
	// zero), so one slow server cannot hold every worker.
	PerHostLimit int
	Logger       *slog.Logger
	Now          func() time.Time
	// Outcomes is told what each attempt came to; nil tells no one.
	Outcomes OutcomeObserver
}

// DefaultPerHostLimit is how many deliveries one worker process sends to one host at once.
const DefaultPerHostLimit = 8

// Deliverer sends one delivery at a time; safe for concurrent use.
type Deliverer struct {
	cfg   DeliverConfig
	hosts *hostSlots
	// activities keeps the bodies of recent activities: a fan-out's thousands of deliveries carry one
	// activity, and a stored activity never changes.
	activities *memo.Cache[string, model.OutboundActivity]
	// loading merges concurrent reads of one activity: a fan-out's first deliveries all start at
	// once, in parallel within a batch and across batches, and would each miss the cache.
	loading singleflight.Group
	// healthy remembers, briefly, hosts with no failure on record, so deliveries to them skip reading
	// the circuit breaker; a failure forgets the host at once.
	healthy *memo.Cache[string, bool]
}

const healthyHostTTL = 10 * time.Second

// NewDeliverer returns a Deliverer.
func NewDeliverer(cfg DeliverConfig) *Deliverer {
	if cfg.PerHostLimit <= 0 {
		cfg.PerHostLimit = DefaultPerHostLimit
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Outcomes == nil {
		cfg.Outcomes = noOutcomes{}
	}
	return &Deliverer{cfg: cfg, hosts: newHostSlots(cfg.PerHostLimit), activities: memo.New[string, model.OutboundActivity](time.Hour, 256),
		healthy: memo.New[string, bool](healthyHostTTL, 100000)}
}

// Deliver makes one attempt at delivery id. lastAttempt says no retry follows, so a failure abandons
// the delivery. It returns nil when the delivery is settled (delivered, refused for good, abandoned,
// or gone), a *RetryLater when it should be tried again, ErrHostBusy, or the error that kept the
// attempt from being made or recorded (the database's), which a retry may get past.
func (d *Deliverer) Deliver(ctx context.Context, id string, lastAttempt bool) error {
	delivery, err := d.cfg.Store.DeliveryByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		// The activity was deleted with its group: nothing left to send.
		d.cfg.Logger.InfoContext(ctx, "delivery skipped: it no longer exists", "delivery", id)
		return nil
	}
	if err != nil {
		return err
	}
	if delivery.State != model.DeliveryPending {
		// Settled by an earlier run: deliveries are at least once, never twice on purpose.
		d.cfg.Logger.DebugContext(ctx, "delivery skipped: already settled", "delivery", id, "state", string(delivery.State))
		return nil
	}
	err = d.attempt(ctx, delivery, lastAttempt, d.recordDelivered)
	d.logUnsettled(ctx, delivery, err)
	return err
}

// logAttempt writes a line about an attempt at delivery naming its activity, host and attempt
// number (counted from 1, as the delivery's attempts are), its inbox and its id, then more.
func (d *Deliverer) logAttempt(ctx context.Context, level slog.Level, message string, delivery model.Delivery, more ...slog.Attr) {
	if !d.cfg.Logger.Enabled(ctx, level) {
		return
	}
	attrs := append([]slog.Attr{slog.String("activity", delivery.OutboundActivityID), slog.String("host", delivery.Host),
		slog.Int("attempt", delivery.Attempts+1), slog.String("inbox", delivery.InboxURL), slog.String("delivery", delivery.ID)},
		more...)
	d.cfg.Logger.LogAttrs(ctx, level, message, attrs...)
}

// logUnsettled logs an attempt that left delivery pending without a remote's answer to show for it
// (that answer is logged where it is read): its host was busy, or the attempt could not be made or
// recorded. more says what happens next.
func (d *Deliverer) logUnsettled(ctx context.Context, delivery model.Delivery, err error, more ...slog.Attr) {
	var later *RetryLater
	switch {
	case err == nil || errors.As(err, &later):
	case errors.Is(err, ErrHostBusy):
		d.logAttempt(ctx, slog.LevelDebug, "delivery postponed: its host has too many in flight", delivery, more...)
	default:
		d.logAttempt(ctx, slog.LevelWarn, "delivery attempt failed", delivery, append(more, slog.Any("error", err))...)
	}
}

// deliveredFunc records that a delivery was accepted with status: at once (Deliver) or later, with
// the rest of its batch (DeliverBatch).
type deliveredFunc func(ctx context.Context, delivery model.Delivery, status int) error

func (d *Deliverer) recordDelivered(ctx context.Context, delivery model.Delivery, status int) error {
	return d.settle(ctx, delivery, model.DeliveryDelivered, status, "")
}

// attempt makes one attempt at a pending delivery; its results are Deliver's.
func (d *Deliverer) attempt(ctx context.Context, delivery model.Delivery, lastAttempt bool, delivered deliveredFunc) error {
	if reason := unsendableInbox(delivery.InboxURL); reason != "" {
		d.cfg.Outcomes.DeliveryOutcome(OutcomeGaveUp, HostUnsendable)
		return d.abandonTarget(ctx, delivery, reason)
	}
	host, skip, err := d.hostState(ctx, delivery.Host)
	if err != nil {
		return err
	}
	if skip {
		d.observe(OutcomeSkipped, host)
		return d.settle(ctx, delivery, model.DeliveryAbandoned, 0, "host unreachable; not tried")
	}
	if !d.hosts.acquire(delivery.Host) {
		return ErrHostBusy
	}
	defer d.hosts.release(delivery.Host)

	activity, err := d.activity(ctx, delivery.OutboundActivityID)
	if errors.Is(err, store.ErrNotFound) {
		// Deleted since the delivery was read (with its group); the delivery row went with it.
		d.observe(OutcomeSkipped, host)
		return d.settle(ctx, delivery, model.DeliveryAbandoned, 0, "its activity no longer exists")
	}
	if err != nil {
		return err
	}
	signer, err := d.cfg.Signers.SignerFor(ctx, activity)
	if errors.Is(err, ErrUnusableKey) {
		d.observe(OutcomeGaveUp, host)
		return d.abandonUnsigned(ctx, delivery, err)
	}
	if err != nil {
		return err
	}
	result, postErr := d.cfg.Poster.Post(ctx, delivery.InboxURL, []byte(activity.Body), signer)
	return d.record(ctx, delivery, host, result, postErr, lastAttempt, delivered)
}

func (d *Deliverer) activity(ctx context.Context, id string) (model.OutboundActivity, error) {
	if activity, ok := d.activities.Get(id); ok {
		return activity, nil
	}
	loaded, err, _ := d.loading.Do(id, func() (any, error) {
		activity, err := d.cfg.Store.OutboundActivityByID(ctx, id)
		if err == nil {
			d.activities.Put(id, activity)
		}
		return activity, err
	})
	return loaded.(model.OutboundActivity), err
}

// record classifies an attempt: 2xx delivered; 404/410 abandoned (the inbox is gone); other 4xx but
// 408 and 429 failed for good; an inbox the client must not reach (its name resolves to an address
// the SSRF guard forbids, or a scheme not allowed) abandoned; 429, 5xx, 408 and other network
// errors retried (honouring Retry-After).
func (d *Deliverer) record(ctx context.Context, delivery model.Delivery, host model.RemoteHost, result fetch.PostResult,
	postErr error, lastAttempt bool, delivered deliveredFunc) error {
	status := result.Status
	switch {
	case errors.Is(postErr, fetch.ErrForbiddenAddress) || errors.Is(postErr, fetch.ErrScheme):
		d.cfg.Outcomes.DeliveryOutcome(OutcomeGaveUp, HostUnsendable)
		return d.abandonTarget(ctx, delivery, postErr.Error())
	case postErr == nil && status >= 200 && status < 300:
		// Only a host with failures on record has anything to reset: a healthy host's success costs
		// no write, which matters when one activity goes to thousands of hosts.
		if host.ConsecutiveFailures > 0 || host.UnreachableSince != nil {
			if err := d.cfg.Store.RecordHostSuccess(ctx, delivery.Host); err != nil {
				return err
			}
		}
		d.logAttempt(ctx, slog.LevelDebug, "delivered", delivery, slog.Int("status", status))
		d.observe(OutcomeDelivered, host)
		return delivered(ctx, delivery, status)
	case postErr == nil && (status == http.StatusNotFound || status == http.StatusGone):
		d.observe(OutcomeGaveUp, host)
		return d.settle(ctx, delivery, model.DeliveryAbandoned, status, fmt.Sprintf("inbox answered %d", status))
	case postErr == nil && status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests:
		d.observe(OutcomeGaveUp, host)
		return d.settle(ctx, delivery, model.DeliveryFailed, status, fmt.Sprintf("inbox refused it with %d", status))
	}
	reason := fmt.Sprintf("inbox answered %d", status)
	if postErr != nil {
		reason = postErr.Error()
	}
	if status != http.StatusTooManyRequests {
		if err := d.noteHostFailure(ctx, delivery.Host, reason); err != nil {
			return err
		}
	}
	if lastAttempt {
		d.observe(OutcomeGaveUp, host)
		return d.settle(ctx, delivery, model.DeliveryAbandoned, status, "retries exhausted: "+reason)
	}
	if err := d.cfg.Store.RecordDeliveryAttempt(ctx, delivery.ID, store.DeliveryOutcome{
		State: model.DeliveryPending, Status: status, Error: reason}); err != nil {
		return err
	}
	attrs := []slog.Attr{slog.Int("status", status), slog.String("reason", reason)}
	if result.RetryAfter > 0 {
		attrs = append(attrs, slog.Duration("retry_after", result.RetryAfter))
	}
	d.logAttempt(ctx, slog.LevelInfo, "delivery failed; it will be retried", delivery, attrs...)
	d.observe(OutcomeFailedRetrying, host)
	return &RetryLater{Delay: result.RetryAfter, Err: errors.New(reason)}
}

func (d *Deliverer) settle(ctx context.Context, delivery model.Delivery, state model.DeliveryState, status int, reason string) error {
	if state != model.DeliveryDelivered {
		d.logAttempt(ctx, slog.LevelInfo, "delivery not delivered", delivery, slog.String("state", string(state)),
			slog.Int("status", status), slog.String("reason", reason))
	}
	return d.cfg.Store.RecordDeliveryAttempt(ctx, delivery.ID, store.DeliveryOutcome{State: state, Status: status, Error: reason})
}

// unsendableInbox says why no request to inbox may ever be made (a malformed URL, a scheme other than
// http(s), no host), or "" when it may be tried.
func unsendableInbox(inbox string) string {
	u, err := url.Parse(inbox)
	switch {
	case err != nil:
		return "malformed inbox URL: " + err.Error()
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Sprintf("inbox URL scheme %q is not http or https", u.Scheme)
	case u.Host == "":
		return fmt.Sprintf("inbox URL %q has no host", inbox)
	}
	return ""
}

// abandonTarget settles, after its one attempt, a delivery to an inbox Kring must never send to. No
// later attempt could succeed, so none is made; and the host's circuit breaker is not charged: the
// target says nothing about whether the host is up. Logged once, as a warning: a follower whose
// inbox points inside the network is a misconfiguration or a probe.
func (d *Deliverer) abandonTarget(ctx context.Context, delivery model.Delivery, reason string) error {
	d.logAttempt(ctx, slog.LevelWarn, "delivery abandoned: the inbox may not be reached", delivery, slog.String("reason", reason))
	return d.cfg.Store.RecordDeliveryAttempt(ctx, delivery.ID, store.DeliveryOutcome{State: model.DeliveryAbandoned, Error: reason})
}

// abandonUnsigned settles a delivery whose activity cannot be signed (ErrUnusableKey): sent unsigned
// it would be refused, and no retry finds a key that is not there, so it is abandoned after this one
// attempt, without a request and without charging its host. Logged as an error: a group's key is
// missing or damaged, which an operator has to repair.
func (d *Deliverer) abandonUnsigned(ctx context.Context, delivery model.Delivery, err error) error {
	d.logAttempt(ctx, slog.LevelError, "delivery abandoned: the activity cannot be signed", delivery, slog.Any("error", err))
	return d.cfg.Store.RecordDeliveryAttempt(ctx, delivery.ID, store.DeliveryOutcome{State: model.DeliveryAbandoned,
		Error: "cannot be signed: " + err.Error()})
}

// hostState loads the host's record (empty for a host never failed) and reports whether deliveries
// to it are to be dropped now. When the probe time of an unreachable host has come, one delivery
// claims the probe and is tried.
func (d *Deliverer) hostState(ctx context.Context, host string) (model.RemoteHost, bool, error) {
	if _, healthy := d.healthy.Get(host); healthy {
		return model.RemoteHost{Host: host}, false, nil
	}
	record, err := d.cfg.Store.RemoteHostByName(ctx, host)
	if errors.Is(err, store.ErrNotFound) || (err == nil && record.ConsecutiveFailures == 0 && record.UnreachableSince == nil) {
		d.healthy.Put(host, true)
		return model.RemoteHost{Host: host}, false, nil
	}
	if err != nil || record.UnreachableSince == nil {
		return record, false, err
	}
	claimed, err := d.cfg.Store.ClaimHostProbe(ctx, host, d.cfg.Now().Add(ProbeInterval))
	return record, !claimed, err
}

func (d *Deliverer) noteHostFailure(ctx context.Context, host, reason string) error {
	d.healthy.Delete(host)
	record, err := d.cfg.Store.RecordHostFailure(ctx, host, reason)
	if err != nil {
		return err
	}
	lastGood := record.CreatedAt
	if record.LastSuccessAt != nil {
		lastGood = *record.LastSuccessAt
	}
	if record.UnreachableSince == nil && record.ConsecutiveFailures >= UnreachableAfter && d.cfg.Now().Sub(lastGood) >= UnreachableSpan {
		d.cfg.Logger.WarnContext(ctx, "host marked unreachable", "host", host, "failures", record.ConsecutiveFailures)
		return d.cfg.Store.MarkHostUnreachable(ctx, host, d.cfg.Now().Add(ProbeInterval))
	}
	return nil
}
