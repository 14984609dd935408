package inbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/kring-social/kring/federation/jsonguard"
)

// envelope is what the inbox reads of an activity before storing it: enough to route and to check
// origins. It reads keys exactly as go-fed's streams (which the worker parses with) and JSON-LD do:
// case-sensitively, and only the plain names. encoding/json's struct decoding would match "Actor"
// or "ACTOR" too, and show the signer check another actor than the worker sees; jsonguard's checks,
// which readEnvelope runs first, refuse bodies with such keys or with repeated keys.
type envelope struct {
	ID    string
	Type  string
	Actor string
	// Object is the id of the activity's object when it has exactly one ('' otherwise), and
	// ObjectAuthors every attributedTo of that object when it is embedded.
	Object        string
	ObjectAuthors []string
	// embedded are the members read of an embedded object (envelopeMembers' Nested, or every member
	// of one given as the only element of an array); nil when the object is not embedded.
	embedded map[string]json.RawMessage
}

// Per-field limits: ids and types longer than this are not real (GHSA-gg8q-rcg7-p79g), nor objects
// written by more than maxAuthors actors.
const (
	maxIRILength  = 2048
	maxTypeLength = 64
	maxAuthors    = 16
)

// activityStreamsNamespaces are the spellings of the ActivityStreams namespace go-fed recognises in
// an @context.
var activityStreamsNamespaces = [...]string{"https://www.w3.org/ns/activitystreams", "http://www.w3.org/ns/activitystreams"}

// envelopeMembers are the members readEnvelope reads: the activity's own, and its embedded
// object's id and authors, and what says whether it is a direct message (directMessageGroups).
var envelopeMembers = jsonguard.MemberNames{Top: []string{"@context", "id", "type", "actor", "object"},
	NestedIn: "object", Nested: []string{"id", "attributedTo", "type", "name", "to", "cc", "audience", "tag"}}

