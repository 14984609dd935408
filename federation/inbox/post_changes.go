package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// applyUpdate applies an author's edit of their group post. Only the author may edit: the object must
// be on the actor's server and attributed to the actor, and the post Kring keeps must be theirs.
func (p *Processor) applyUpdate(ctx context.Context, row model.InboundActivity, update vocab.ActivityStreamsUpdate) error {
	read, err := p.actorsOwnPost(ctx, row, "Update", update.GetActivityStreamsObject())
	if err != nil {
		return err
	}
	author, err := p.knownActor(ctx, row.ActorIRI)
	if err != nil {
		return err
	}
	changed, err := p.cfg.Conversations.ApplyEdit(ctx, author, conversations.Edit{ObjectIRI: read.ID,
		ContentHTML: read.ContentHTML, Summary: read.Summary, URL: read.URL, EditedAt: read.Updated, ActivityJSON: row.RawBody})
	if err == nil {
		var edited int
		edited, err = p.directChanges(ctx, author, read, false)
		changed += edited
	}
	return p.changedPosts("Update", changed, err)
}

// applyDelete handles an account deleting itself (its follows go) and an author deleting their post
// (every group's copy goes, and followers' servers are told) or her direct message (its content
// leaves the support inboxes).
func (p *Processor) applyDelete(ctx context.Context, row model.InboundActivity, del vocab.ActivityStreamsDelete) error {
	objects := objectIRIs(del.GetActivityStreamsObject())
	if len(objects) != 1 {
		return ignored("Delete must have exactly one object")
	}
	actor, err := p.knownActor(ctx, row.ActorIRI)
	if err != nil {
		return err
	}
	if objects[0] == row.ActorIRI {
		removed, err := p.cfg.Membership.ForgetActor(ctx, actor)
		if err != nil {
			return err
		}
		p.cfg.Logger.InfoContext(ctx, "remote account deleted", "actor", actor.IRI, "follows_removed", removed)
		return nil
	}
	if origin(objects[0]) != origin(row.ActorIRI) {
		return ignored("Delete of an object on another server")
	}
	changed, err := p.cfg.Conversations.ApplyDelete(ctx, actor, objects[0], row.RawBody)
	if err == nil {
		var withdrawn int
		withdrawn, err = p.directChanges(ctx, actor, readPost{ID: objects[0]}, true)
		changed += withdrawn
	}
	return p.changedPosts("Delete", changed, err)
}

// applyLike records a Like of a group post and forwards it to servers that understand groups.
func (p *Processor) applyLike(ctx context.Context, row model.InboundActivity, like vocab.ActivityStreamsLike) error {
	objects := objectIRIs(like.GetActivityStreamsObject())
	if len(objects) != 1 {
		return ignored("Like must have exactly one object")
	}
	actor, err := p.cfg.Actors.ResolveActor(ctx, row.ActorIRI)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", row.ActorIRI, err)
	}
	liked, err := p.cfg.Conversations.Like(ctx, actor, objects[0], row.ActivityIRI, row.RawBody)
	return p.changedPosts("Like", liked, err)
}

// unlike withdraws a Like by its id.
func (p *Processor) unlike(ctx context.Context, row model.InboundActivity, actor model.RemoteActor, likeIRI string) error {
	unliked, err := p.cfg.Conversations.Unlike(ctx, actor, likeIRI, row.RawBody)
	return p.changedPosts("Undo", unliked, err)
}

// changedPosts turns what a post change did into the activity's outcome.
func (p *Processor) changedPosts(kind string, changed int, err error) error {
	switch {
	case errors.Is(err, conversations.ErrNotAuthor):
		return ignored("%s of a post someone else wrote", kind)
	case err != nil:
		return err
	case changed == 0:
		return ignored("%s of nothing this server's groups have", kind)
	}
	return nil
}

// knownActor loads an actor Kring has seen; one it never saw has nothing here to change.
func (p *Processor) knownActor(ctx context.Context, iri string) (model.RemoteActor, error) {
	actor, err := p.cfg.Store.RemoteActorByIRI(ctx, iri)
	if errors.Is(err, store.ErrNotFound) {
		return model.RemoteActor{}, ignored("activity of an actor this server never knew")
	}
	return actor, err
}
