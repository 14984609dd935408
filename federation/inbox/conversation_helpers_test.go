package inbox_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/activities"
)

// member is a user of a remote peer who follows a group.
type member struct {
	peer *remotePeer
	name string
	key  *rsa.PrivateKey
}

func (m member) actor() string { return m.peer.actor(m.name) }
func (m member) keyID() string { return m.actor() + "#main-key" }

// join makes name on peer a follower of group, answered and delivered.
func (k *kringUnderTest) join(t *testing.T, peer *remotePeer, name string, group model.Group) member {
	t.Helper()
	m := member{peer: peer, name: name, key: peer.addUser(name)}
	body := follow(m.actor()+"/follows/"+group.Slug, m.actor(), k.iris.GroupActor(group.Slug))
	if status := k.post(t, "/groups/"+group.Slug+"/inbox", body, m.keyID(), m.key, nil); status != 202 {
		t.Fatalf("follow: %d", status)
	}
	k.processInbound(t)
	k.deliverAll(t)
	return m
}

// send posts an activity of m's to a group's inbox, signed by m, and processes it.
func (k *kringUnderTest) send(t *testing.T, m member, group model.Group, activity map[string]any) int {
	t.Helper()
	body, err := json.Marshal(activity)
	if err != nil {
		t.Fatal(err)
	}
	status := k.post(t, "/groups/"+group.Slug+"/inbox", body, m.keyID(), m.key, nil)
	k.processInbound(t)
	k.deliverAll(t)
	return status
}

// noteOf is a public Note by m, posted into group by a Create, with an id numbered n.
func (k *kringUnderTest) noteOf(m member, group model.Group, n int) (create map[string]any, note map[string]any) {
	groupIRI := k.iris.GroupActor(group.Slug)
	noteID := fmt.Sprintf("%s/statuses/%d", m.actor(), n)
	note = map[string]any{"id": noteID, "type": "Note", "attributedTo": m.actor(),
		"content": fmt.Sprintf("<p>Hello group, post %d <script>alert(1)</script></p>", n),
		"to":      []any{activities.PublicCollection}, "cc": []any{groupIRI, m.actor() + "/followers"},
		"tag":       []any{map[string]any{"type": "Mention", "href": groupIRI, "name": "@" + group.Slug}},
		"published": "2026-12-01T10:00:00Z", "sensitive": false,
		"contentMap": map[string]any{"en": fmt.Sprintf("<p>Hello group, post %d</p>", n)}}
	create = map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": noteID + "/activity", "type": "Create",
		"actor": m.actor(), "to": note["to"], "cc": note["cc"], "object": note}
	return create, note
}

// activityOf wraps object in an activity of kind by m.
func activityOf(m member, kind, id string, object any) map[string]any {
	return map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": m.actor() + "/" + id, "type": kind,
		"actor": m.actor(), "to": []any{activities.PublicCollection}, "object": object}
}

// delivered is an activity a peer received, decoded.
type delivered struct {
	Type   string          `json:"type"`
	Actor  string          `json:"actor"`
	To     json.RawMessage `json:"to"` // one IRI or a list: go-fed writes a single value bare
	Object json.RawMessage `json:"object"`
}

// to lists the IRIs of the delivered activity's to.
func (d delivered) to() []string {
	var one string
	if json.Unmarshal(d.To, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(d.To, &many)
	return many
}

// objectID is the id of the delivered activity's object, whether embedded or a bare IRI.
func (d delivered) objectID() string {
	var iri string
	if json.Unmarshal(d.Object, &iri) == nil {
		return iri
	}
	var embedded struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(d.Object, &embedded)
	return embedded.ID
}

// objectType is the type of the embedded object, or "" for a bare IRI.
func (d delivered) objectType() string {
	var embedded struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(d.Object, &embedded)
	return embedded.Type
}

// receivedBy decodes what the peer's user name received, in order.
func receivedBy(t *testing.T, peer *remotePeer, name string) []delivered {
	t.Helper()
	var out []delivered
	for _, p := range peer.received() {
		if p.Path != "/users/"+name+"/inbox" {
			continue
		}
		var d delivered
		if err := json.Unmarshal(p.Body, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// ofType keeps the deliveries of one type.
func ofType(all []delivered, kind string) []delivered {
	var out []delivered
	for _, d := range all {
		if d.Type == kind {
			out = append(out, d)
		}
	}
	return out
}

// postsOf lists every post of a group.
func postsOf(t *testing.T, st *store.Store, group model.Group) []model.Post {
	t.Helper()
	posts, err := st.ListPosts(context.Background(), store.PostFilter{GroupID: group.ID})
	if err != nil {
		t.Fatal(err)
	}
	return posts
}
