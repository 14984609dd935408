package inbox

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/refusal"
)

// OverloadRetryAfter is what an inbox asks a sender to wait when it is full. Senders queue their
// deliveries and retry (Mastodon, GoToSocial and Fedify honour Retry-After on 503), so a short wait
// moves the excess a few seconds later instead of letting it queue inside Kring for many seconds.
const OverloadRetryAfter = 3

// admissionWait is the longest a request waits for a slot. A full inbox under a burst frees slots
// within milliseconds (a request holds one for a few), so a short wait takes a burst in instead of
// refusing it; a longer one would only turn overload back into queueing.
const admissionWait = 50 * time.Millisecond

// admission bounds the inbox requests doing database work at once. Past the bound a request waits
// at most admissionWait for a slot, behind at most as many others as there are slots, and is then
// answered 503: a request waiting for a database connection would hold its sender, and every
// request behind it, for as long as the backlog takes to clear.
type admission struct {
	slots   chan struct{}
	waiting chan struct{} // the requests waiting for a slot
	wait    time.Duration
}

func newAdmission(size int, wait time.Duration) admission {
	size = max(size, 1)
	return admission{slots: make(chan struct{}, size), waiting: make(chan struct{}, size), wait: wait}
}

// enter takes a slot, waiting briefly when none is free; the caller must leave when it is done. It
// says false when the inbox stayed full, the wait queue was full, or the request ended meanwhile.
func (a admission) enter(ctx context.Context) bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default:
	}
	select {
	case a.waiting <- struct{}{}:
		defer func() { <-a.waiting }()
	default:
		return false
	}
	timer := time.NewTimer(a.wait)
	defer timer.Stop()
	select {
	case a.slots <- struct{}{}:
		return true
	case <-timer.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (a admission) leave() { <-a.slots }

// full says whether a request arriving now would be refused: every slot taken and the wait queue
// full. It is a hint read without taking anything, so that an overloaded inbox refuses before it
// spends anything on a request (reading and parsing its body), while a request that finds room still
// has its body read before it takes a slot, so a sender trickling a body never holds one.
func (a admission) full() bool {
	return len(a.slots) == cap(a.slots) && len(a.waiting) == cap(a.waiting)
}

// refuseOverloaded answers a request that found every slot taken.
func refuseOverloaded(c *gin.Context) {
	c.Header("Retry-After", strconv.Itoa(OverloadRetryAfter))
	refusal.Refuse(c, http.StatusServiceUnavailable, "inbox busy: try again shortly")
}

// DefaultMaxInFlight sizes admission to a store's connection pool: three quarters of it, so the
// admin and the public pages keep connections while the inbox is full.
func DefaultMaxInFlight(poolSize int) int { return max(poolSize*3/4, 1) }
