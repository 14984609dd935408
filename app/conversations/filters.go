package conversations

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// TargetKeywordFilter is the target kind of the moderation log's entries about keyword filters.
const TargetKeywordFilter = "keyword_filter"

// NewFilter is a keyword filter a moderator adds to a group.
type NewFilter struct {
	Keyword   string
	WholeWord bool // match only where the keyword stands as a word of its own
	Action    model.FilterAction
}

// checked returns the filter with its keyword trimmed and lowercased (matching ignores case, so
// "Spam" and "spam" are one filter), or why it will not do.
func (f NewFilter) checked() (NewFilter, error) {
	// A keyword is one line, as long as a name at most: filters are words and phrases, not texts.
	keyword, err := textinput.Name("keyword", f.Keyword, true)
	if err != nil {
		return f, err
	}
	f.Keyword = strings.ToLower(keyword)
	if f.Action != model.FilterHold && f.Action != model.FilterReject {
		return f, apperror.Invalid("action", "must be %q or %q (got %q)", model.FilterHold, model.FilterReject, f.Action)
	}
	return f, nil
}

// Filters lists a group's keyword filters by keyword.
func (s *Service) Filters(ctx context.Context, groupID string) ([]model.KeywordFilter, error) {
	return s.store.KeywordFilters(ctx, groupID)
}

// AddFilter adds a keyword filter to a group; posts that arrive afterwards are checked against it.
func (s *Service) AddFilter(ctx context.Context, groupID string, staffID *string, add NewFilter) (model.KeywordFilter, error) {
	add, err := add.checked()
	if err != nil {
		return model.KeywordFilter{}, err
	}
	var filter model.KeywordFilter
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		group, err := tx.GroupByID(ctx, groupID)
		if err != nil {
			return asNotFound(err, "group %s", groupID)
		}
		filter, err = tx.CreateKeywordFilter(ctx, model.KeywordFilter{GroupID: group.ID, Keyword: add.Keyword,
			WholeWord: add.WholeWord, Action: add.Action, CreatedByStaffID: staffID})
		if errors.Is(err, store.ErrDuplicate) {
			return apperror.Conflict("keyword", "the group already filters %q", add.Keyword)
		}
		if err != nil {
			return err
		}
		return logFilterAction(ctx, tx, group, staffID, model.ActionFilterAdd, filter)
	})
	if err != nil {
		return model.KeywordFilter{}, fmt.Errorf("add keyword filter to group %s: %w", groupID, err)
	}
	return filter, nil
}

// RemoveFilter deletes one of a group's keyword filters; a filter of another group is not found.
func (s *Service) RemoveFilter(ctx context.Context, groupID, filterID string, staffID *string) error {
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		filter, err := tx.KeywordFilterByID(ctx, filterID)
		if err == nil && filter.GroupID != groupID {
			err = store.ErrNotFound
		}
		if err != nil {
			return asNotFound(err, "keyword filter %s", filterID)
		}
		group, err := tx.GroupByID(ctx, groupID)
		if err != nil {
			return err
		}
		if err := tx.DeleteKeywordFilter(ctx, filter.ID); err != nil {
			return err
		}
		return logFilterAction(ctx, tx, group, staffID, model.ActionFilterRemove, filter)
	})
	if err != nil {
		return fmt.Errorf("remove keyword filter %s: %w", filterID, err)
	}
	return nil
}

// logFilterAction records a filter change; the keyword goes in the metadata, since the filter row
// itself is gone after a removal.
func logFilterAction(ctx context.Context, tx *store.Store, group model.Group, staffID *string, action model.LogAction, filter model.KeywordFilter) error {
	_, err := tx.RecordModerationAction(ctx, store.LogEntry{OrganisationID: &group.OrganisationID, GroupID: &group.ID,
		StaffAccountID: staffID, Action: action, TargetKind: TargetKeywordFilter, TargetID: filter.ID,
		Metadata: map[string]any{"keyword": filter.Keyword, "whole_word": filter.WholeWord, "action": filter.Action}})
	return err
}
