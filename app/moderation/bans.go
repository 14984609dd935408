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

// BanFederator tells a member's server what the group decided. Each method is called inside the
// transaction that records the decision, so the activity is queued if and only if it commits.
type BanFederator interface {
	// Block sends Block{member} from the group to the member and returns the Block's id, kept with
	// the ban so the unban can undo exactly that Block.
	Block(ctx context.Context, tx *store.Store, group model.Group, member model.RemoteActor) (string, error)
	// UndoBlock sends Undo{Block} of the ban's Block.
	UndoBlock(ctx context.Context, tx *store.Store, group model.Group, member model.RemoteActor, ban model.GroupBan) error
	// RejectFollow answers the member's Follow with a Reject: their server drops the follow.
	RejectFollow(ctx context.Context, tx *store.Store, group model.Group, follow model.Follow, follower model.RemoteActor) error
}

// PostRemover takes a visible post out of its group, undoing the group's Announces and logging it
// (conversations.Service does).
type PostRemover interface {
	Remove(ctx context.Context, postID string, staffID *string, reason string) (model.Post, error)
}

// Members applies moderators' decisions about who belongs to a group: removing a follower, banning
// and unbanning. Approving and rejecting follow requests is membership's.
type Members struct {
	store     *store.Store
	federator BanFederator
	posts     PostRemover
}

// NewMembers returns Members that federates through federator and removes posts through posts.
func NewMembers(st *store.Store, federator BanFederator, posts PostRemover) *Members {
	return &Members{store: st, federator: federator, posts: posts}
}

// MemberDecision names the member a moderator acts on, who acts and why.
type MemberDecision struct {
	Group    model.Group
	ActorIRI string
	StaffID  *string // nil when Kring's command line acts
	Reason   string
}

// BanResult is what a ban did.
type BanResult struct {
	Ban model.GroupBan
	// RemovedPosts counts the member's posts taken out of the group.
	RemovedPosts int
}

// Ban keeps an actor out of the group: the ban is recorded, their follow (in any state) deleted, and
// a Block sent to them, which makes their server drop the follow. With removePosts their visible posts
// in the group are removed too, each undone and logged like a moderator's removal.
func (m *Members) Ban(ctx context.Context, in MemberDecision, removePosts bool) (BanResult, error) {
	reason, err := textinput.Text("reason", in.Reason, 2000)
	if err != nil {
		return BanResult{}, err
	}
	var result BanResult
	err = m.store.Transaction(ctx, func(tx *store.Store) error {
		actor, err := actorByIRI(ctx, tx, in.ActorIRI)
		if err != nil {
			return err
		}
		if _, err := tx.GroupBanOf(ctx, in.Group.ID, actor.ID); err == nil {
			return apperror.Conflict("actor", "%s is already banned from %s", in.ActorIRI, in.Group.Slug)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		blockIRI, err := m.federator.Block(ctx, tx, in.Group, actor)
		if err != nil {
			return err
		}
		result.Ban, err = tx.CreateGroupBan(ctx, model.GroupBan{GroupID: in.Group.ID, RemoteActorID: actor.ID,
			Reason: reason, BlockActivityIRI: blockIRI, CreatedByStaffID: in.StaffID})
		if err != nil {
			return err
		}
		if _, err := tx.DeleteFollow(ctx, in.Group.ID, actor.ID); err != nil {
			return err
		}
		return tx.RecordMemberDecision(ctx, in.Group, in.StaffID, model.ActionMemberBan, reason, actor, map[string]any{"remove_posts": removePosts})
	})
	if err != nil {
		return BanResult{}, fmt.Errorf("ban %s from %s: %w", in.ActorIRI, in.Group.Slug, err)
	}
	if removePosts {
		result.RemovedPosts, err = m.removePosts(ctx, in.Group, result.Ban.RemoteActorID, in.StaffID, reason)
	}
	return result, err
}

// removePosts removes an author's visible posts from the group, one transaction each (the ban has
// committed already: a failure here leaves the ban in place and says which post failed).
func (m *Members) removePosts(ctx context.Context, group model.Group, actorID string, staffID *string, reason string) (int, error) {
	posts, err := m.store.VisiblePostsOfAuthor(ctx, group.ID, actorID)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, post := range posts {
		_, err := m.posts.Remove(ctx, post.ID, staffID, reason)
		if apperror.KindOf(err) == apperror.KindConflict {
			continue // no longer visible: its author deleted it, or another moderator acted first
		}
		if err != nil {
			return removed, fmt.Errorf("banned, but removing their post %s failed (%d of %d removed): %w", post.ID, removed, len(posts), err)
		}
		removed++
	}
	return removed, nil
}

// Unban lifts a ban and sends Undo of its Block, so the actor may follow again.
func (m *Members) Unban(ctx context.Context, in MemberDecision) error {
	reason, err := textinput.Text("reason", in.Reason, 2000)
	if err != nil {
		return err
	}
	err = m.store.Transaction(ctx, func(tx *store.Store) error {
		actor, err := actorByIRI(ctx, tx, in.ActorIRI)
		if err != nil {
			return err
		}
		ban, err := tx.GroupBanOf(ctx, in.Group.ID, actor.ID)
		if errors.Is(err, store.ErrNotFound) {
			return apperror.NotFound("ban: %s is not banned from %s", in.ActorIRI, in.Group.Slug)
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteGroupBan(ctx, ban.ID); err != nil {
			return err
		}
		// A ban recorded without a Block (none was federated) has nothing to undo.
		if ban.BlockActivityIRI != "" {
			if err := m.federator.UndoBlock(ctx, tx, in.Group, actor, ban); err != nil {
				return err
			}
		}
		return tx.RecordMemberDecision(ctx, in.Group, in.StaffID, model.ActionMemberUnban, reason, actor, map[string]any{"block": ban.BlockActivityIRI})
	})
	if err != nil {
		return fmt.Errorf("unban %s from %s: %w", in.ActorIRI, in.Group.Slug, err)
	}
	return nil
}

func actorByIRI(ctx context.Context, tx *store.Store, iri string) (model.RemoteActor, error) {
	actor, err := tx.RemoteActorByIRI(ctx, iri)
	if errors.Is(err, store.ErrNotFound) {
		return model.RemoteActor{}, apperror.NotFound("actor: Kring knows no actor %s", iri)
	}
	return actor, err
}
