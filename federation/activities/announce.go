package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
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
// document's @context merged into the Announce's; with EmbeddedJSON and no ObjectIRI, the embedded
// document's id is the object's.
//
// The worker announces every post it accepts, twice, so this is written out directly rather than
// built with go-fed and serialized (and the embedded activity decoded whole into maps and encoded
// again): that cost 0.1 ms of CPU a post, this a third of it. The document is the
// one Build serializes to, field for field (TestAnnounceMarshalsAsGoFedSerializes); the embedded
// activity's own members are kept as the author sent them.
func (a Announce) Marshal() ([]byte, error) {
	doc := announceDocument{Context: activityStreamsContext, Type: "Announce"}
	var err error
	var object []byte
	if a.EmbeddedJSON != nil {
		embedded, embeddedID, err := readEmbedded(a.EmbeddedJSON, a.ObjectIRI)
		if err != nil {
			return nil, err
		}
		if doc.Context, err = mergedContext(embedded["@context"]); err != nil {
			return nil, err
		}
		delete(embedded, "@context")
		object = appendMembers(nil, embedded)
		if a.ObjectIRI == "" {
			a.ObjectIRI = embeddedID
		}
	}
	if doc.ID, err = absoluteIRI(a.ID); err != nil {
		return nil, err
	}
	if doc.Actor, err = absoluteIRI(a.Group); err != nil {
		return nil, err
	}
	objectIRI, err := absoluteIRI(a.ObjectIRI)
	if err != nil {
		return nil, err
	}
	if object == nil {
		if object, err = json.Marshal(objectIRI); err != nil {
			return nil, err
		}
	}
	to, cc, audience, err := a.Audience.iris()
	if err != nil {
		return nil, err
	}
	doc.To, doc.Cc, doc.Audience = to.String(), cc.String(), audience.String()
	doc.Published = a.At.UTC().Truncate(time.Second).Format(time.RFC3339)
	head, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	// The object goes in as it is: encoding it as a json.RawMessage would scan it again.
	body := append(head[:len(head)-1], `,"object":`...)
	body = append(body, object...)
	return append(body, '}'), nil
}

// announceDocument is an Announce as it goes on the wire.
type announceDocument struct {
	Context   json.RawMessage `json:"@context"`
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Actor     string          `json:"actor"`
	Published string          `json:"published"`
	To        string          `json:"to"`
	Cc        string          `json:"cc"`
	Audience  string          `json:"audience"`
	// and the object, written after them (Marshal)
}

// appendMembers appends an object of members, each as it was read (valid JSON: a parse of the
// whole document found it so), in the order of their names.
func appendMembers(body []byte, members map[string]json.RawMessage) []byte {
	body = append(body, '{')
	for i, name := range slices.Sorted(maps.Keys(members)) {
		if i > 0 {
			body = append(body, ',')
		}
		quoted, _ := json.Marshal(name) // a string always encodes
		body = append(body, quoted...)
		body = append(body, ':')
		body = append(body, members[name]...)
	}
	return append(body, '}')
}

// activityStreamsContext is the @context of an activity that uses no extension.
var activityStreamsContext = json.RawMessage(`"` + activityStreamsNamespace + `"`)

// activityStreamsNamespace is the ActivityStreams context's IRI.
const activityStreamsNamespace = "https://www.w3.org/ns/activitystreams"

// readEmbedded reads the members of an activity to embed, each as sent, and its id, which must be
// wantID when that is set.
func readEmbedded(activityJSON []byte, wantID string) (members map[string]json.RawMessage, id string, err error) {
	if err := json.Unmarshal(activityJSON, &members); err != nil {
		return nil, "", fmt.Errorf("read the announced activity: %w", err)
	}
	if err := json.Unmarshal(members["id"], &id); err != nil || id == "" {
		return nil, "", fmt.Errorf("the activity to announce has no id (%v)", err)
	}
	if wantID != "" && id != wantID {
		return nil, "", fmt.Errorf("announce of %s embeds %s", wantID, id)
	}
	return members, id, nil
}

// mergedContext is the ActivityStreams context with the entries of an embedded document's
// @context (raw, possibly absent) added, each once.
func mergedContext(raw json.RawMessage) (json.RawMessage, error) {
	if raw == nil {
		return activityStreamsContext, nil
	}
	var embedded any
	if err := json.Unmarshal(raw, &embedded); err != nil {
		return nil, fmt.Errorf("read the announced activity's @context: %w", err)
	}
	contexts := NewContextSet(activityStreamsNamespace)
	contexts.Add(embedded)
	return json.Marshal(contexts.Value())
}

// absoluteIRI is raw as go-fed writes an IRI it was given: parsed and printed again.
func absoluteIRI(raw string) (string, error) {
	u, err := parseIRI(raw)
	if err != nil {
		return "", err
	}
	return u.String(), nil
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
		m["@context"] = activityStreamsNamespace
	}
	t, err := streams.ToType(ctx, m)
	if err != nil {
		return nil, fmt.Errorf("read activity: %w", err)
	}
	return t, nil
}
