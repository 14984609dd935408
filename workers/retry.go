package workers

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/tasks"
)

// RetryPolicy says how often and how patiently a task type is retried.
type RetryPolicy struct {
	MaxRetry int           // retries after the first attempt
	Base     time.Duration // delay before the first retry; doubles with each retry
	Max      time.Duration // cap on one delay, and on a RetryAfter the remote asked for
	Jitter   float64       // fraction by which a delay is spread either way, so retries of many tasks failing together do not arrive together
	Timeout  time.Duration // how long one attempt may run
}

// RetryPolicyFor returns the policy of a task type. Deliveries keep trying for about two days, as
// Mastodon does, because a remote server down for a weekend should still receive what was posted.
func RetryPolicyFor(taskType string) RetryPolicy {
	switch taskType {
	case tasks.TypeDeliverActivity:
		return RetryPolicy{MaxRetry: 16, Base: 30 * time.Second, Max: 6 * time.Hour, Jitter: 0.2, Timeout: 2 * time.Minute}
	case tasks.TypeSendEmail:
		// About eight hours: a mail server down for a while still gets the message.
		return RetryPolicy{MaxRetry: 10, Base: 30 * time.Second, Max: 6 * time.Hour, Jitter: 0.2, Timeout: 2 * time.Minute}
	case tasks.TypeProcessInbound:
		return RetryPolicy{MaxRetry: 8, Base: 30 * time.Second, Max: time.Hour, Jitter: 0.2, Timeout: 2 * time.Minute}
	default:
		return RetryPolicy{MaxRetry: 5, Base: time.Minute, Max: 6 * time.Hour, Jitter: 0.2, Timeout: 5 * time.Minute}
	}
}

// Delay is the wait before retry number n+1 (n counts the retries already made, as asynq passes it),
// given spread in [0,1) picking where in the jitter band the delay falls.
func (p RetryPolicy) Delay(n int, spread float64) time.Duration {
	delay := p.Base
	for i := 0; i < n && delay < p.Max; i++ {
		delay *= 2
	}
	delay = min(delay, p.Max)
	factor := 1 + p.Jitter*(2*spread-1)
	return time.Duration(float64(delay) * factor)
}

// Horizon is how long a task keeps being retried after its first attempt, with no jitter.
func (p RetryPolicy) Horizon() time.Duration {
	var total time.Duration
	for n := 0; n < p.MaxRetry; n++ {
		total += p.Delay(n, 0.5)
	}
	return total
}

// LeaseExpiredRetry is the wait before retrying a task whose worker stopped extending its lease
// (killed, or cut off from Redis); spread doubles it at most, so a dead worker's tasks do not all
// return in the same instant.
const LeaseExpiredRetry = time.Second

// MinRetryAfter is the shortest wait honoured from a RetryAfter, so a remote answering "Retry-After: 0"
// is not hammered.
const MinRetryAfter = 5 * time.Second

// RetryAfter is an error asking for the next attempt after Delay, typically from an HTTP 429 or 503
// Retry-After header. The delay is bounded by MinRetryAfter and the policy's Max.
type RetryAfter struct {
	Delay time.Duration
	Err   error
}

func (e *RetryAfter) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.Delay, e.Err)
}

func (e *RetryAfter) Unwrap() error { return e.Err }

// RetryDelay is the asynq RetryDelayFunc: a RetryAfter in the error chain wins over the backoff.
func RetryDelay(n int, err error, task *asynq.Task) time.Duration {
	return retryDelay(RetryPolicyFor(task.Type()), n, err, rand.Float64())
}

func retryDelay(policy RetryPolicy, n int, err error, spread float64) time.Duration {
	if errors.Is(err, asynq.ErrLeaseExpired) {
		// The worker holding the task died (or lost Redis) mid-attempt: nothing about the remote calls
		// for a wait, and asynq's recoverer has already let a minute pass, so try again almost at once.
		return LeaseExpiredRetry + time.Duration(spread*float64(LeaseExpiredRetry))
	}
	var postponed *Postponed
	if errors.As(err, &postponed) {
		// Spread the postponed tasks of a busy host so they do not all come back at once.
		return postponed.Delay + time.Duration(spread*float64(postponed.Delay))
	}
	var after *RetryAfter
	if errors.As(err, &after) {
		return min(max(after.Delay, MinRetryAfter), policy.Max)
	}
	return policy.Delay(n, spread)
}
