package inbox

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/fetch"
)

// maxNamedGroups bounds how many of Kring's groups one activity at the shared inbox is checked for:
// real activities name one or two.
const maxNamedGroups = 16

// sharedInboxSuspended reports whether an activity that came to the shared inbox concerns only
// groups whose organisations suspended the actor's domain. Such a server must hear nothing from
// Kring: the request is refused before its key is fetched, so neither the fetch nor any answer
// reaches it. An activity for at least one group that does not suspend the domain goes on; the
// worker leaves out the groups that do.
func (r *Receiver) sharedInboxSuspended(ctx context.Context, actorIRI string, body []byte) (bool, error) {
	suspending, err := r.suspensions.organisationsSuspending(ctx, fetch.HostOf(actorIRI))
	if err != nil || len(suspending) == 0 {
		return false, err
	}
	if suspending[""] {
		return true, nil
	}
	for _, slug := range r.groupsNamedIn(body) {
		group, err := r.group(ctx, slug)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		if !suspending[group.OrganisationID] {
			return false, nil
		}
	}
	return true, nil
}

// groupsNamedIn lists the slugs of the local groups an activity names anywhere (object, addressing,
// audience, target, an embedded object's fields), at most maxNamedGroups. It decodes the body again,
// which only the rare activity from a domain some organisation suspended pays for.
func (r *Receiver) groupsNamedIn(body []byte) []string {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return nil
	}
	seen := map[string]bool{}
	var slugs []string
	var walk func(v any)
	walk = func(v any) {
		if len(slugs) >= maxNamedGroups {
			return
		}
		switch v := v.(type) {
		case string:
			if slug, ok := r.cfg.IRIs.GroupSlugIn(v); ok && !seen[slug] {
				seen[slug] = true
				slugs = append(slugs, slug)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	return slugs
}
