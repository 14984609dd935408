package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// GroupChange says which columns of a group UpdateGroup writes; a field left zero keeps its column.
type GroupChange struct {
	Slug                Set[string]
	Name                Set[string]
	Summary             Set[string]
	Rules               Set[string]
	PostingPolicy       Set[model.PostingPolicy]
	ApproveFollowers    Set[bool]
	Discoverable        Set[bool]
	AvatarPath          Set[string]
	HeaderPath          Set[string]
	ArchivedAt          Set[*time.Time]
	WelcomeEnabled      Set[bool]
	WelcomeText         Set[string]
	RulesPostID         Set[*string]
	IntroductionsPostID Set[*string]
	IntroductionsPrompt Set[string]
}

func (c GroupChange) columns() columns {
	out := columns{}
	put(out, "slug", c.Slug)
	put(out, "name", c.Name)
	put(out, "summary", c.Summary)
	put(out, "rules", c.Rules)
	put(out, "posting_policy", c.PostingPolicy)
	put(out, "approve_followers", c.ApproveFollowers)
	put(out, "discoverable", c.Discoverable)
	put(out, "avatar_path", c.AvatarPath)
	put(out, "header_path", c.HeaderPath)
	put(out, "archived_at", c.ArchivedAt)
	put(out, "welcome_enabled", c.WelcomeEnabled)
	put(out, "welcome_text", c.WelcomeText)
	put(out, "rules_post_id", c.RulesPostID)
	put(out, "introductions_post_id", c.IntroductionsPostID)
	put(out, "introductions_prompt", c.IntroductionsPrompt)
	return out
}

// Empty reports whether the change writes no column.
func (c GroupChange) Empty() bool { return len(c.columns()) == 0 }

// UpdateGroup writes the columns change sets and bumps updated_at. A taken slug is ErrDuplicate; an
// unknown group ErrNotFound.
func (s *Store) UpdateGroup(ctx context.Context, id string, change GroupChange) error {
	return s.updateRow(ctx, &model.Group{}, "group", id, change.columns())
}

// GroupHasFederated reports whether other servers may know the group: it has been marked federated,
// anyone has followed it, posted in it or written to its inbox, or it has sent an activity. Its slug,
// part of every IRI they hold, must then stay as it is. (A server that only looked the group up
// leaves no trace; Kring accepts that gap rather than record every lookup.)
func (s *Store) GroupHasFederated(ctx context.Context, group model.Group) (bool, error) {
	if group.FederatedAt != nil {
		return true, nil
	}
	for _, table := range []any{&model.Follow{}, &model.Post{}, &model.InboundActivity{}, &model.OutboundActivity{}} {
		var ids []string
		if err := s.conn(ctx).Model(table).Where("group_id = ?", group.ID).Limit(1).Pluck("id", &ids).Error; err != nil {
			return false, fmt.Errorf("find whether group %s has federated: %w", group.ID, err)
		}
		if len(ids) > 0 {
			return true, nil
		}
	}
	return false, nil
}
