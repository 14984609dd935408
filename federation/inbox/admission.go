package inbox

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/refusal"
)

// OverloadRetryAfter is what an inbox asks a sender to wait when it is full. Senders queue their
// deliveries and retry (Mastodon, GoToSocial and Fedify honour Retry-After on 503), so a short wait
// moves the excess a few seconds later instead of letting it queue inside Kring for many seconds.
const OverloadRetryAfter = 3

// admission bounds the inbox requests doing database work at once. Past the bound a request is
// answered 503 at once: a request waiting for a database connection would hold its sender, and
// every request behind it, for as long as the backlog takes to clear.
type admission struct{ slots chan struct{} }

func newAdmission(size int) admission { return admission{slots: make(chan struct{}, max(size, 1))} }

// tryEnter takes a slot when one is free; the caller must leave when it is done.
func (a admission) tryEnter() bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

func (a admission) leave() { <-a.slots }

// refuseOverloaded answers a request that found every slot taken.
func refuseOverloaded(c *gin.Context) {
	c.Header("Retry-After", strconv.Itoa(OverloadRetryAfter))
	refusal.Refuse(c, http.StatusServiceUnavailable, "inbox busy: try again shortly")
}

// DefaultMaxInFlight sizes admission to a store's connection pool: three quarters of it, so the
// admin and the public pages keep connections while the inbox is full.
func DefaultMaxInFlight(poolSize int) int { return max(poolSize*3/4, 1) }
