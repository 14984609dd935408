package workers

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/tasks"
)

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	delivery := RetryPolicyFor(tasks.TypeDeliverActivity)
	plain := errors.New("connection refused")
	tests := []struct {
		name   string
		n      int
		err    error
		spread float64
		want   time.Duration
	}{
		{"first retry waits the base", 0, plain, 0.5, 30 * time.Second},
		{"second retry doubles", 1, plain, 0.5, time.Minute},
		{"fifth retry", 4, plain, 0.5, 8 * time.Minute},
		{"tenth retry", 9, plain, 0.5, 256 * time.Minute},
		{"eleventh retry is capped", 10, plain, 0.5, 6 * time.Hour},
		{"huge retry count stays capped", 1000, plain, 0.5, 6 * time.Hour},
		{"lowest jitter", 0, plain, 0, 24 * time.Second},
		{"highest jitter", 0, plain, 1, 36 * time.Second},
		{"jitter on the cap", 20, plain, 1, 7*time.Hour + 12*time.Minute},
		{"retry-after honoured", 0, &RetryAfter{Delay: 17 * time.Minute, Err: plain}, 0.5, 17 * time.Minute},
		{"wrapped retry-after honoured", 3, fmt.Errorf("deliver: %w", &RetryAfter{Delay: 90 * time.Second, Err: plain}), 0.9, 90 * time.Second},
		{"retry-after below minimum", 5, &RetryAfter{Delay: 0, Err: plain}, 0.5, MinRetryAfter},
		{"retry-after above cap", 0, &RetryAfter{Delay: 72 * time.Hour, Err: plain}, 0.5, 6 * time.Hour},
		{"a dead worker's task comes back at once", 0, asynq.ErrLeaseExpired, 0, LeaseExpiredRetry},
		{"a dead worker's task, late retry, spread", 7, asynq.ErrLeaseExpired, 0.5, LeaseExpiredRetry * 3 / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryDelay(delivery, tt.n, tt.err, tt.spread); got != tt.want {
				t.Errorf("retryDelay(n=%d, spread=%v) = %s, want %s", tt.n, tt.spread, got, tt.want)
			}
		})
	}
}

func TestDeliveryRetriesLastAboutTwoDays(t *testing.T) {
	t.Parallel()
	policy := RetryPolicyFor(tasks.TypeDeliverActivity)
	if policy.MaxRetry != 16 {
		t.Errorf("deliveries retry %d times, want 16 as Mastodon", policy.MaxRetry)
	}
	horizon := policy.Horizon()
	// 30 s doubling to 4 h 16 min is about 8.5 h over ten retries, then six retries of 6 h.
	want := 30690*time.Second + 6*6*time.Hour
	if horizon != want {
		t.Errorf("horizon = %s, want %s", horizon, want)
	}
	if horizon < 36*time.Hour || horizon > 60*time.Hour {
		t.Errorf("horizon %s is not about two days", horizon)
	}
	var shortest, longest time.Duration
	for n := 0; n < policy.MaxRetry; n++ {
		shortest += policy.Delay(n, 0)
		longest += policy.Delay(n, 1)
	}
	if shortest < 30*time.Hour || longest > 3*24*time.Hour {
		t.Errorf("with jitter the horizon spans %s to %s, want within 30 h to 3 days", shortest, longest)
	}
}

func TestRetryDelayUsesTheTaskTypesPolicy(t *testing.T) {
	t.Parallel()
	plain := errors.New("boom")
	for _, taskType := range []string{tasks.TypeDeliverActivity, tasks.TypeProcessInbound, "test:task"} {
		policy := RetryPolicyFor(taskType)
		for n := range 30 {
			got := RetryDelay(n, plain, asynq.NewTask(taskType, nil))
			low, high := policy.Delay(n, 0), policy.Delay(n, 1)
			if got < low || got > high {
				t.Errorf("%s retry %d: delay %s outside [%s, %s]", taskType, n, got, low, high)
			}
		}
	}
}

func TestPostponedIsNoFailure(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("deliver: %w", &Postponed{Delay: 2 * time.Second, Reason: "host busy"})
	if isFailure(err) {
		t.Error("a postponement must not count as a failed attempt")
	}
	if !isFailure(errors.New("boom")) {
		t.Error("an ordinary error is a failure")
	}
	policy := RetryPolicyFor(tasks.TypeDeliverActivity)
	for _, spread := range []float64{0, 0.5, 0.999} {
		if d := retryDelay(policy, 3, err, spread); d < 2*time.Second || d >= 4*time.Second {
			t.Errorf("postponed delay with spread %.3f = %s, want within [2s, 4s)", spread, d)
		}
	}
}
