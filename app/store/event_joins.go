package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// ParticipantByJoin finds the participation one actor asked for with the Join joinIRI (an Undo of
// it names it by id); ErrNotFound when she has none.
func (s *Store) ParticipantByJoin(ctx context.Context, joinIRI, remoteActorID string) (model.EventParticipant, error) {
	var p model.EventParticipant
	err := s.conn(ctx).Where("join_activity_iri = ? AND remote_actor_id = ?", joinIRI, remoteActorID).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return p, fmt.Errorf("participation by Join %s: %w", joinIRI, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("find participation by Join %s: %w", joinIRI, err)
	}
	return p, nil
}
