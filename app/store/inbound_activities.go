package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// RecordInboundActivity stores an activity received at an inbox. An activity already stored (the same
// id, delivered again or to several inboxes) is not stored twice: the result's second value is false
// and the first is the stored row.
func (s *Store) RecordInboundActivity(ctx context.Context, activity model.InboundActivity) (model.InboundActivity, bool, error) {
	activity.ID = model.NewID()
	activity.State = model.InboundPending
	activity.ReceivedAt = s.now()
	// ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a failed
	// statement would abort the caller's transaction.
	result := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "activity_iri"}}, DoNothing: true}).
		Create(&activity)
	if result.Error != nil {
		return model.InboundActivity{}, false, fmt.Errorf("store inbound activity %s: %w", activity.ActivityIRI, result.Error)
	}
	if result.RowsAffected == 1 {
		return activity, true, nil
	}
	existing, err := s.InboundActivityByIRI(ctx, activity.ActivityIRI)
	if err != nil {
		return model.InboundActivity{}, false, err
	}
	return existing, false, nil
}

// InboundActivityByIRI finds a stored activity by its id.
func (s *Store) InboundActivityByIRI(ctx context.Context, iri string) (model.InboundActivity, error) {
	var row model.InboundActivity
	if err := s.conn(ctx).Where("activity_iri = ?", iri).Take(&row).Error; err != nil {
		return model.InboundActivity{}, fmt.Errorf("find inbound activity %s: %w", iri, classify(err))
	}
	return row, nil
}

// InboundActivityByID loads a stored activity.
func (s *Store) InboundActivityByID(ctx context.Context, id string) (model.InboundActivity, error) {
	var row model.InboundActivity
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return model.InboundActivity{}, fmt.Errorf("find inbound activity %s: %w", id, classify(err))
	}
	return row, nil
}

// FinishInboundActivity records the outcome of processing: processed, ignored or failed with why.
func (s *Store) FinishInboundActivity(ctx context.Context, id string, state model.InboundState, reason string) error {
	err := s.conn(ctx).Model(&model.InboundActivity{}).Where("id = ?", id).Updates(map[string]any{
		"state":        state,
		"error":        truncate(reason, 2000),
		"attempts":     gorm.Expr("attempts + 1"),
		"processed_at": s.now(),
	}).Error
	if err != nil {
		return fmt.Errorf("record outcome of inbound activity %s: %w", id, err)
	}
	return nil
}
