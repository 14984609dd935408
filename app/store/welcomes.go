package store

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// claimWelcomeWithActivity claims a welcome and marks the member welcomed in member_activity in
// one PostgreSQL statement: the follow that brings a welcome already costs its transaction an
// activity upsert, and the welcome adds no round trip. The outer INSERT writes a row only when
// the welcome was claimed, so its row count says whether it was.
const claimWelcomeWithActivity = `WITH claimed AS (
		INSERT INTO welcomes (id, group_id, remote_actor_id, activity_iri, object_iri, content_html, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (group_id, remote_actor_id) DO NOTHING
		RETURNING group_id, remote_actor_id, sent_at)
	INSERT INTO member_activity (group_id, actor_id, first_seen_at, welcomed_at)
	SELECT group_id, remote_actor_id, sent_at, sent_at FROM claimed
	ON CONFLICT (group_id, actor_id) DO UPDATE SET welcomed_at = COALESCE(member_activity.welcomed_at, excluded.welcomed_at)`

// ClaimWelcome records the welcome group is about to send actor, and reports false when
// the actor was welcomed before: the unique (group, actor) index makes a welcome once per member and
// group, however many times she follows again or is approved, and two transactions claiming the
// same welcome at once leave one of them with false. A claimed welcome marks her welcomed in
// member_activity in the same transaction.
func (s *Store) ClaimWelcome(ctx context.Context, welcome model.Welcome) (bool, error) {
	if welcome.ID == "" {
		welcome.ID = model.NewID()
	}
	welcome.SentAt = s.now()
	if s.dialect == Postgres {
		result := s.conn(ctx).Exec(claimWelcomeWithActivity, welcome.ID, welcome.GroupID, welcome.RemoteActorID,
			welcome.ActivityIRI, welcome.ObjectIRI, welcome.ContentHTML, welcome.SentAt)
		if result.Error != nil {
			return false, fmt.Errorf("record welcome of %s in group %s: %w", welcome.RemoteActorID, welcome.GroupID, result.Error)
		}
		return result.RowsAffected == 1, nil
	}
	// SQLite has no INSERT inside WITH: two statements, in one transaction.
	claimed := false
	err := s.Transaction(ctx, func(tx *Store) error {
		result := tx.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "group_id"}, {Name: "remote_actor_id"}}, DoNothing: true}).
			Create(&welcome)
		if result.Error != nil {
			return fmt.Errorf("record welcome of %s in group %s: %w", welcome.RemoteActorID, welcome.GroupID, result.Error)
		}
		if claimed = result.RowsAffected == 1; !claimed {
			return nil
		}
		return tx.recordActivity(ctx, activityEvent{groupID: welcome.GroupID, actorID: welcome.RemoteActorID, at: welcome.SentAt, welcomed: true})
	})
	return claimed, err
}
