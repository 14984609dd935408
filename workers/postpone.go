package workers

import (
	"errors"
	"fmt"
	"time"
)

// Postponed is an error asking for a task to run again after Delay without counting as a failed
// attempt: the work was not tried at all (its remote host already has as many requests in flight as
// Kring allows), so the task keeps every retry it had.
type Postponed struct {
	Delay  time.Duration
	Reason string
}

func (p *Postponed) Error() string { return fmt.Sprintf("postponed %s: %s", p.Delay, p.Reason) }

// isPostponed reports whether err asks for a postponement.
func isPostponed(err error) bool {
	var p *Postponed
	return errors.As(err, &p)
}

// isFailure is asynq's IsFailure: a postponement is no failure, so asynq retries it without
// counting the attempt.
func isFailure(err error) bool { return !isPostponed(err) }
