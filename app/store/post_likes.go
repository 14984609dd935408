package store

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// AddLike records a Like of a post and counts it; false when the actor had liked it already.
func (s *Store) AddLike(ctx context.Context, like model.PostLike) (added bool, err error) {
	if !s.InTransaction() {
		err = s.Transaction(ctx, func(tx *Store) error {
			added, err = tx.AddLike(ctx, like)
			return err
		})
		return added, err
	}
	like.ID = model.NewID()
	like.CreatedAt = s.now()
	// ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a violation
	// would abort the caller's transaction.
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&like)
	if res.Error != nil {
		return false, fmt.Errorf("record like of post %s: %w", like.PostID, res.Error)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	if err := s.bumpLikes(ctx, like.PostID, 1); err != nil {
		return false, err
	}
	// Likes received per day are kept gross: a like withdrawn later was still given that day.
	if err := s.addToPostDayLast(ctx, countLikes, "id = ?", like.PostID); err != nil {
		return false, err
	}
	// The like counts in the liker's activity in the post's group (read in the same statement).
	return true, s.recordActivity(ctx, activityEvent{groupOfPost: like.PostID, actorID: like.RemoteActorID,
		at: like.CreatedAt, active: true, likes: 1})
}

// RemoveLike withdraws an actor's Like, named by the Like's id, from every post it was on; it
// returns the posts that lost a like.
func (s *Store) RemoveLike(ctx context.Context, remoteActorID, likeIRI string) ([]string, error) {
	var likes []model.PostLike
	if err := s.conn(ctx).Where("remote_actor_id = ? AND activity_iri = ?", remoteActorID, likeIRI).Find(&likes).Error; err != nil {
		return nil, fmt.Errorf("find like %s: %w", likeIRI, err)
	}
	postIDs := make([]string, 0, len(likes))
	for _, like := range likes {
		res := s.conn(ctx).Where("id = ?", like.ID).Delete(&model.PostLike{})
		if res.Error != nil {
			return nil, fmt.Errorf("remove like %s: %w", likeIRI, res.Error)
		}
		if res.RowsAffected == 1 {
			if err := s.bumpLikes(ctx, like.PostID, -1); err != nil {
				return nil, err
			}
			if err := s.withdrawLikeGiven(ctx, like); err != nil {
				return nil, err
			}
			postIDs = append(postIDs, like.PostID)
		}
	}
	return postIDs, nil
}

func (s *Store) bumpLikes(ctx context.Context, postID string, by int) error {
	// A popular post's row is every liker's: the increment waits for the end of the transaction
	// (commit_tail.go), after the forwarding to the members.
	if err := s.execLast(ctx, "posts", "UPDATE posts SET like_count = like_count + ? WHERE id = ?", by, postID); err != nil {
		return fmt.Errorf("count like of post %s: %w", postID, err)
	}
	return nil
}

// withdrawLikeGiven takes a withdrawn like off the liker's figures in the post's group (her last
// activity stays: she did take part then).
func (s *Store) withdrawLikeGiven(ctx context.Context, like model.PostLike) error {
	err := s.conn(ctx).Exec(`UPDATE member_activity SET likes_given = likes_given - 1
		WHERE group_id = (SELECT group_id FROM posts WHERE id = ?) AND actor_id = ? AND likes_given > 0`,
		like.PostID, like.RemoteActorID).Error
	if err != nil {
		return fmt.Errorf("withdraw like of post %s from the liker's activity: %w", like.PostID, err)
	}
	return nil
}
