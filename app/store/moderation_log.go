package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// LogVisibility is the part of the moderation log a staff member may read: the entries of the
// organisations they manage and of the groups they moderate. Both empty reads nothing.
type LogVisibility struct {
	OrganisationIDs []string
	GroupIDs        []string
}

// ModerationLogEntry is a log entry with the names a reader needs instead of ids; the names are
// empty when what the entry points to is gone (or it was Kring itself that acted).
type ModerationLogEntry struct {
	model.ModerationAction
	StaffEmail       string
	StaffName        string
	GroupSlug        string
	OrganisationSlug string
}

// ModerationLogEntries lists log entries with their names, newest first.
func (s *Store) ModerationLogEntries(ctx context.Context, filter ModerationLogFilter) ([]ModerationLogEntry, error) {
	query := s.conn(ctx).Table("moderation_actions").
		Select("moderation_actions.*, COALESCE(staff_accounts.email, '') AS staff_email, " +
			"COALESCE(staff_accounts.display_name, '') AS staff_name, COALESCE(groups.slug, '') AS group_slug, " +
			"COALESCE(organisations.slug, '') AS organisation_slug").
		Joins("LEFT JOIN staff_accounts ON staff_accounts.id = moderation_actions.staff_account_id").
		Joins("LEFT JOIN groups ON groups.id = moderation_actions.group_id").
		Joins("LEFT JOIN organisations ON organisations.id = moderation_actions.organisation_id")
	var rows []ModerationLogEntry
	if err := scan(filter.apply(query), &rows); err != nil {
		return nil, fmt.Errorf("list moderation log: %w", err)
	}
	return rows, nil
}

// apply narrows query, over moderation_actions (possibly joined), to the filter's entries, newest
// first. Columns are named with their table so joins cannot make them ambiguous.
func (f ModerationLogFilter) apply(query *gorm.DB) *gorm.DB {
	if f.OrganisationID != "" {
		query = query.Where("moderation_actions.organisation_id = ?", f.OrganisationID)
	}
	if f.GroupID != "" {
		query = query.Where("moderation_actions.group_id = ?", f.GroupID)
	}
	if f.Action != "" {
		query = query.Where("moderation_actions.action = ?", f.Action)
	}
	if f.StaffAccountID != "" {
		query = query.Where("moderation_actions.staff_account_id = ?", f.StaffAccountID)
	}
	if f.TargetID != "" {
		query = query.Where("moderation_actions.target_id = ?", f.TargetID)
	}
	if f.Visible != nil {
		query = f.Visible.apply(query)
	}
	if f.Before != "" {
		// Keyset paging: entries a new one is added above never shift a page, as an offset would.
		// The cursor's time is read in SQL, so it is compared exactly as stored on either engine.
		cursor := "(SELECT created_at FROM moderation_actions WHERE id = ?)"
		query = query.Where("(moderation_actions.created_at < "+cursor+
			" OR (moderation_actions.created_at = "+cursor+" AND moderation_actions.id < ?))", f.Before, f.Before, f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	// Ids are UUIDv7, ordered by creation, and break ties between entries of the same microsecond.
	return query.Order("moderation_actions.created_at DESC, moderation_actions.id DESC").Limit(limit)
}

func (v LogVisibility) apply(query *gorm.DB) *gorm.DB {
	switch {
	case len(v.OrganisationIDs) == 0 && len(v.GroupIDs) == 0:
		return query.Where("1 = 0")
	case len(v.GroupIDs) == 0:
		return query.Where("moderation_actions.organisation_id IN ?", v.OrganisationIDs)
	case len(v.OrganisationIDs) == 0:
		return query.Where("moderation_actions.group_id IN ?", v.GroupIDs)
	}
	return query.Where("(moderation_actions.organisation_id IN ? OR moderation_actions.group_id IN ?)", v.OrganisationIDs, v.GroupIDs)
}
