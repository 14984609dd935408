package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// Introduction is a member's reply to a group's introductions prompt, with who she is.
type Introduction struct {
	model.Post
	MemberIRI         string
	MemberURL         string
	MemberUsername    string
	MemberDisplayName string
	MemberHost        string
	// MemberSince is when the group first saw her (member_activity); nil when it keeps no record.
	MemberSince *time.Time
}

// IntroductionFilter selects the replies to one prompt, newest first.
type IntroductionFilter struct {
	GroupID   string
	PromptIRI string
	// Before continues a list after the reply with this id.
	Before string
	Limit  int // 0 means 50
}

// Introductions lists members' visible replies to a group's introductions prompt, newest first
// (posts_in_reply_to serves it however large the group's history).
func (s *Store) Introductions(ctx context.Context, filter IntroductionFilter) ([]Introduction, error) {
	query := s.conn(ctx).Table("posts").
		Select(`posts.*, remote_actors.iri AS member_iri, remote_actors.url AS member_url,
			remote_actors.preferred_username AS member_username, remote_actors.display_name AS member_display_name,
			remote_actors.host AS member_host, member_activity.first_seen_at AS member_since`).
		Joins("JOIN remote_actors ON remote_actors.id = posts.author_actor_id").
		Joins("LEFT JOIN member_activity ON member_activity.group_id = posts.group_id AND member_activity.actor_id = posts.author_actor_id").
		Where("posts.in_reply_to_iri = ? AND posts.group_id = ? AND posts.author_kind = ? AND posts.state = ?",
			filter.PromptIRI, filter.GroupID, model.AuthorRemote, model.PostVisible)
	if filter.Before != "" {
		after, err := s.PostByID(ctx, filter.Before)
		if err != nil {
			return nil, err
		}
		query = query.Where("(posts.published_at < ? OR (posts.published_at = ? AND posts.id < ?))",
			dbTime(after.PublishedAt), dbTime(after.PublishedAt), after.ID)
	}
	limit := filter.Limit
	if limit <= 0 {
		limit = 50
	}
	var rows []Introduction
	if err := scan(query.Order("posts.published_at DESC, posts.id DESC").Limit(limit), &rows); err != nil {
		return nil, fmt.Errorf("list introductions in group %s: %w", filter.GroupID, err)
	}
	return rows, nil
}

// MarkPostHighlighted records that a moderator highlighted a post, unless someone did already: it
// reports whether this call did, so a reply pressed twice (or by two moderators at once) is
// announced once.
func (s *Store) MarkPostHighlighted(ctx context.Context, postID string, at time.Time) (bool, error) {
	result := s.conn(ctx).Model(&model.Post{}).Where("id = ? AND highlighted_at IS NULL", postID).
		Updates(map[string]any{"highlighted_at": dbTime(at), "updated_at": dbTime(at)})
	if result.Error != nil {
		return false, fmt.Errorf("highlight post %s: %w", postID, result.Error)
	}
	return result.RowsAffected == 1, nil
}
