package scale

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/federation/signing"
)

// Member is an actor of another server that posts to the cluster's groups.
type Member struct {
	IRI string
	key *rsa.PrivateKey
}

// Post sends the member's public Create{Note} number n to the group's inbox at the public URL,
// signed as the member's server signs it, and returns the answer's status and the Note's id.
func (m *Member) Post(t testing.TB, c *Cluster, slug string, n int) (status int, noteIRI string) {
	t.Helper()
	noteIRI = m.NoteIRI(slug, n)
	published := time.Now().UTC().Format(time.RFC3339)
	to, cc := []string{activities.PublicCollection}, []string{c.Group(slug), m.IRI + "/followers"}
	body, err := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"id": noteIRI + "/activity", "type": "Create", "actor": m.IRI, "published": published, "to": to, "cc": cc,
		"object": map[string]any{"id": noteIRI, "type": "Note", "attributedTo": m.IRI, "published": published,
			"to": to, "cc": cc, "content": fmt.Sprintf("<p>Post %d for %s.</p>", n, slug)}})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.Inbox(slug), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if err := (signing.Signer{KeyID: m.IRI + "#main-key", Key: m.key}).Sign(req, body); err != nil {
		t.Fatal(err)
	}
	resp, err := postClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", req.URL, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, noteIRI
}

var postClient = &http.Client{Timeout: 30 * time.Second}

// NoteIRI is the id of the member's Note number n to the group.
func (m *Member) NoteIRI(slug string, n int) string {
	return fmt.Sprintf("%s/statuses/%s-%d", m.IRI, slug, n)
}

// Key is the member's signing key, for a benchmark's signing limit.
func (m *Member) Key() *rsa.PrivateKey { return m.key }
