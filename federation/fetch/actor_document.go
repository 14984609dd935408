package fetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// actorDocument is what Kring keeps of a remote actor's document. It is read with encoding/json
// rather than go-fed's streams: the fields are few, and peers vary in shapes streams is strict about
// (single values or arrays, objects or links).
type actorDocument struct {
	ID                string
	Type              string
	PreferredUsername string
	Name              string
	Summary           string
	Inbox             string
	SharedInbox       string
	Outbox            string
	Followers         string
	URL               string
	Icon              string
	PublicKeyID       string
	PublicKeyOwner    string
	PublicKeyPEM      string
}

// actorTypes are the actor types Kring talks to.
var actorTypes = map[string]bool{"Person": true, "Service": true, "Application": true, "Group": true, "Organization": true}

// Bounds on the texts kept of a remote actor (GHSA-gg8q-rcg7-p79g).
const (
	maxNameLength    = 1000
	maxSummaryLength = 20000
	maxPEMLength     = 8192
)

func parseActorDocument(body []byte) (actorDocument, error) {
	var raw struct {
		ID                string          `json:"id"`
		Type              json.RawMessage `json:"type"`
		PreferredUsername string          `json:"preferredUsername"`
		Name              string          `json:"name"`
		Summary           string          `json:"summary"`
		Inbox             string          `json:"inbox"`
		Outbox            string          `json:"outbox"`
		Followers         string          `json:"followers"`
		URL               json.RawMessage `json:"url"`
		Icon              json.RawMessage `json:"icon"`
		Endpoints         struct {
			SharedInbox string `json:"sharedInbox"`
		} `json:"endpoints"`
		PublicKey json.RawMessage `json:"publicKey"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return actorDocument{}, fmt.Errorf("decode actor: %w", err)
	}
	doc := actorDocument{ID: raw.ID, PreferredUsername: raw.PreferredUsername, Inbox: raw.Inbox,
		SharedInbox: raw.Endpoints.SharedInbox, Outbox: raw.Outbox, Followers: raw.Followers,
		Name: clip(raw.Name, maxNameLength), Summary: clip(raw.Summary, maxSummaryLength),
		URL: firstLink(raw.URL), Icon: firstLink(raw.Icon)}
	doc.Type = firstActorType(raw.Type)
	if doc.Type == "" {
		return actorDocument{}, errors.New("not an actor: no Person, Service, Application, Group or Organization type")
	}
	if !isHTTPURL(doc.ID) || !isHTTPURL(doc.Inbox) {
		return actorDocument{}, errors.New("actor id and inbox must be http(s) URLs")
	}
	if doc.SharedInbox != "" && !isHTTPURL(doc.SharedInbox) {
		doc.SharedInbox = "" // a broken shared inbox is no reason to refuse the actor: use its inbox
	}
	key, err := readPublicKey(raw.PublicKey)
	if err != nil {
		return actorDocument{}, err
	}
	doc.PublicKeyID, doc.PublicKeyOwner, doc.PublicKeyPEM = key.ID, key.Owner, key.PublicKeyPem
	return doc, nil
}

type publicKeyJSON struct {
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	PublicKeyPem string `json:"publicKeyPem"`
}

// readPublicKey reads publicKey, an object or an array of objects (the first one is used).
func readPublicKey(raw json.RawMessage) (publicKeyJSON, error) {
	var key publicKeyJSON
	if json.Unmarshal(raw, &key) != nil || key.ID == "" {
		var keys []publicKeyJSON
		if json.Unmarshal(raw, &keys) != nil || len(keys) == 0 {
			return publicKeyJSON{}, errors.New("actor has no publicKey")
		}
		key = keys[0]
	}
	if key.ID == "" || key.PublicKeyPem == "" || len(key.PublicKeyPem) > maxPEMLength {
		return publicKeyJSON{}, errors.New("actor's publicKey needs an id and a PEM")
	}
	return key, nil
}

func firstActorType(raw json.RawMessage) string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if actorTypes[one] {
			return one
		}
		return ""
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	for _, t := range many {
		if actorTypes[t] {
			return t
		}
	}
	return ""
}

// firstLink reads a url or icon property: a string, an object with url or href, or an array of them.
func firstLink(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return httpURLOrEmpty(s)
	}
	var object struct {
		URL  json.RawMessage `json:"url"`
		Href string          `json:"href"`
	}
	if json.Unmarshal(raw, &object) == nil {
		if object.Href != "" {
			return httpURLOrEmpty(object.Href)
		}
		if len(object.URL) > 0 {
			return firstLink(object.URL)
		}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return firstLink(list[0])
	}
	return ""
}

func httpURLOrEmpty(s string) string {
	if isHTTPURL(s) {
		return s
	}
	return ""
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "")
}

// documentID reads a document's top-level id.
func documentID(body []byte) (string, error) {
	var doc struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", err
	}
	return doc.ID, nil
}

// sameOrigin reports whether two URLs share scheme, host and port.
func sameOrigin(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host)
}

// HostOf is a URL's host name as domain blocks and circuit breakers name hosts: lowercase, without
// port or trailing dot; empty when raw is not a URL.
func HostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}
