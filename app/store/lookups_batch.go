package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kring-social/kring/app/model"
)

// RemoteActorsByIDs loads the remote actors of ids (repeats allowed), by id, in one query per
// thousand ids. An id with no actor is ErrNotFound, as RemoteActorByID says it.
func (s *Store) RemoteActorsByIDs(ctx context.Context, ids []string) (map[string]model.RemoteActor, error) {
	ids = distinct(ids)
	actors := make(map[string]model.RemoteActor, len(ids))
	for chunk := range slices.Chunk(ids, idsPerQuery) {
		var found []model.RemoteActor
		if err := s.conn(ctx).Where("id IN ?", chunk).Find(&found).Error; err != nil {
			return nil, fmt.Errorf("find %d remote actors: %w", len(chunk), err)
		}
		for _, actor := range found {
			actors[actor.ID] = actor
		}
	}
	for _, id := range ids {
		if _, ok := actors[id]; !ok {
			return nil, fmt.Errorf("find remote actor %s: %w", id, ErrNotFound)
		}
	}
	return actors, nil
}

// DomainBlocksForHosts is DomainBlocksFor of several hosts in one query: for each host, the blocks
// that cover it (of the host and its parent domains, instance-wide and, when organisationID is not
// empty, that organisation's), ordered by id. A host no block covers is not in the map. Hosts must
// already be normalised.
func (s *Store) DomainBlocksForHosts(ctx context.Context, hosts []string, organisationID string) (map[string][]model.DomainBlock, error) {
	hosts = distinct(hosts)
	if len(hosts) == 0 {
		return map[string][]model.DomainBlock{}, nil
	}
	var domains []string
	for _, host := range hosts {
		domains = append(domains, slices.Collect(model.DomainAndParents(host))...)
	}
	domains = distinct(domains)
	var blocks []model.DomainBlock
	for chunk := range slices.Chunk(domains, idsPerQuery) {
		query := s.conn(ctx).Where("domain IN ?", chunk)
		if organisationID == "" {
			query = query.Where("organisation_id IS NULL")
		} else {
			query = query.Where("organisation_id IS NULL OR organisation_id = ?", organisationID)
		}
		var found []model.DomainBlock
		if err := query.Find(&found).Error; err != nil {
			return nil, fmt.Errorf("find domain blocks covering %d hosts: %w", len(hosts), err)
		}
		blocks = append(blocks, found...)
	}
	byDomain := map[string][]model.DomainBlock{}
	for _, block := range blocks {
		byDomain[block.Domain] = append(byDomain[block.Domain], block)
	}
	covering := map[string][]model.DomainBlock{}
	for _, host := range hosts {
		var found []model.DomainBlock
		for domain := range model.DomainAndParents(host) {
			found = append(found, byDomain[domain]...)
		}
		if len(found) > 0 {
			slices.SortFunc(found, func(a, b model.DomainBlock) int { return strings.Compare(a.ID, b.ID) })
			covering[host] = found
		}
	}
	return covering, nil
}

// distinct returns values without repeats, in their first order.
func distinct(values []string) []string {
	seen := make(map[string]bool, len(values))
	out := make([]string, 0, len(values))
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
