// Package membership decides who follows a group: it answers Follow requests (accept, hold for a
// moderator, or reject), lets moderators approve or reject held requests, and removes followers who
// unfollow or whose accounts are gone. It decides; federation carries the answers to the followers'
// servers through the Responder the command wires in.
package membership

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Responder sends a group's answer to a follow request. It is called inside the transaction that
// changes the follow, so the answer is queued if and only if the change commits.
type Responder interface {
	AcceptFollow(ctx context.Context, tx *store.Store, group model.Group, follow model.Follow, follower model.RemoteActor) error
	RejectFollow(ctx context.Context, tx *store.Store, group model.Group, follow model.Follow, follower model.RemoteActor) error
}

// Welcomer greets a member whose follow was accepted, in the transaction that accepts it.
type Welcomer interface {
	Welcome(ctx context.Context, tx *store.Store, group model.Group, member model.RemoteActor) error
}

// Service applies the membership rules.
type Service struct {
	store     *store.Store
	responder Responder
	welcomer  Welcomer
}

// NewService returns a Service that answers follows through responder.
func NewService(st *store.Store, responder Responder) *Service {
	return &Service{store: st, responder: responder}
}

// WithWelcomer has every accepted follower greeted by welcomer (the group's welcome message).
func (s *Service) WithWelcomer(welcomer Welcomer) *Service {
	s.welcomer = welcomer
	return s
}

// accept tells the follower she is in and greets her.
func (s *Service) accept(ctx context.Context, tx *store.Store, group model.Group, follow model.Follow, follower model.RemoteActor) error {
	if err := s.responder.AcceptFollow(ctx, tx, group, follow, follower); err != nil {
		return err
	}
	if s.welcomer == nil {
		return nil
	}
	return s.welcomer.Welcome(ctx, tx, group, follower)
}

// Decision is what became of a follow request.
type Decision string

const (
	Accepted Decision = "accepted"
	Pending  Decision = "pending" // waits for a moderator
	Rejected Decision = "rejected"
	Dropped  Decision = "dropped" // the follower's domain is suspended: nothing recorded, nothing sent
)

// ReceiveFollow answers a Follow of group by follower: dropped unanswered when the follower's domain
// is suspended by the group's organisation or the instance (a suspended server hears nothing from
// Kring), rejected when the follower is banned, held when the group approves followers (unless the
// follower is already accepted), accepted otherwise. The follow is recorded and the answer queued in
// one transaction. A repeated Follow is answered again, echoing its new id, but at most once per
// RepeatAnswerInterval: a server that sends the same Follow over and over gets no flood of answers.
func (s *Service) ReceiveFollow(ctx context.Context, group model.Group, follower model.RemoteActor, followIRI string) (Decision, error) {
	var decision Decision
	err := s.store.TransactionHolding(ctx, nil, func(tx *store.Store) error {
		var err error
		decision, err = s.decide(ctx, tx, group, follower)
		if err != nil || decision == Dropped {
			return err
		}
		follow := model.Follow{GroupID: group.ID, RemoteActorID: follower.ID, FollowActivityIRI: followIRI, State: model.FollowState(decision)}
		if decision == Pending {
			// Nothing is answered yet; the later answer echoes the newest Follow's id.
			_, err = tx.SaveFollow(ctx, follow)
			return err
		}
		follow, answer, err := tx.RecordFollowAnswer(ctx, follow, RepeatAnswerInterval)
		if err != nil || !answer {
			return err
		}
		if decision == Accepted {
			return s.accept(ctx, tx, group, follow, follower)
		}
		return s.responder.RejectFollow(ctx, tx, group, follow, follower)
	})
	if err != nil {
		return "", fmt.Errorf("answer follow of %s by %s: %w", group.Slug, follower.IRI, err)
	}
	return decision, nil
}

// RepeatAnswerInterval is how long a follow's answer stands: a repeated Follow in that time, with
// nothing changed, is not answered again.
const RepeatAnswerInterval = time.Hour

