package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// Announce is the group sharing something with its followers: an object by id (what microblogging
// servers boost: they fetch the object from its origin) or an activity embedded exactly as its author
// sent it (FEP-1b12: servers that understand groups apply the activity itself, and may check it
// against its origin; re-serializing it would drop what go-fed does not model, such as contentMap).
type Announce struct {
	ID       string
	Group    string // the group actor
	Audience Audience
	// ObjectIRI is the object's id; with EmbeddedJSON, the embedded activity's id.
	ObjectIRI    string
	EmbeddedJSON []byte
	At           time.Time
}

// Build returns the Announce as a go-fed type, its object given by id.
func (a Announce) Build() (vocab.Type, error) {
	objectIRI, err := parseIRI(a.ObjectIRI)
	if err != nil {
		return nil, err
	}
	return wrapProperty(streams.NewActivityStreamsAnnounce(), a.ID, a.Group, a.Audience, objectIRIProperty(objectIRI), a.At)
}

// Marshal serializes the Announce, with EmbeddedJSON (when set) as its object and the embedded
// document's @context merged into the Announce's.
func (a Announce) Marshal() ([]byte, error) {
	built, err := a.Build()
	if err != nil {
		return nil, err
	}
	if a.EmbeddedJSON == nil {
		return Marshal(built)
	}
	var embedded map[string]any
	if err := json.Unmarshal(a.EmbeddedJSON, &embedded); err != nil {
		return nil, fmt.Errorf("read the announced activity: %w", err)
	}
	if embedded["id"] != a.ObjectIRI {
		return nil, fmt.Errorf("announce of %s embeds %v", a.ObjectIRI, embedded["id"])
	}
	return marshalEmbedding(built, embedded)
}

// marshalEmbedding serializes activity with embedded as its object, the embedded document's
// @context merged into the activity's: for objects go-fed does not model whole (an author's activity
// as sent, an Event with Mobilizon's terms).
func marshalEmbedding(activity vocab.Type, embedded map[string]any) ([]byte, error) {
	doc, err := streams.Serialize(activity)
	if err != nil {
		return nil, fmt.Errorf("serialize %s: %w", activity.GetTypeName(), err)
	}
	contexts := NewContextSet(doc["@context"])
	contexts.Add(embedded["@context"])
	delete(embedded, "@context")
	doc["@context"], doc["object"] = contexts.Value(), embedded
	return json.Marshal(doc)
}

// EmbeddedID reads the id of an activity to embed.
func EmbeddedID(activityJSON []byte) (string, error) {
	var doc struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(activityJSON, &doc); err != nil || doc.ID == "" {
		return "", fmt.Errorf("the activity to announce has no id (%v)", err)
	}
	return doc.ID, nil
}

// Undo withdraws one of the group's activities, embedded so the receiver need not look it up.
func Undo(id, group string, audience Audience, undone vocab.Type, at time.Time) (vocab.Type, error) {
	return wrap(streams.NewActivityStreamsUndo(), id, group, audience, undone, at)
}

// UpdateOf tells followers' servers that one of the group's objects (its actor document) changed.
func UpdateOf(id, group string, audience Audience, updated vocab.Type, at time.Time) (vocab.Type, error) {
	return wrap(streams.NewActivityStreamsUpdate(), id, group, audience, updated, at)
}

// wrapper is an activity of the group's with one object: Announce, Undo, Update, Create, Delete.
type wrapper interface {
	vocab.Type
	addressed
	SetJSONLDId(vocab.JSONLDIdProperty)
	SetActivityStreamsActor(vocab.ActivityStreamsActorProperty)
	SetActivityStreamsObject(vocab.ActivityStreamsObjectProperty)
	SetActivityStreamsPublished(vocab.ActivityStreamsPublishedProperty)
}

func wrap(activity wrapper, id, group string, audience Audience, embedded vocab.Type, at time.Time) (vocab.Type, error) {
	object := streams.NewActivityStreamsObjectProperty()
	if err := object.AppendType(embedded); err != nil {
		return nil, fmt.Errorf("embed %s in %s: %w", embedded.GetTypeName(), activity.GetTypeName(), err)
	}
	return wrapProperty(activity, id, group, audience, object, at)
}

// wrapProperty fills in an activity of the group's: its id, actor, time, audience and object.
func wrapProperty(activity wrapper, id, group string, audience Audience, object vocab.ActivityStreamsObjectProperty, at time.Time) (vocab.Type, error) {
	idIRI, err := parseIRI(id)
	if err != nil {
		return nil, err
	}
	groupIRI, err := parseIRI(group)
	if err != nil {
		return nil, err
	}
	activity.SetJSONLDId(IDProperty(idIRI))
	activity.SetActivityStreamsActor(actorProperty(groupIRI))
	activity.SetActivityStreamsPublished(publishedProperty(at))
	if err := audience.apply(activity); err != nil {
		return nil, err
	}
	activity.SetActivityStreamsObject(object)
	return activity, nil
}

// RejectActivity tells an author the group refused their activity (a post declined in
// pre-moderation): the activity by id, the reason as content.
func RejectActivity(id, group, author, activityIRI, reason string) (vocab.Type, error) {
	reject := streams.NewActivityStreamsReject()
	if err := setCommon(reject, id, group, author); err != nil {
		return nil, err
	}
	object, err := parseIRI(activityIRI)
	if err != nil {
		return nil, err
	}
	reject.SetActivityStreamsObject(objectIRIProperty(object))
	if reason != "" {
		content := streams.NewActivityStreamsContentProperty()
		content.AppendXMLSchemaString(reason)
		reject.SetActivityStreamsContent(content)
	}
	return reject, nil
}

// Parse reads an ActivityStreams document with go-fed's streams. Some servers leave the @context out;
// the ActivityStreams one is what they mean.
func Parse(ctx context.Context, body string) (vocab.Type, error) {
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return nil, fmt.Errorf("decode activity: %w", err)
	}
	if _, ok := m["@context"]; !ok {
		m["@context"] = "https://www.w3.org/ns/activitystreams"
	}
	t, err := streams.ToType(ctx, m)
	if err != nil {
		return nil, fmt.Errorf("read activity: %w", err)
	}
	return t, nil
}
