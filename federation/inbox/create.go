package inbox

import (
	"context"
	"fmt"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/federation/activities"
)

// ObjectFetcher fetches an object from its origin, checking that its id is the URL it came from.
type ObjectFetcher interface {
	FetchObject(ctx context.Context, iri string) (vocab.Type, error)
}

// applyCreate takes a member's post into the groups it addresses or whose threads it replies in, or
// her direct message into the support inbox of the groups it addresses.
// The object must be the actor's own: on the actor's server and attributed to the actor (the inbox
// refused other shapes already; this holds for objects fetched by id too).
func (p *Processor) applyCreate(ctx context.Context, row model.InboundActivity, create vocab.ActivityStreamsCreate) error {
	read, err := p.actorsOwnPost(ctx, row, "Create", create.GetActivityStreamsObject())
	if err != nil {
		return err
	}
	author, err := p.cfg.Actors.ResolveActor(ctx, row.ActorIRI)
	if err != nil {
		return fmt.Errorf("resolve author %s: %w", row.ActorIRI, err)
	}
	if event, ok, err := p.pollVote(ctx, read); err != nil || ok {
		if err != nil {
			return err
		}
		return p.applyVote(ctx, event, read, author)
	}
	addressed, err := p.localGroups(ctx, read.addressees())
	if err != nil {
		return err
	}
	visibility := read.visibility(author.FollowersURL)
	if isDirect(visibility) && len(addressed) > 0 {
		return p.applyDirect(ctx, row, read, author, addressed)
	}
	results, err := p.cfg.Conversations.Submit(ctx, author, conversations.Submission{
		ActivityIRI: row.ActivityIRI, ActivityJSON: row.RawBody, ObjectIRI: read.ID, ObjectType: read.Type,
		ContentHTML: read.ContentHTML, Summary: read.Summary, URL: read.URL, InReplyTo: read.InReplyTo,
		Context: read.Context, Visibility: visibility, PublishedAt: read.Published,
		Addressed: addressed,
	})
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return ignored("the post is for no group of this server")
	}
	taken := 0
	for _, r := range results {
		p.cfg.Logger.InfoContext(ctx, "post submitted", "object", read.ID, "group", r.GroupID,
			"outcome", string(r.Outcome), "reach", string(r.Reach), "reason", r.Reason)
		if r.Outcome != conversations.Refused {
			taken++
		}
	}
	if taken == 0 {
		return ignored("refused: %s", results[0].Reason)
	}
	return nil
}

// actorsOwnPost reads the post an activity of kind carries, which must be the actor's own: on the
// actor's server and attributed to the actor. Other objects are ignored (an Update of a profile is
// picked up when the cached actor goes stale).
func (p *Processor) actorsOwnPost(ctx context.Context, row model.InboundActivity, kind string, objects vocab.ActivityStreamsObjectProperty) (readPost, error) {
	object, err := p.objectOf(ctx, objects)
	if err != nil {
		return readPost{}, err
	}
	post, ok := asPostObject(object)
	if !ok {
		return readPost{}, ignored("%s of a %s is not handled", kind, typeNameOf(object))
	}
	read := readPostObject(post)
	if read.ID == "" || origin(read.ID) != origin(row.ActorIRI) || read.Author != row.ActorIRI {
		return readPost{}, ignored("%s of an object that is not the actor's own", kind)
	}
	return read, nil
}

// objectOf returns an activity's single object: embedded, or fetched from its origin when given by
// id only (an embedded copy would be the sender's word; a fetched one is the origin's).
func (p *Processor) objectOf(ctx context.Context, objects vocab.ActivityStreamsObjectProperty) (vocab.Type, error) {
	if objects == nil || objects.Len() != 1 {
		return nil, ignored("the activity must have exactly one object")
	}
	it := objects.At(0)
	if t := it.GetType(); t != nil {
		return t, nil
	}
	if !it.IsIRI() || p.cfg.Objects == nil {
		return nil, ignored("the object is neither embedded nor an IRI")
	}
	fetched, err := p.cfg.Objects.FetchObject(ctx, it.GetIRI().String())
	if err != nil {
		return nil, ignored("fetch the object %s: %v", it.GetIRI(), err)
	}
	return fetched, nil
}

// ObjectsThrough fetches objects with get (fetch.Client.GetActivityJSON's body) and reads them.
type ObjectsThrough func(ctx context.Context, iri string) ([]byte, error)

// FetchObject fetches and parses iri.
func (f ObjectsThrough) FetchObject(ctx context.Context, iri string) (vocab.Type, error) {
	body, err := f(ctx, iri)
	if err != nil {
		return nil, err
	}
	return activities.Parse(ctx, string(body))
}
