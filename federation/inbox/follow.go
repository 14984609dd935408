package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/fetch"
)

// applyFollow answers a Follow of one of Kring's groups. Following several objects at once is not a
// thing servers do; each local group named is answered on its own.
func (p *Processor) applyFollow(ctx context.Context, row model.InboundActivity, follow vocab.ActivityStreamsFollow) error {
	groups, err := p.localGroups(ctx, objectIRIs(follow.GetActivityStreamsObject()))
	if err != nil {
		return err
	}
	if len(groups) == 0 {
		return ignored("the Follow names no group of this server")
	}
	// A domain suspended since the Follow was stored hears nothing: not even a fetch of its actor.
	if groups, err = p.notSuspending(ctx, groups, fetch.HostOf(row.ActorIRI)); err != nil || len(groups) == 0 {
		if err != nil {
			return err
		}
		return ignored("the follower's domain is suspended")
	}
	follower, err := p.cfg.Actors.ResolveActor(ctx, row.ActorIRI)
	if err != nil {
		return fmt.Errorf("resolve follower %s: %w", row.ActorIRI, err)
	}
	if p.cfg.Software != nil {
		if err := p.cfg.Software.Learn(ctx, follower.IRI); err != nil {
			return err
		}
	}
	for _, group := range groups {
		decision, err := p.cfg.Membership.ReceiveFollow(ctx, group, follower, row.ActivityIRI)
		if err != nil {
			return err
		}
		p.cfg.Logger.InfoContext(ctx, "follow answered", "group", group.Slug, "follower", follower.IRI, "decision", string(decision))
	}
	return nil
}

// applyUndo withdraws a Follow or a Like. The undone activity may be embedded (a Follow's object names
// the group) or given by id (found among the follows and likes Kring recorded); either way only its
// own actor may undo it.
func (p *Processor) applyUndo(ctx context.Context, row model.InboundActivity, undo vocab.ActivityStreamsUndo) error {
	objects := undo.GetActivityStreamsObject()
	if objects == nil || objects.Len() != 1 {
		return ignored("Undo must have exactly one object")
	}
	it := objects.At(0)
	follower, err := p.cfg.Actors.ResolveActor(ctx, row.ActorIRI)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", row.ActorIRI, err)
	}
	if it.IsActivityStreamsFollow() {
		follow := it.GetActivityStreamsFollow()
		if actorOf(follow.GetActivityStreamsActor()) != row.ActorIRI {
			return ignored("Undo of a Follow made by someone else")
		}
		groups, err := p.localGroups(ctx, objectIRIs(follow.GetActivityStreamsObject()))
		if err != nil {
			return err
		}
		return p.unfollow(ctx, groups, follower)
	}
	if it.IsActivityStreamsJoin() {
		return p.undoJoin(ctx, row, it.GetActivityStreamsJoin())
	}
	if it.IsActivityStreamsLike() {
		like := it.GetActivityStreamsLike()
		likeID := idOf(like)
		if actorOf(like.GetActivityStreamsActor()) != row.ActorIRI || likeID == "" {
			return ignored("Undo of a Like made by someone else, or without an id")
		}
		return p.unlike(ctx, row, follower, likeID)
	}
	if it.IsIRI() {
		follows, err := p.cfg.Store.FollowsByActivityIRI(ctx, it.GetIRI().String(), follower.ID)
		if err != nil {
			return err
		}
		if len(follows) == 0 {
			if found, err := p.undoJoinByID(ctx, row, follower, it.GetIRI().String()); found || err != nil {
				return err
			}
			// Not a follow: an Undo of a Like by its id, or of something Kring never had.
			return p.unlike(ctx, row, follower, it.GetIRI().String())
		}
		groups := make([]model.Group, 0, len(follows))
		for _, f := range follows {
			group, err := p.cfg.Store.GroupByID(ctx, f.GroupID)
			if err != nil {
				return err
			}
			groups = append(groups, group)
		}
		return p.unfollow(ctx, groups, follower)
	}
	return ignored("Undo of a %s is not handled", typeNameOf(it.GetType()))
}

func (p *Processor) unfollow(ctx context.Context, groups []model.Group, follower model.RemoteActor) error {
	if len(groups) == 0 {
		return ignored("the Undo names no follow of a group of this server")
	}
	for _, group := range groups {
		removed, err := p.cfg.Membership.Unfollow(ctx, group, follower)
		if err != nil {
			return err
		}
		p.cfg.Logger.InfoContext(ctx, "unfollowed", "group", group.Slug, "follower", follower.IRI, "was_following", removed)
	}
	return nil
}

// notSuspending keeps the groups whose organisation (and the instance) did not suspend host.
func (p *Processor) notSuspending(ctx context.Context, groups []model.Group, host string) ([]model.Group, error) {
	kept := groups[:0:0]
	for _, group := range groups {
		blocks, err := p.cfg.Store.DomainBlocksFor(ctx, host, group.OrganisationID)
		if err != nil {
			return nil, err
		}
		if !model.AnySuspension(blocks) {
			kept = append(kept, group)
		}
	}
	return kept, nil
}

// localGroups returns the live local groups among iris.
func (p *Processor) localGroups(ctx context.Context, iris []string) ([]model.Group, error) {
	var groups []model.Group
	seen := map[string]bool{} // a post names its group in cc and in a Mention tag
	for _, iri := range iris {
		slug, ok := p.cfg.IRIs.GroupSlugOf(iri)
		if !ok || seen[slug] {
			continue
		}
		seen[slug] = true
		group, err := p.groupBySlug(ctx, slug)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		groups = append(groups, group.Group)
	}
	return groups, nil
}

// groupBySlug is the group with slug: the one read with the activity in process, when it is that
// group, or a read.
func (p *Processor) groupBySlug(ctx context.Context, slug string) (store.GroupInOrganisation, error) {
	if group, ok := store.TakePrereadGroup(ctx, slug); ok {
		return group, nil
	}
	return p.cfg.Store.GroupBySlug(ctx, slug)
}

func actorOf(actors vocab.ActivityStreamsActorProperty) string {
	if actors == nil || actors.Len() != 1 {
		return ""
	}
	if id := iteratorIRI(actors.At(0)); id != nil {
		return id.String()
	}
	return ""
}

// idOf is t's id, or "" when it has none that go-fed could read as an IRI (a relative id parses to
// nothing).
func idOf(t vocab.Type) string {
	if id := t.GetJSONLDId(); id != nil && id.Get() != nil {
		return id.Get().String()
	}
	return ""
}

func typeNameOf(t vocab.Type) string {
	if t == nil {
		return "value"
	}
	return t.GetTypeName()
}
