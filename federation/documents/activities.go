package documents

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/activities"
)

// activity serves an activity Kring sent, so its id resolves: servers dereference an Announce they
// were not sent, or to check one they were.
func (r *Routes) activity(c *gin.Context) {
	stored, err := r.cfg.Store.OutboundActivityByIRI(c.Request.Context(), r.cfg.IRIs.Base()+"/activities/"+c.Param("id"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		refusal.Refuse(c, http.StatusNotFound, "no such activity")
		return
	case err != nil:
		r.fail(c, err)
		return
	}
	// The activities a group sends to its followers, which anyone may read once they are addressed
	// to Public (the pruner keeps them: store.ServedOutboundTypes). Accept and Reject of a follow
	// or a post concern one actor only.
	if !slices.Contains(store.ServedOutboundTypes, stored.ActivityType) || !addressedToPublic(stored.Body) {
		// Indistinguishable from a missing one: whether a private activity exists is private too.
		refusal.Refuse(c, http.StatusNotFound, "no such activity")
		return
	}
	if stored.ActivityType == "Announce" && stored.GroupID != nil {
		// A server that missed the Undo of a removed post's Announce must not find the boost here.
		undone, err := r.cfg.Store.ActivityUndone(c.Request.Context(), *stored.GroupID, stored.ActivityIRI)
		if err != nil {
			r.fail(c, err)
			return
		}
		if undone {
			refusal.Refuse(c, http.StatusGone, "announce withdrawn")
			return
		}
	}
	c.Data(http.StatusOK, activityJSON, []byte(stored.Body))
}

// addressedToPublic reports whether the activity's to or cc holds the Public collection, in any of
// the forms JSON-LD compaction allows.
func addressedToPublic(body string) bool {
	var doc struct{ To, Cc json.RawMessage }
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		return false
	}
	for _, field := range []json.RawMessage{doc.To, doc.Cc} {
		var many []string
		if err := json.Unmarshal(field, &many); err != nil {
			var one string
			if json.Unmarshal(field, &one) != nil {
				continue
			}
			many = []string{one}
		}
		for _, iri := range many {
			if iri == activities.PublicCollection || iri == "as:Public" || iri == "Public" {
				return true
			}
		}
	}
	return false
}
