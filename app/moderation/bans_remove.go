package moderation

import (
	"context"
	"errors"
	"fmt"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// Remove takes a follower out of the group without banning them: the follow is deleted and their
// server gets a Reject of their Follow, on which Mastodon drops the follow. They may follow again.
func (m *Members) Remove(ctx context.Context, in MemberDecision) error {
	reason, err := textinput.Text("reason", in.Reason, 2000)
	if err != nil {
		return err
	}
	err = m.store.Transaction(ctx, func(tx *store.Store) error {
		found, err := tx.FollowOfActorIRI(ctx, in.Group.ID, in.ActorIRI)
		if errors.Is(err, store.ErrNotFound) {
			return apperror.NotFound("actor: %s does not follow %s", in.ActorIRI, in.Group.Slug)
		}
		if err != nil {
			return err
		}
		if found.State != model.FollowAccepted {
			return apperror.Conflict("actor", "%s is not a member of %s (their follow is %s): reject the request instead", in.ActorIRI, in.Group.Slug, found.State)
		}
		if _, err := tx.DeleteFollow(ctx, in.Group.ID, found.Actor.ID); err != nil {
			return err
		}
		if err := m.federator.RejectFollow(ctx, tx, in.Group, found.Follow, found.Actor); err != nil {
			return err
		}
		return tx.RecordMemberDecision(ctx, in.Group, in.StaffID, model.ActionMemberRemove, reason, found.Actor, nil)
	})
	if err != nil {
		return fmt.Errorf("remove %s from %s: %w", in.ActorIRI, in.Group.Slug, err)
	}
	return nil
}
