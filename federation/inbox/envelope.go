package inbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// envelope is what the inbox reads of an activity before storing it: enough to route and to check
// origins, decoded with encoding/json alone. The worker parses the whole activity later.
type envelope struct {
	ID    string
	Type  string
	Actor string
	// Object is the id of the activity's object when it has exactly one ('' otherwise), and
	// ObjectAuthor its attributedTo when the object is embedded with exactly one.
	Object       string
	ObjectAuthor string
}

// Per-field limits: ids and types longer than this are not real (GHSA-gg8q-rcg7-p79g).
const (
	maxIRILength  = 2048
	maxTypeLength = 64
)

func readEnvelope(body []byte) (envelope, error) {
	var raw struct {
		ID     json.RawMessage `json:"id"`
		Type   json.RawMessage `json:"type"`
		Actor  json.RawMessage `json:"actor"`
		Object json.RawMessage `json:"object"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return envelope{}, fmt.Errorf("decode activity: %w", err)
	}
	var env envelope
	var err error
	if env.ID, err = stringField(raw.ID, "id"); err != nil {
		return envelope{}, err
	}
	if env.Type, err = stringField(raw.Type, "type"); err != nil {
		return envelope{}, err
	}
	if env.Actor, err = referenceField(raw.Actor, "actor"); err != nil {
		return envelope{}, err
	}
	if len(raw.Object) > 0 {
		// Optional here: the worker decides whether an activity without a usable object means anything.
		env.Object, _ = referenceField(raw.Object, "object")
		var embedded struct {
			AttributedTo json.RawMessage `json:"attributedTo"`
		}
		if json.Unmarshal(raw.Object, &embedded) == nil && len(embedded.AttributedTo) > 0 {
			env.ObjectAuthor, _ = referenceField(embedded.AttributedTo, "attributedTo")
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
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return one, nil
	}
	var object struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &object) == nil && object.ID != "" {
		return object.ID, nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil && len(list) == 1 {
		return referenceField(list[0], name)
	}
	return "", fmt.Errorf("%s must be an IRI or an object with an id", name)
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
