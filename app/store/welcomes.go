package store

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// ClaimWelcome records the welcome group is about to send actor, and reports false when
// the actor was welcomed before: the unique (group, actor) index makes a welcome once per member and
// group, however many times she follows again or is approved, and two transactions claiming the
// same welcome at once leave one of them with false.
func (s *Store) ClaimWelcome(ctx context.Context, welcome model.Welcome) (bool, error) {
	if welcome.ID == "" {
		welcome.ID = model.NewID()
	}
	welcome.SentAt = s.now()
	result := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "group_id"}, {Name: "remote_actor_id"}}, DoNothing: true}).
		Create(&welcome)
	if result.Error != nil {
		return false, fmt.Errorf("record welcome of %s in group %s: %w", welcome.RemoteActorID, welcome.GroupID, result.Error)
	}
	return result.RowsAffected == 1, nil
}
