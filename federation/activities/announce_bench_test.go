package activities

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// createOfNote is a member's Create of a 2 KiB public Note, as the production benchmark's senders
// make it.
func createOfNote(tb testing.TB) []byte {
	tb.Helper()
	author := "https://remote.example/users/alice"
	to, cc := []string{PublicCollection}, []string{"https://kring.example/groups/lobby", author + "/followers"}
	note := map[string]any{"id": author + "/notes/1", "type": "Note", "attributedTo": author, "to": to, "cc": cc,
		"content": "<p>" + strings.Repeat("lorem ipsum ", 150) + "</p>", "published": "2026-12-07T20:00:00Z",
		"contentMap": map[string]any{"en": "<p>hello</p>"}}
	body, err := json.Marshal(map[string]any{"@context": []any{"https://www.w3.org/ns/activitystreams",
		map[string]any{"sensitive": "as:sensitive"}}, "id": author + "/activities/1", "type": "Create",
		"actor": author, "to": to, "cc": cc, "object": note})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// BenchmarkAnnouncePost builds a member's post's two Announces, as the worker does for every post
// it accepts (followers or not): the object's, and the FEP-1b12 one embedding the author's Create.
func BenchmarkAnnouncePost(b *testing.B) {
	create := createOfNote(b)
	group := "https://kring.example/groups/lobby"
	audience := Audience{Visibility: "public", Followers: group + "/followers", Group: group}
	at := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		objectAnnounce := Announce{ID: "https://kring.example/activities/1", Group: group, Audience: audience,
			ObjectIRI: "https://remote.example/users/alice/notes/1", At: at}
		if _, err := objectAnnounce.Marshal(); err != nil {
			b.Fatal(err)
		}
		activityAnnounce := Announce{ID: "https://kring.example/activities/2", Group: group, Audience: audience,
			EmbeddedJSON: create, At: at}
		if _, err := activityAnnounce.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}
