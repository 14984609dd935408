package outbox

import (
	"context"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/membership"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/federation/delivery"
)

// FollowResponder sends a group's answers to follow requests: an Accept or Reject built by
// activities, delivered to the follower's own inbox through the delivery outbox of the caller's
// transaction. It is the membership service's Responder.
type FollowResponder struct {
	IRIs    federation.IRIs
	Planner delivery.Planner
}

var _ membership.Responder = FollowResponder{}

// AcceptFollow queues an Accept of follow.
func (r FollowResponder) AcceptFollow(ctx context.Context, tx *store.Store, group model.Group, follow model.Follow, follower model.RemoteActor) error {
	return r.answer(ctx, tx, activities.Accept, group, follow, follower)
}

// RejectFollow queues a Reject of follow.
func (r FollowResponder) RejectFollow(ctx context.Context, tx *store.Store, group model.Group, follow model.Follow, follower model.RemoteActor) error {
	return r.answer(ctx, tx, activities.Reject, group, follow, follower)
}

func (r FollowResponder) answer(ctx context.Context, tx *store.Store, build func(string, string, activities.FollowRef) (vocab.Type, error),
	group model.Group, follow model.Follow, follower model.RemoteActor) error {
	groupIRI := r.IRIs.GroupActor(group.Slug)
	id := r.IRIs.NewActivity()
	activity, err := build(id, groupIRI, activities.FollowRef{ID: follow.FollowActivityIRI, Actor: follower.IRI, Object: groupIRI})
	if err != nil {
		return err
	}
	body, err := activities.Marshal(activity)
	if err != nil {
		return err
	}
	return r.Planner.ToInbox(ctx, tx, delivery.Activity{IRI: id, Type: activity.GetTypeName(), GroupID: group.ID, Body: body},
		follower.InboxURL, follower.Host)
}
