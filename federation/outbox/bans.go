package outbox

import (
	"context"
	"time"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/federation/delivery"
)

// Bans sends what a group decides about a member to the member's own inbox: Block on a ban, Undo of
// that Block on unban, Reject of their Follow when they are removed. It is moderation's BanFederator.
type Bans struct {
	IRIs    federation.IRIs
	Planner delivery.Planner
	Now     func() time.Time // time.Now when nil
}

var _ moderation.BanFederator = Bans{}

// Block queues the group's Block of member and returns its id.
func (b Bans) Block(ctx context.Context, tx *store.Store, group model.Group, member model.RemoteActor) (string, error) {
	ref := b.blockRef(group, member, b.IRIs.NewActivity(), b.federator().now())
	block, err := activities.Block(ref)
	if err != nil {
		return "", err
	}
	return ref.ID, b.toMember(ctx, tx, group, member, block)
}

// UndoBlock queues the Undo of the Block recorded with ban, rebuilt with its id and time.
func (b Bans) UndoBlock(ctx context.Context, tx *store.Store, group model.Group, member model.RemoteActor, ban model.GroupBan) error {
	ref := b.blockRef(group, member, ban.BlockActivityIRI, ban.CreatedAt)
	undo, err := activities.UndoBlock(b.IRIs.NewActivity(), ref, b.federator().now())
	if err != nil {
		return err
	}
	return b.toMember(ctx, tx, group, member, undo)
}

// RejectFollow queues the group's Reject of the member's Follow, as for a refused follow request.
func (b Bans) RejectFollow(ctx context.Context, tx *store.Store, group model.Group, follow model.Follow, follower model.RemoteActor) error {
	return FollowResponder{IRIs: b.IRIs, Planner: b.Planner}.RejectFollow(ctx, tx, group, follow, follower)
}

func (b Bans) blockRef(group model.Group, member model.RemoteActor, id string, at time.Time) activities.BlockRef {
	return activities.BlockRef{ID: id, Group: b.IRIs.GroupActor(group.Slug), Member: member.IRI, At: at}
}

// federator lends its clock and serializer: one way to turn an activity into what is delivered.
func (b Bans) federator() Federator { return Federator(b) }

// toMember queues activity to the member's own inbox (not a shared one: it concerns them alone).
func (b Bans) toMember(ctx context.Context, tx *store.Store, group model.Group, member model.RemoteActor, activity vocab.Type) error {
	serialized, err := b.federator().serialize(group, activity)
	if err != nil {
		return err
	}
	return b.Planner.ToInbox(ctx, tx, serialized, member.InboxURL, member.Host)
}
