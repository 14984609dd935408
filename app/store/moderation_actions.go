package store

import (
	"context"
	"encoding/json"
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

// RecordMemberDecision logs a decision a group's staff took about a remote actor (a follow approved,
// a member banned). The target is the actor's id (its IRI), which outlives Kring's copy of the actor;
// the handle goes in the metadata, with extra, for people reading the log. staffID is nil when
// Kring's command line acted.
func (s *Store) RecordMemberDecision(ctx context.Context, group model.Group, staffID *string, action, reason string, actor model.RemoteActor, extra map[string]any) error {
	metadata := map[string]any{"handle": "@" + actor.PreferredUsername + "@" + actor.Host}
	for k, v := range extra {
		metadata[k] = v
	}
	encoded, err := json.Marshal(metadata)
	if err != nil {
		return err
	}
	_, err = s.RecordModerationAction(ctx, model.ModerationAction{OrganisationID: &group.OrganisationID, GroupID: &group.ID,
		StaffAccountID: staffID, Action: action, TargetKind: model.TargetRemoteActor, TargetID: actor.IRI,
		Reason: reason, Metadata: string(encoded)})
	return err
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
