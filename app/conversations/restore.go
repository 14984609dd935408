package conversations

import (
	"context"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Restore brings a removed post back: visible again and announced anew. The new Announces get new
// ids: followers' servers saw the old ones undone, and drop an activity whose id they have seen.
func (s *Service) Restore(ctx context.Context, postID string, staffID *string, reason string) (model.Post, error) {
	return s.moderate(ctx, postID, staffID, model.ActionPostRestore, reason, func(tx *store.Store, group model.Group, post model.Post) (model.Post, error) {
		if post.State != model.PostRemoved {
			return post, apperror.Conflict("state", "post is %s, not removed", post.State)
		}
		if err := tx.UpdatePost(ctx, post.ID, store.PostChange{State: store.To(model.PostVisible),
			RemovedReason: store.To(""), RemovedAt: store.To[*time.Time](nil)}); err != nil {
			return post, err
		}
		post.State, post.RemovedReason, post.RemovedAt = model.PostVisible, "", nil
		return post, s.announce(ctx, tx, group, post)
	})
}
