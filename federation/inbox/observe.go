package inbox

import (
	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/refusal"
)

// Observer is told what became of each inbox request: package metrics counts them, and a tally keeps
// the last day's refusals for the admin's federation health page.
type Observer interface {
	InboxAccepted(stored bool)
	InboxRefused(reason string)
}

// Why an inbox refused an activity: a small fixed set, so the reasons can label metrics (each its
// own series) and be tallied per hour. The refusal text the sender reads says more.
const (
	RefusedOverloaded   = "overloaded"     // 503: every admission slot taken
	RefusedUnknownGroup = "unknown_group"  // 404 or 410: no such group, or archived
	RefusedMediaType    = "media_type"     // 415
	RefusedTooLarge     = "too_large"      // 413
	RefusedMalformed    = "malformed"      // 400: not JSON, too deep, no id/actor/type
	RefusedOrigin       = "origin"         // 400: ids on other servers than the actor's, or on Kring's
	RefusedBlocked      = "blocked"        // 403: a suspended domain
	RefusedSignature    = "signature"      // 401: unsigned, or the signature does not verify
	RefusedWrongSigner  = "wrong_signer"   // 401: signed by someone else than the activity's actor
	RefusedQuota        = "quota"          // 429: the actor's or server's storage quota is spent
	RefusedError        = "internal_error" // 500 or 503: Kring could not check or store it
)

// RefusalReasons lists every reason, in the order pages show them.
func RefusalReasons() []string {
	return []string{RefusedSignature, RefusedWrongSigner, RefusedBlocked, RefusedOrigin, RefusedMalformed,
		RefusedMediaType, RefusedTooLarge, RefusedQuota, RefusedOverloaded, RefusedUnknownGroup, RefusedError}
}

// nobody observes when the configuration names no observer.
type nobody struct{}

func (nobody) InboxAccepted(bool)  {}
func (nobody) InboxRefused(string) {}

// refuse answers the sender with status and message and counts the refusal under reason.
func (r *Receiver) refuse(c *gin.Context, reason string, status int, message string) {
	r.cfg.Observer.InboxRefused(reason)
	refusal.Refuse(c, status, message)
}