// readEnvelope checks body with jsonguard and reads its envelope from the members the check kept on
// its way: the body, an embedded object's content with it, is scanned once, where decoding it with
// encoding/json scanned it four times (14 % of the serve's CPU in the direct-message round of the
// production benchmark).
func readEnvelope(body []byte) (envelope, error) {
	members, err := jsonguard.CheckObjectMembers(body, jsonguard.DefaultMaxDepth, envelopeMembers)
	if err != nil {
		return envelope{}, err
	}
	top := members.Top
	if err := checkContext(top["@context"]); err != nil {
		return envelope{}, err
	}
	var env envelope
	if env.ID, err = stringField(top["id"], "id"); err != nil {
		return envelope{}, err
	}
	if env.Type, err = stringField(top["type"], "type"); err != nil {
		return envelope{}, err
	}
	if env.Actor, err = referenceField(top["actor"], "actor"); err != nil {
		return envelope{}, err
	}
	if raw, ok := top["object"]; ok {
		// Optional here: the worker decides whether an activity without a usable object means anything.
		object := members.Nested
		if len(raw) == 0 || raw[0] != '{' {
			// Given by id, or an array (of one embedded object, some servers send): decoded here.
			env.Object, _ = referenceField(raw, "object")
			if object, err = embeddedObject(raw); err != nil {
				return envelope{}, err
			}
		} else if id, ok := stringValue(object["id"]); ok {
			env.Object = id
		}
		if object != nil {
			env.embedded = object
			if err := checkEmbeddedID(object["id"]); err != nil {
				return envelope{}, err
			}
			if env.ObjectAuthors, err = authors(object["attributedTo"]); err != nil {
				return envelope{}, err
			}
		}
	}
	if len(env.Type) > maxTypeLength {
		return envelope{}, errors.New("type too long")
	}
	for name, iri := range map[string]string{"id": env.ID, "actor": env.Actor} {
		if err := checkIRI(iri); err != nil {
			return envelope{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	return env, nil
}

// checkContext refuses an @context that gives the ActivityStreams namespace a prefix: go-fed would
// then read "x:actor" where this envelope reads "actor". (go-fed takes the prefix from an object of
// the @context, or of an array of them, whose key is the namespace and whose value is a string.)
// No server writes such a context.
func checkContext(raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	var context any
	if err := json.Unmarshal(raw, &context); err != nil {
		return fmt.Errorf("decode @context: %w", err)
	}
	if renamesActivityStreams(context) {
		return errors.New("the @context renames the ActivityStreams vocabulary")
	}
	return nil
}

func renamesActivityStreams(context any) bool {
	switch c := context.(type) {
	case []any:
		for _, inner := range c {
			if renamesActivityStreams(inner) {
				return true
			}
		}
	case map[string]any:
		for _, namespace := range activityStreamsNamespaces {
			if prefix, ok := c[namespace].(string); ok && prefix != "" {
				return true
			}
		}
	}
	return false
}

func stringField(raw json.RawMessage, name string) (string, error) {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil || s == "" {
		return "", fmt.Errorf("%s must be a non-empty string", name)
	}
	return s, nil
}

// referenceField reads a property that holds an IRI or an object with an id; a single-element array
// of either is accepted too, since some servers send arrays for every property.
func referenceField(raw json.RawMessage, name string) (string, error) {
	value := bytes.TrimSpace(raw)
	if len(value) > 0 && value[0] == '[' {
		var list []json.RawMessage
		if json.Unmarshal(value, &list) == nil && len(list) == 1 {
			value = bytes.TrimSpace(list[0])
		}
	}
	if iri, ok := reference(value); ok {
		return iri, nil
	}
	return "", fmt.Errorf("%s must be an IRI or an object with an id", name)
}

// reference reads one value that names something: an IRI, or an object with an id.
func reference(value json.RawMessage) (string, bool) {
	if len(value) == 0 {
		return "", false
	}
	switch value[0] {
	case '"':
		var iri string
		if json.Unmarshal(value, &iri) == nil && iri != "" {
			return iri, true
		}
	case '{':
		var object map[string]json.RawMessage
		if json.Unmarshal(value, &object) == nil {
			return stringValue(object["id"])
		}
	}
	return "", false
}

// stringValue reads a non-empty JSON string.
func stringValue(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return s, true
	}
	return "", false
}

// embeddedObject returns the activity's object when it is embedded, alone or as the only element
// of an array; nil when it is given by id or is no single object.
func embeddedObject(raw json.RawMessage) (map[string]json.RawMessage, error) {
	value := bytes.TrimSpace(raw)
	if len(value) > 0 && value[0] == '[' {
		var list []json.RawMessage
		if json.Unmarshal(value, &list) != nil || len(list) != 1 {
			return nil, nil
		}
		value = bytes.TrimSpace(list[0])
	}
	if len(value) == 0 || value[0] != '{' {
		return nil, nil
	}
	var object map[string]json.RawMessage
	if err := json.Unmarshal(value, &object); err != nil {
		return nil, fmt.Errorf("decode object: %w", err)
	}
	return object, nil
}

// checkEmbeddedID refuses an embedded object whose id go-fed cannot read as a URI (it needs a string
// that parses with a scheme): the worker would find an id it cannot use where it expects one, such
// as an undone Like's. An object without an id is left to the worker.
func checkEmbeddedID(raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var id string
	if json.Unmarshal(raw, &id) == nil {
		if u, err := url.Parse(id); err == nil && u.Scheme != "" && len(id) <= maxIRILength {
			return nil
		}
	}
	return errors.New("the object's id must be an IRI")
}

// authors reads an embedded object's attributedTo: each value must be an IRI or an object with an
// id, and there may be at most maxAuthors.
func authors(raw json.RawMessage) ([]string, error) {
	attributedTo := bytes.TrimSpace(raw)
	if len(attributedTo) == 0 || string(attributedTo) == "null" {
		return nil, nil
	}
	values := []json.RawMessage{attributedTo}
	if attributedTo[0] == '[' {
		values = nil
		if err := json.Unmarshal(attributedTo, &values); err != nil {
			return nil, fmt.Errorf("decode attributedTo: %w", err)
		}
		if len(values) > maxAuthors {
			return nil, fmt.Errorf("attributedTo has more than %d values", maxAuthors)
		}
	}
	out := make([]string, 0, len(values))
	for _, v := range values {
		author, ok := reference(bytes.TrimSpace(v))
		if !ok {
			return nil, errors.New("attributedTo must hold IRIs or objects with ids")
		}
		out = append(out, author)
	}
	return out, nil
}

func checkIRI(iri string) error {
	if len(iri) > maxIRILength {
		return errors.New("IRI too long")
	}
	u, err := url.Parse(iri)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return fmt.Errorf("%q is not an absolute http(s) IRI", iri)
	}
	return nil
}

// origin is scheme://host[:port], lowercased, with a trailing dot on the host dropped: two IRIs
// with the same origin belong to the same server.
func origin(iri string) string {
	u, err := url.Parse(iri)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimSuffix(host, ".")
	if port := u.Port(); port != "" {
		host += ":" + port
	}
	return strings.ToLower(u.Scheme) + "://" + host
}
