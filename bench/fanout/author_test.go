package fanout

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/federation/signing"
)

const publicCollection = "https://www.w3.org/ns/activitystreams#Public"

// authorServer is the group member's own server on loopback, shaped like Mastodon: it serves the
// member's actor document (RSA-2048 key) and NodeInfo, and hands what arrives at the member's inbox
// to the sink, so the group's Announce back to the author's server is timed like every other.
type authorServer struct {
	server   *httptest.Server
	key      *rsa.PrivateKey
	actor    string
	inboxes  http.Handler
	accepted chan struct{} // closed when the group's Accept of the member's Follow arrives
	once     sync.Once
}

func newAuthorServer(b *testing.B, inboxes http.Handler) *authorServer {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	a := &authorServer{key: key, inboxes: inboxes, accepted: make(chan struct{})}
	a.server = httptest.NewServer(http.HandlerFunc(a.serve))
	b.Cleanup(a.server.Close)
	a.actor = a.server.URL + "/users/ana"
	return a
}

func (a *authorServer) serve(w http.ResponseWriter, r *http.Request) {
	origin := a.server.URL
	switch {
	case r.Method == http.MethodPost:
		var activity struct {
			Type string `json:"type"`
		}
		body := new(bytes.Buffer)
		_, _ = body.ReadFrom(r.Body)
		if json.Unmarshal(body.Bytes(), &activity) == nil && activity.Type == "Accept" {
			a.once.Do(func() { close(a.accepted) })
		}
		r.Body = readCloser{body}
		a.inboxes.ServeHTTP(w, r)
	case r.URL.Path == "/users/ana":
		der, _ := x509.MarshalPKIXPublicKey(&a.key.PublicKey)
		writeJSON(w, "application/activity+json", map[string]any{
			"@context": []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"id":       a.actor, "type": "Person", "preferredUsername": "ana", "name": "Ana",
			"inbox": a.actor + "/inbox", "outbox": a.actor + "/outbox", "followers": a.actor + "/followers",
			"endpoints": map[string]any{"sharedInbox": origin + "/inbox"},
			"publicKey": map[string]any{"id": a.actor + "#main-key", "owner": a.actor,
				"publicKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))},
		})
	case r.URL.Path == "/.well-known/nodeinfo":
		writeJSON(w, "application/json", map[string]any{"links": []any{map[string]any{
			"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": origin + "/nodeinfo/2.0"}}})
	case r.URL.Path == "/nodeinfo/2.0":
		writeJSON(w, "application/json", map[string]any{"version": "2.0", "software": map[string]any{"name": "mastodon", "version": "4.3.0"}})
	default:
		http.NotFound(w, r)
	}
}

type readCloser struct{ *bytes.Buffer }

func (readCloser) Close() error { return nil }

func writeJSON(w http.ResponseWriter, contentType string, doc any) {
	w.Header().Set("Content-Type", contentType)
	_ = json.NewEncoder(w).Encode(doc)
}

// follow is the member's Follow of group.
func (a *authorServer) follow(group string) []byte {
	body, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"id": a.actor + "#follows/lobby", "type": "Follow", "actor": a.actor, "object": group})
	return body
}

// create is the member's public Create{Note} number n, to the group and mentioning it, as Mastodon
// sends a post that names a group; it returns the Note's id too.
func (a *authorServer) create(n int, group string) (body []byte, noteIRI string) {
	noteIRI = fmt.Sprintf("%s/statuses/%d", a.actor, n)
	published := time.Now().UTC().Format(time.RFC3339)
	to := []string{publicCollection, group}
	cc := []string{a.actor + "/followers"}
	body, _ = json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"id": noteIRI + "/activity", "type": "Create", "actor": a.actor, "published": published, "to": to, "cc": cc,
		"object": map[string]any{"id": noteIRI, "type": "Note", "attributedTo": a.actor, "published": published,
			"to": to, "cc": cc, "content": fmt.Sprintf("<p>Post %d for the lobby, to every member.</p>", n),
			"tag": []any{map[string]any{"type": "Mention", "href": group, "name": "@lobby"}}}})
	return body, noteIRI
}

// signedPost is a POST of body to url, signed with the member's key as their server would sign it.
func (a *authorServer) signedPost(b *testing.B, url string, body []byte) *http.Request {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if err := (signing.Signer{KeyID: a.actor + "#main-key", Key: a.key}).Sign(req, body); err != nil {
		b.Fatal(err)
	}
	return req
}
