// Package campaigns holds the rules of an organisation's campaigns, named sets of posts and events
// across its groups and dates with a hashtag their posts carry: staff create, edit, archive and
// delete them; a campaign's page gathers what went out in it and what waits to; and the outreach
// calendar shows, per organisation, what the groups published, their events, and the drafts
// scheduled or in review, by day in the reader's time zone. Callers check who may do what (package
// access); the service checks what is done.
package campaigns

import (
	"time"

	"github.com/kring-social/kring/app/store"
)

// Service applies the campaigns' rules.
type Service struct {
	store *store.Store
	now   func() time.Time
}

// NewService returns a Service on st.
func NewService(st *store.Store) *Service {
	return &Service{store: st, now: time.Now}
}

// WithClock returns the service reading the time from now (tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}
