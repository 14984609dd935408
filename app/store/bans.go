package store

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// CreateGroupBan records a ban; ErrDuplicate when the actor is already banned from the group.
func (s *Store) CreateGroupBan(ctx context.Context, ban model.GroupBan) (model.GroupBan, error) {
	ban.ID = model.NewID()
	ban.CreatedAt = s.now()
	ban.ExpiresAt = dbTimePtr(ban.ExpiresAt)
	if err := s.conn(ctx).Create(&ban).Error; err != nil {
		return model.GroupBan{}, fmt.Errorf("ban actor %s from group %s: %w", ban.RemoteActorID, ban.GroupID, classify(err))
	}
	return ban, nil
}

// GroupBanOf loads the ban of a remote actor from a group, expired or not; ErrNotFound when there is
// none.
func (s *Store) GroupBanOf(ctx context.Context, groupID, remoteActorID string) (model.GroupBan, error) {
	var ban model.GroupBan
	err := s.conn(ctx).Where("group_id = ? AND remote_actor_id = ?", groupID, remoteActorID).Take(&ban).Error
	if err != nil {
		return model.GroupBan{}, fmt.Errorf("find ban of actor %s from group %s: %w", remoteActorID, groupID, classify(err))
	}
	return ban, nil
}

// DeleteGroupBan lifts a ban.
func (s *Store) DeleteGroupBan(ctx context.Context, id string) error {
	if err := s.conn(ctx).Where("id = ?", id).Delete(&model.GroupBan{}).Error; err != nil {
		return fmt.Errorf("delete ban %s: %w", id, err)
	}
	return nil
}

// VisiblePostsOfAuthor lists the posts of a remote actor that are visible in a group, newest first:
// what a ban that also removes their posts takes down.
func (s *Store) VisiblePostsOfAuthor(ctx context.Context, groupID, remoteActorID string) ([]model.Post, error) {
	var posts []model.Post
	err := s.conn(ctx).Where("group_id = ? AND author_actor_id = ? AND state = ?", groupID, remoteActorID, model.PostVisible).
		Order("published_at DESC, id DESC").Find(&posts).Error
	if err != nil {
		return nil, fmt.Errorf("list visible posts of actor %s in group %s: %w", remoteActorID, groupID, err)
	}
	return posts, nil
}
