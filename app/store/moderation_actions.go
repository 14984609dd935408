package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/kring-social/kring/app/model"
)

// LogEntry is an entry a service writes to the moderation log; the store gives it its id and time.
type LogEntry struct {
	OrganisationID *string // nil for instance-wide actions
	GroupID        *string
	StaffAccountID *string // nil when Kring itself acted
	Action         model.LogAction
	TargetKind     string
	TargetID       string
	Reason         string
	// Metadata is what more there is to say for people reading the log, written as a JSON object:
	// "{}" when it is nil or empty.
	Metadata map[string]any
}

// row is the entry as the log stores it, with its id and time; its metadata is encoded here, and
// only here.
func (e LogEntry) row(id string, at time.Time) (model.ModerationAction, error) {
	metadata := []byte("{}")
	if len(e.Metadata) > 0 {
		var err error
		if metadata, err = json.Marshal(e.Metadata); err != nil {
			return model.ModerationAction{}, fmt.Errorf("encode the metadata of %s: %w", e.Action, err)
		}
	}
	return model.ModerationAction{ID: id, OrganisationID: e.OrganisationID, GroupID: e.GroupID,
		StaffAccountID: e.StaffAccountID, Action: e.Action, TargetKind: e.TargetKind, TargetID: e.TargetID,
		Reason: e.Reason, Metadata: string(metadata), CreatedAt: at}, nil
}

// RecordModerationAction appends an entry to the moderation log, giving it an id and a time, and
// returns it as written. It and RecordModerationActions are the log's only writers, and the log is
// append-only: the store offers no way to change or delete an entry.
func (s *Store) RecordModerationAction(ctx context.Context, entry LogEntry) (model.ModerationAction, error) {
	row, err := entry.row(model.NewID(), s.now())
	if err != nil {
		return model.ModerationAction{}, err
	}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return model.ModerationAction{}, fmt.Errorf("record moderation action %s: %w", row.Action, classify(err))
	}
	return row, nil
}

// RecordModerationActions appends many entries to the moderation log at once (an import), each
// given an id and the same time.
func (s *Store) RecordModerationActions(ctx context.Context, entries []LogEntry) error {
	if len(entries) == 0 {
		return nil
	}
	now := s.now()
	rows := make([]model.ModerationAction, len(entries))
	for i, entry := range entries {
		var err error
		if rows[i], err = entry.row(model.NewID(), now); err != nil {
			return err
		}
	}
	if err := s.conn(ctx).CreateInBatches(rows, importBatchSize).Error; err != nil {
		return fmt.Errorf("record %d moderation actions: %w", len(rows), classify(err))
	}
	return nil
}

// RecordMemberDecision logs a decision a group's staff took about a remote actor (a follow approved,
// a member banned). The target is the actor's id (its IRI), which outlives Kring's copy of the actor;
// the handle goes in the metadata, with extra, for people reading the log. staffID is nil when
// Kring's command line acted.
func (s *Store) RecordMemberDecision(ctx context.Context, group model.Group, staffID *string, action model.LogAction, reason string, actor model.RemoteActor, extra map[string]any) error {
	metadata := map[string]any{"handle": actor.Handle()}
	maps.Copy(metadata, extra)
	_, err := s.RecordModerationAction(ctx, LogEntry{OrganisationID: &group.OrganisationID, GroupID: &group.ID,
		StaffAccountID: staffID, Action: action, TargetKind: model.TargetRemoteActor, TargetID: actor.IRI,
		Reason: reason, Metadata: metadata})
	return err
}

// ModerationLogFilter narrows ModerationLog; empty fields match everything.
type ModerationLogFilter struct {
	OrganisationID string
	GroupID        string
	Action         model.LogAction
	StaffAccountID string
	// TargetID keeps the entries about one target (a member's actor id, a post's object id ...).
	TargetID string
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
