// Package activities builds the ActivityStreams documents Kring sends, with go-fed's streams so their
// JSON-LD shape is right, and serializes each once.
package activities

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// FollowRef is the Follow being answered, as the follower's server sent it.
type FollowRef struct {
	ID     string // the Follow's id
	Actor  string // the follower
	Object string // the group followed
}

// Accept answers a Follow with an Accept from the group. The Follow is embedded with its id, actor
// and object: Mastodon matches the answer by the Follow's id, and some servers want the embedded
// actor to tell whose request it was.
func Accept(id, group string, follow FollowRef) (vocab.Type, error) {
	accept := streams.NewActivityStreamsAccept()
	if err := setCommon(accept, id, group, follow.Actor); err != nil {
		return nil, err
	}
	embedded, err := followObject(follow)
	if err != nil {
		return nil, err
	}
	accept.SetActivityStreamsObject(embedded)
	return accept, nil
}

// Reject answers a Follow with a Reject from the group; shaped like Accept.
func Reject(id, group string, follow FollowRef) (vocab.Type, error) {
	reject := streams.NewActivityStreamsReject()
	if err := setCommon(reject, id, group, follow.Actor); err != nil {
		return nil, err
	}
	embedded, err := followObject(follow)
	if err != nil {
		return nil, err
	}
	reject.SetActivityStreamsObject(embedded)
	return reject, nil
}

// activity is what Accept and Reject have in common.
type activity interface {
	SetJSONLDId(vocab.JSONLDIdProperty)
	SetActivityStreamsActor(vocab.ActivityStreamsActorProperty)
	SetActivityStreamsTo(vocab.ActivityStreamsToProperty)
}

func setCommon(a activity, id, actor, to string) error {
	idIRI, err := parseIRI(id)
	if err != nil {
		return err
	}
	actorIRI, err := parseIRI(actor)
	if err != nil {
		return err
	}
	toIRI, err := parseIRI(to)
	if err != nil {
		return err
	}
	a.SetJSONLDId(IDProperty(idIRI))
	actorProperty := streams.NewActivityStreamsActorProperty()
	actorProperty.AppendIRI(actorIRI)
	a.SetActivityStreamsActor(actorProperty)
	a.SetActivityStreamsTo(toOnly(toIRI))
	return nil
}

func followObject(ref FollowRef) (vocab.ActivityStreamsObjectProperty, error) {
	follow := streams.NewActivityStreamsFollow()
	id, err := parseIRI(ref.ID)
	if err != nil {
		return nil, err
	}
	actor, err := parseIRI(ref.Actor)
	if err != nil {
		return nil, err
	}
	object, err := parseIRI(ref.Object)
	if err != nil {
		return nil, err
	}
	follow.SetJSONLDId(IDProperty(id))
	actorProperty := streams.NewActivityStreamsActorProperty()
	actorProperty.AppendIRI(actor)
	follow.SetActivityStreamsActor(actorProperty)
	objectProperty := streams.NewActivityStreamsObjectProperty()
	objectProperty.AppendIRI(object)
	follow.SetActivityStreamsObject(objectProperty)
	wrapper := streams.NewActivityStreamsObjectProperty()
	wrapper.AppendActivityStreamsFollow(follow)
	return wrapper, nil
}

// IDProperty is the JSON-LD id property holding iri, for any document Kring builds with go-fed.
func IDProperty(iri *url.URL) vocab.JSONLDIdProperty {
	id := streams.NewJSONLDIdProperty()
	id.Set(iri)
	return id
}

func parseIRI(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute IRI", raw)
	}
	return u, nil
}

// Marshal serializes an activity to the JSON sent on the wire, with its @context.
func Marshal(t vocab.Type) ([]byte, error) {
	m, err := streams.Serialize(t)
	if err != nil {
		return nil, fmt.Errorf("serialize %s: %w", t.GetTypeName(), err)
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", t.GetTypeName(), err)
	}
	return body, nil
}
