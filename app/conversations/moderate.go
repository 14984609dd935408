package conversations

import (
	"context"
	"errors"
	"fmt"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Approve lets a held post through the pre-moderation queue: it becomes visible and is announced.
func (s *Service) Approve(ctx context.Context, postID string, staffID *string) (model.Post, error) {
	return s.moderate(ctx, postID, staffID, model.ActionPostApprove, "", func(tx *store.Store, group model.Group, post model.Post) (model.Post, error) {
		if post.State != model.PostHeld {
			return post, apperror.Conflict("state", "post is %s, not held", post.State)
		}
		if err := tx.UpdatePost(ctx, post.ID, store.PostChange{State: store.To(model.PostVisible)}); err != nil {
			return post, err
		}
		post.State = model.PostVisible
		if err := tx.CountApprovedPost(ctx, post); err != nil {
			return post, err
		}
		return post, s.announce(ctx, tx, group, post)
	})
}

// Decline refuses a held post: it is kept as declined (for the moderation log) and its author is
// sent a Reject of their Create, with the reason.
func (s *Service) Decline(ctx context.Context, postID string, staffID *string, reason string) (model.Post, error) {
	return s.moderate(ctx, postID, staffID, model.ActionPostDecline, reason, func(tx *store.Store, group model.Group, post model.Post) (model.Post, error) {
		if post.State != model.PostHeld {
			return post, apperror.Conflict("state", "post is %s, not held", post.State)
		}
		if err := tx.UpdatePost(ctx, post.ID, store.PostChange{State: store.To(model.PostDeclined), RemovedReason: store.To(reason)}); err != nil {
			return post, err
		}
		post.State = model.PostDeclined
		if err := tx.CountPostModerated(ctx, group.ID, post.State); err != nil {
			return post, err
		}
		if post.AuthorActorID == nil {
			return post, nil
		}
		author, err := tx.RemoteActorByID(ctx, *post.AuthorActorID)
		if err != nil {
			return post, err
		}
		return post, s.federator.DeclinePost(ctx, tx, group, post, author, reason)
	})
}

// Remove takes a visible post out of the group: the group's Announces are undone, so followers'
// servers drop the boost, and the reason is recorded.
func (s *Service) Remove(ctx context.Context, postID string, staffID *string, reason string) (model.Post, error) {
	return s.moderate(ctx, postID, staffID, model.ActionPostRemove, reason, func(tx *store.Store, group model.Group, post model.Post) (model.Post, error) {
		if post.State != model.PostVisible {
			return post, apperror.Conflict("state", "post is %s, not visible", post.State)
		}
		if post.AuthorKind == model.AuthorGroup {
			return post, apperror.Invalid("post", "the group's own posts are deleted, not removed")
		}
		return s.withdraw(ctx, tx, group, post, model.PostRemoved, reason)
	})
}

// withdraw takes a visible post out of the group into state (removed, with reason and time, or held
// again) and undoes the group's Announces of it.
func (s *Service) withdraw(ctx context.Context, tx *store.Store, group model.Group, post model.Post, state model.PostState, reason string) (model.Post, error) {
	change := store.PostChange{State: store.To(state)}
	if state == model.PostRemoved {
		now := s.now()
		change.RemovedReason, change.RemovedAt = store.To(reason), store.To(&now)
	}
	if err := tx.UpdatePost(ctx, post.ID, change); err != nil {
		return post, err
	}
	post.State = state
	if err := tx.CountPostModerated(ctx, group.ID, state); err != nil {
		return post, err
	}
	return post, s.federator.WithdrawPost(ctx, tx, group, post, "")
}

// moderate runs one moderator's decision on a post in a transaction and logs it.
func (s *Service) moderate(ctx context.Context, postID string, staffID *string, action model.LogAction, reason string,
	decide func(tx *store.Store, group model.Group, post model.Post) (model.Post, error)) (model.Post, error) {
	var post model.Post
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		var err error
		post, err = tx.LockPost(ctx, postID)
		if err != nil {
			return asNotFound(err, "post %s", postID)
		}
		group, err := tx.GroupByID(ctx, post.GroupID)
		if err != nil {
			return err
		}
		if post, err = decide(tx, group, post); err != nil {
			return err
		}
		return logPostAction(ctx, tx, group, staffID, action, post, reason)
	})
	if err != nil {
		return model.Post{}, fmt.Errorf("%s %s: %w", action, postID, err)
	}
	return post, nil
}

// logPostAction records an action on a post of group, naming the post's object in the metadata:
// that is how other servers know it, and it is what a reader of the log can look up.
func logPostAction(ctx context.Context, tx *store.Store, group model.Group, staffID *string, action model.LogAction, post model.Post, reason string) error {
	_, err := tx.RecordModerationAction(ctx, store.LogEntry{OrganisationID: &group.OrganisationID, GroupID: &group.ID,
		StaffAccountID: staffID, Action: action, TargetKind: model.TargetPost, TargetID: post.ID, Reason: reason,
		Metadata: map[string]any{"object": post.ObjectIRI}})
	return err
}

// asNotFound turns the store's ErrNotFound into an apperror the caller can show.
func asNotFound(err error, format string, args ...any) error {
	if errors.Is(err, store.ErrNotFound) {
		return apperror.NotFound(format+" not found", args...)
	}
	return err
}
