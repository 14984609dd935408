package store

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// RecordModerationAction appends an entry to the moderation log, giving it an id and a time. The
// log is append-only: the store offers no way to change or delete an entry.
func (s *Store) RecordModerationAction(ctx context.Context, action model.ModerationAction) (model.ModerationAction, error) {
	action.ID = model.NewID()
	action.CreatedAt = s.now()
	if action.Metadata == "" {
		action.Metadata = "{}"
	}
	if err := s.conn(ctx).Create(&action).Error; err != nil {
		return model.ModerationAction{}, fmt.Errorf("record moderation action %s: %w", action.Action, classify(err))
	}
	return action, nil
}

// ModerationLogFilter narrows ModerationLog; empty fields match everything.
type ModerationLogFilter struct {
	OrganisationID string
	GroupID        string
	Limit          int // 0 means 100
}

// ModerationLog lists log entries, newest first.
func (s *Store) ModerationLog(ctx context.Context, filter ModerationLogFilter) ([]model.ModerationAction, error) {
	query := s.conn(ctx)
	if filter.OrganisationID != "" {
		query = query.Where("organisation_id = ?", filter.OrganisationID)
	}
	if filter.GroupID != "" {
		query = query.Where("group_id = ?", filter.GroupID)
	}
	limit := filter.Limit
	if limit <= 0 {
		limit = 100
	}
	var rows []model.ModerationAction
	// Ids are UUIDv7, ordered by creation, and break ties between entries of the same microsecond.
	if err := query.Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list moderation log: %w", err)
	}
	return rows, nil
}
