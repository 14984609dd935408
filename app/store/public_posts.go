package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// AuthoredPost is a post with what a page shows of its remote author. The author fields are empty
// for the group's own posts, which the group signs.
type AuthoredPost struct {
	model.Post
	AuthorName     string // the actor's display name, '' when it has none
	AuthorUsername string
	AuthorHost     string
}

// GroupPagePosts is what a group's public page lists: pinned posts, newest pin first, then the most
// recent other public posts that went to every follower (replies stay in their threads).
type GroupPagePosts struct {
	Pinned []AuthoredPost
	Recent []AuthoredPost
	// Older is the id of the last of Recent when older posts follow it: the next page starts
	// before it. Empty on the last page.
	Older string
	// Parts are the pictures, hashtags and mentions of the listed posts that have any, by post id.
	Parts map[string]model.PostParts
}

// maxPagePins bounds the pinned posts a page shows; Mastodon itself allows five.
const maxPagePins = 20

// PublicPagePosts loads a group's public page listing: visible posts addressed to Public only
// (unlisted ones stay off public listings, as their authors asked), with at most recent of the
// unpinned ones. before, when set, is the id of a post the page continues after (keyset paging:
// published_at, then id, both descending); later pages list no pinned posts. An unknown before is
// ErrNotFound.
func (s *Store) PublicPagePosts(ctx context.Context, groupID string, recent int, before string) (GroupPagePosts, error) {
	return s.publicPagePosts(ctx, groupID, "", recent, before)
}

// PublicPagePostsTagged is PublicPagePosts for the posts that use one hashtag (tag, in lower case,
// without the '#'): a hashtag link of the group's posts leads there. Pinned posts with the tag are
// listed among the others, in the order they were published.
func (s *Store) PublicPagePostsTagged(ctx context.Context, groupID, tag string, recent int, before string) (GroupPagePosts, error) {
	return s.publicPagePosts(ctx, groupID, tag, recent, before)
}

func (s *Store) publicPagePosts(ctx context.Context, groupID, tag string, recent int, before string) (GroupPagePosts, error) {
	var page GroupPagePosts
	query := s.authoredPosts(ctx, groupID).Where("posts.reach = ?", model.ReachFollowers)
	if tag != "" {
		query = query.Where("posts.id IN (SELECT post_id FROM post_hashtags WHERE tag = ?)", tag)
	} else {
		query = query.Where("posts.pinned_at IS NULL")
	}
	if before == "" && tag == "" {
		err := scan(s.authoredPosts(ctx, groupID).Where("posts.pinned_at IS NOT NULL").
			Order("posts.pinned_at DESC, posts.id DESC").Limit(maxPagePins), &page.Pinned)
		if err != nil {
			return page, fmt.Errorf("list pinned posts of group %s: %w", groupID, err)
		}
	} else if before != "" {
		var after model.Post
		err := s.conn(ctx).Where("id = ? AND group_id = ?", before, groupID).Limit(1).Find(&after).Error
		if err != nil {
			return page, fmt.Errorf("find post %s of group %s: %w", before, groupID, err)
		}
		if after.ID == "" {
			return page, fmt.Errorf("post %s of group %s: %w", before, groupID, ErrNotFound)
		}
		query = query.Where("(posts.published_at < ? OR (posts.published_at = ? AND posts.id < ?))", after.PublishedAt, after.PublishedAt, after.ID)
	}
	err := scan(query.Order("posts.published_at DESC, posts.id DESC").Limit(recent+1), &page.Recent)
	if err != nil {
		return page, fmt.Errorf("list recent posts of group %s: %w", groupID, err)
	}
	if len(page.Recent) > recent {
		page.Recent = page.Recent[:recent]
		page.Older = page.Recent[recent-1].ID
	}
	ids := make([]string, 0, len(page.Pinned)+len(page.Recent))
	for _, list := range [][]AuthoredPost{page.Pinned, page.Recent} {
		for _, post := range list {
			ids = append(ids, post.ID)
		}
	}
	page.Parts, err = s.PostParts(ctx, ids...)
	return page, err
}

// authoredPosts selects a group's visible public posts with their remote authors' names; the LEFT
// JOIN keeps the group's own posts, which have no remote author.
func (s *Store) authoredPosts(ctx context.Context, groupID string) *gorm.DB {
	return s.conn(ctx).Table("posts").
		Select(`posts.*, COALESCE(remote_actors.display_name, '') AS author_name,
			COALESCE(remote_actors.preferred_username, '') AS author_username, COALESCE(remote_actors.host, '') AS author_host`).
		Joins("LEFT JOIN remote_actors ON remote_actors.id = posts.author_actor_id").
		Where("posts.group_id = ? AND posts.state = ? AND posts.visibility = ?", groupID, model.PostVisible, model.VisibilityPublic)
}

// CountPublicPosts counts a group's visible public and unlisted posts of one reach: the outbox's
// totalItems, which Mastodon shows as the group's post count.
func (s *Store) CountPublicPosts(ctx context.Context, groupID string, reach model.Reach) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&model.Post{}).
		Where("group_id = ? AND state = ? AND reach = ? AND visibility IN ?", groupID, model.PostVisible, reach,
			[]model.Visibility{model.VisibilityPublic, model.VisibilityUnlisted}).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count public posts of group %s: %w", groupID, err)
	}
	return n, nil
}
