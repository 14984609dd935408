package inbox

import (
	"context"
	"sync"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// suspensionsTTL is how long the inbox works from its copy of the domain suspensions: a new block
// bites everywhere within this time, and the inbox saves a database round trip per request.
const suspensionsTTL = 10 * time.Second

// suspensions is an in-memory copy of every suspend-level domain block, instance-wide and per
// organisation, refreshed every suspensionsTTL.
type suspensions struct {
	store  *store.Store
	now    func() time.Time
	mu     sync.Mutex
	loaded time.Time
	byOrg  map[string]map[string]bool // organisation id ("" for instance-wide) -> domains
}

func newSuspensions(st *store.Store) *suspensions {
	return &suspensions{store: st, now: time.Now}
}

// covers reports whether host or a domain above it is suspended instance-wide or, when
// organisationID is not empty, by that organisation.
func (s *suspensions) covers(ctx context.Context, host, organisationID string) (bool, error) {
	byOrg, err := s.current(ctx)
	if err != nil {
		return false, err
	}
	for domain := range model.DomainAndParents(host) {
		if byOrg[""][domain] || (organisationID != "" && byOrg[organisationID][domain]) {
			return true, nil
		}
	}
	return false, nil
}

// organisationsSuspending lists the organisations that suspended host or a domain above it, with ""
// among them when the instance did.
func (s *suspensions) organisationsSuspending(ctx context.Context, host string) (map[string]bool, error) {
	byOrg, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	suspending := map[string]bool{}
	for domain := range model.DomainAndParents(host) {
		for org, domains := range byOrg {
			if domains[domain] {
				suspending[org] = true
			}
		}
	}
	return suspending, nil
}

func (s *suspensions) current(ctx context.Context) (map[string]map[string]bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byOrg != nil && s.now().Sub(s.loaded) < suspensionsTTL {
		return s.byOrg, nil
	}
	blocks, err := s.store.SuspendedDomains(ctx)
	if err != nil {
		return nil, err
	}
	byOrg := map[string]map[string]bool{}
	for _, b := range blocks {
		org := ""
		if b.OrganisationID != nil {
			org = *b.OrganisationID
		}
		if byOrg[org] == nil {
			byOrg[org] = map[string]bool{}
		}
		byOrg[org][b.Domain] = true
	}
	s.byOrg, s.loaded = byOrg, s.now()
	return byOrg, nil
}
