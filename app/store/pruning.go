package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// PruneInboundActivities deletes inbound activities settled (processed, ignored or failed) before
// before; pending ones are never pruned. It returns how many went.
func (s *Store) PruneInboundActivities(ctx context.Context, before time.Time) (int64, error) {
	result := s.conn(ctx).Where("state <> ? AND received_at < ?", model.InboundPending, dbTime(before)).
		Delete(&model.InboundActivity{})
	if result.Error != nil {
		return 0, fmt.Errorf("prune inbound activities: %w", result.Error)
	}
	return result.RowsAffected, nil
}

// PruneDeadTasks deletes outbox tasks whose retries ran out before before, settling as failed the
// inbound activities they processed.
func (s *Store) PruneDeadTasks(ctx context.Context, before time.Time) (int64, error) {
	var pruned int64
	err := s.Transaction(ctx, func(tx *Store) error {
		const dead = "dead_at IS NOT NULL AND dead_at < ?"
		if err := tx.failInboundOfTasks(ctx, "its task ran out of retries and was pruned", dead, dbTime(before)); err != nil {
			return err
		}
		result := tx.conn(ctx).Where(dead, dbTime(before)).Delete(&model.QueuedTask{})
		pruned = result.RowsAffected
		return result.Error
	})
	if err != nil {
		return 0, fmt.Errorf("prune dead tasks: %w", err)
	}
	return pruned, nil
}

// PrunePasswordResetTokens deletes password reset links that expired before before (used or not);
// they can do nothing more.
func (s *Store) PrunePasswordResetTokens(ctx context.Context, before time.Time) (int64, error) {
	result := s.conn(ctx).Where("expires_at < ?", dbTime(before)).Delete(&model.PasswordResetToken{})
	if result.Error != nil {
		return 0, fmt.Errorf("prune password reset tokens: %w", result.Error)
	}
	return result.RowsAffected, nil
}
