package store

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// OutboundActivityByIRI loads an activity Kring sent by its id, so the id resolves when a server
// dereferences it (Mastodon does for an Announce it did not get, and to verify one it did).
func (s *Store) OutboundActivityByIRI(ctx context.Context, iri string) (model.OutboundActivity, error) {
	var row model.OutboundActivity
	if err := s.conn(ctx).Where("activity_iri = ?", iri).Take(&row).Error; err != nil {
		return model.OutboundActivity{}, fmt.Errorf("find outbound activity %s: %w", iri, classify(err))
	}
	return row, nil
}

// OutboundActivitiesByIRI loads the activities among iris in one query, keyed by id; ids Kring never
// stored are simply absent. A group's outbox embeds a page of them at once.
func (s *Store) OutboundActivitiesByIRI(ctx context.Context, iris []string) (map[string]model.OutboundActivity, error) {
	found := make(map[string]model.OutboundActivity, len(iris))
	if len(iris) == 0 {
		return found, nil
	}
	var rows []model.OutboundActivity
	if err := s.conn(ctx).Where("activity_iri IN ?", iris).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load %d outbound activities: %w", len(iris), err)
	}
	for _, row := range rows {
		found[row.ActivityIRI] = row
	}
	return found, nil
}
