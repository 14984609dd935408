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
	Action         string
	StaffAccountID string
	// Visible, when not nil, keeps only the entries a staff member may read.
	Visible *LogVisibility
	// Before is the id of an entry: only entries older than it are listed (the next page).
	Before string
	Limit  int // 0 means 100
}

// ModerationLog lists log entries, newest first.
func (s *Store) ModerationLog(ctx context.Context, filter ModerationLogFilter) ([]model.ModerationAction, error) {
	var rows []model.ModerationAction
	if err := filter.apply(s.conn(ctx).Model(&model.ModerationAction{})).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list moderation log: %w", err)
	}
	return rows, nil
}
