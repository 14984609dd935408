package store

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// ReplacePostParts makes parts the pictures, hashtags and mentions of post postID, dropping those
// it had: a post is written, and edited, whole.
func (s *Store) ReplacePostParts(ctx context.Context, postID string, parts model.PostParts) error {
	db := s.conn(ctx)
	for _, table := range []any{&model.PostMedia{}, &model.PostHashtag{}, &model.PostMention{}} {
		if err := db.Where("post_id = ?", postID).Delete(table).Error; err != nil {
			return fmt.Errorf("clear the parts of post %s: %w", postID, err)
		}
	}
	for i := range parts.Media {
		parts.Media[i].PostID, parts.Media[i].Position = postID, i
	}
	for i := range parts.Hashtags {
		parts.Hashtags[i].PostID = postID
	}
	for i := range parts.Mentions {
		parts.Mentions[i].PostID = postID
	}
	if len(parts.Media) > 0 {
		if err := db.Create(&parts.Media).Error; err != nil {
			return fmt.Errorf("store the pictures of post %s: %w", postID, classify(err))
		}
	}
	if len(parts.Hashtags) > 0 {
		if err := db.Create(&parts.Hashtags).Error; err != nil {
			return fmt.Errorf("store the hashtags of post %s: %w", postID, classify(err))
		}
	}
	if len(parts.Mentions) > 0 {
		if err := db.Create(&parts.Mentions).Error; err != nil {
			return fmt.Errorf("store the mentions of post %s: %w", postID, classify(err))
		}
	}
	return nil
}

// PostParts loads the pictures, hashtags and mentions of posts, by post id, in one query each;
// posts without any are absent from the map.
func (s *Store) PostParts(ctx context.Context, postIDs ...string) (map[string]model.PostParts, error) {
	out := map[string]model.PostParts{}
	if len(postIDs) == 0 {
		return out, nil
	}
	var media []model.PostMedia
	if err := s.conn(ctx).Where("post_id IN ?", postIDs).Order("post_id, position").Find(&media).Error; err != nil {
		return nil, fmt.Errorf("load pictures of posts: %w", err)
	}
	var hashtags []model.PostHashtag
	if err := s.conn(ctx).Where("post_id IN ?", postIDs).Order("post_id, tag").Find(&hashtags).Error; err != nil {
		return nil, fmt.Errorf("load hashtags of posts: %w", err)
	}
	var mentions []model.PostMention
	if err := s.conn(ctx).Where("post_id IN ?", postIDs).Order("post_id, name").Find(&mentions).Error; err != nil {
		return nil, fmt.Errorf("load mentions of posts: %w", err)
	}
	for _, m := range media {
		parts := out[m.PostID]
		parts.Media = append(parts.Media, m)
		out[m.PostID] = parts
	}
	for _, h := range hashtags {
		parts := out[h.PostID]
		parts.Hashtags = append(parts.Hashtags, h)
		out[h.PostID] = parts
	}
	for _, m := range mentions {
		parts := out[m.PostID]
		parts.Mentions = append(parts.Mentions, m)
		out[m.PostID] = parts
	}
	return out, nil
}

// PartsOfPost loads the pictures, hashtags and mentions of one post.
func (s *Store) PartsOfPost(ctx context.Context, postID string) (model.PostParts, error) {
	parts, err := s.PostParts(ctx, postID)
	return parts[postID], err
}