func (s *Service) decide(ctx context.Context, tx *store.Store, group model.Group, follower model.RemoteActor) (Decision, error) {
	standing, err := tx.AuthorStandingIn(ctx, group, follower)
	switch {
	case err != nil:
		return "", err
	case standing.Suspended:
		return Dropped, nil
	case group.ArchivedAt != nil, standing.Banned:
		return Rejected, nil
	}
	if !group.ApproveFollowers {
		return Accepted, nil
	}
	existing, err := tx.FollowOf(ctx, group.ID, follower.ID)
	switch {
	case err == nil && existing.State == model.FollowAccepted:
		return Accepted, nil
	case err == nil || errors.Is(err, store.ErrNotFound):
		return Pending, nil
	default:
		return "", err
	}
}

// Unfollow removes follower from group, as an Undo{Follow} asks; false when it did not follow.
func (s *Service) Unfollow(ctx context.Context, group model.Group, follower model.RemoteActor) (bool, error) {
	return s.store.DeleteFollow(ctx, group.ID, follower.ID)
}

// ForgetActor removes every follow of an actor whose account is gone.
func (s *Service) ForgetActor(ctx context.Context, follower model.RemoteActor) (int64, error) {
	return s.store.DeleteFollowsOfActor(ctx, follower.ID)
}

// Approve accepts a held follow request of the group slug by actorIRI; the follower is told and the
// decision logged in staffID's name (nil: Kring's command line).
func (s *Service) Approve(ctx context.Context, groupSlug, actorIRI string, staffID *string) error {
	return s.settle(ctx, groupSlug, actorIRI, staffID, model.FollowAccepted)
}

// Reject refuses a held follow request (or removes an accepted follower); the follower is told and
// the decision logged.
func (s *Service) Reject(ctx context.Context, groupSlug, actorIRI string, staffID *string) error {
	return s.settle(ctx, groupSlug, actorIRI, staffID, model.FollowRejected)
}

func (s *Service) settle(ctx context.Context, groupSlug, actorIRI string, staffID *string, state model.FollowState) error {
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		group, err := tx.GroupBySlug(ctx, groupSlug)
		if errors.Is(err, store.ErrNotFound) {
			return apperror.NotFound("group: no group with slug %q", groupSlug)
		}
		if err != nil {
			return err
		}
		found, err := tx.FollowOfActorIRI(ctx, group.ID, actorIRI)
		if errors.Is(err, store.ErrNotFound) {
			return apperror.NotFound("actor: %s has not asked to follow %s", actorIRI, groupSlug)
		}
		if err != nil {
			return err
		}
		if found.State == state {
			return nil // already settled this way; answering twice would only confuse the follower's server
		}
		if found.State == model.FollowRejected {
			// The follower's server was told no and forgot the request; an Accept now would be ignored.
			return apperror.Conflict("actor", "%s was already rejected; they can send a new follow request", actorIRI)
		}
		if err := tx.SetFollowState(ctx, found.ID, state); err != nil {
			return err
		}
		found.Follow.State = state
		if state == model.FollowAccepted {
			if err := s.accept(ctx, tx, group.Group, found.Follow, found.Actor); err != nil {
				return err
			}
			return tx.RecordMemberDecision(ctx, group.Group, staffID, model.ActionFollowApprove, "", found.Actor, nil)
		}
		if err := s.responder.RejectFollow(ctx, tx, group.Group, found.Follow, found.Actor); err != nil {
			return err
		}
		return tx.RecordMemberDecision(ctx, group.Group, staffID, model.ActionFollowReject, "", found.Actor, nil)
	})
}

// Follows lists the follows of a group in state (all when empty).
func (s *Service) Follows(ctx context.Context, groupSlug string, state model.FollowState) ([]store.FollowWithActor, error) {
	group, err := s.store.GroupBySlug(ctx, groupSlug)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperror.NotFound("group: no group with slug %q", groupSlug)
	}
	if err != nil {
		return nil, err
	}
	switch state {
	case "", model.FollowPending, model.FollowAccepted, model.FollowRejected:
	default:
		return nil, apperror.Invalid("state", "must be pending, accepted or rejected (got %q)", string(state))
	}
	return s.store.FollowsOfGroup(ctx, group.ID, state)
}
