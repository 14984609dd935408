package activities

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/activity/streams"

	"github.com/kring-social/kring/app/model"
)

// goFedAnnounce is the Announce as go-fed serializes it (Build), with the embedded activity decoded
// and its @context merged into the Announce's: what Marshal wrote before it wrote the document
// itself, and what it must still mean.
func goFedAnnounce(t *testing.T, a Announce) map[string]any {
	t.Helper()
	built, err := a.Build()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := streams.Serialize(built)
	if err != nil {
		t.Fatal(err)
	}
	if a.EmbeddedJSON != nil {
		var embedded map[string]any
		if err := json.Unmarshal(a.EmbeddedJSON, &embedded); err != nil {
			t.Fatal(err)
		}
		contexts := NewContextSet(doc["@context"])
		contexts.Add(embedded["@context"])
		delete(embedded, "@context")
		doc["@context"], doc["object"] = contexts.Value(), embedded
	}
	// Through JSON, so both sides hold the same kinds of values.
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return decoded(t, body)
}

func decoded(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return doc
}

func TestAnnounceMarshalsAsGoFedSerializes(t *testing.T) {
	t.Parallel()
	group := "https://kring.example/groups/lobby"
	at := time.Date(2026, 12, 7, 21, 4, 5, 678, time.FixedZone("CET", 3600))
	withContext := func(context any) []byte {
		doc := map[string]any{"id": "https://remote.example/users/alice/activities/1", "type": "Create",
			"actor": "https://remote.example/users/alice", "object": map[string]any{"type": "Note", "content": "<p>x</p>",
				"contentMap": map[string]any{"en": "<p>x</p>"}, "sensitive": true, "tag": []any{map[string]any{"type": "Hashtag", "name": "#a"}}}}
		if context != nil {
			doc["@context"] = context
		}
		body, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return body
	}
	contexts := map[string]any{
		"none":                         nil,
		"ActivityStreams":              "https://www.w3.org/ns/activitystreams",
		"ActivityStreams and a term":   []any{"https://www.w3.org/ns/activitystreams", map[string]any{"sensitive": "as:sensitive"}},
		"another context first":        []any{"https://w3id.org/security/v1", "https://www.w3.org/ns/activitystreams"},
		"an object":                    map[string]any{"toot": "http://joinmastodon.org/ns#"},
		"ActivityStreams twice in one": []any{"https://www.w3.org/ns/activitystreams", "https://www.w3.org/ns/activitystreams"},
	}
	for _, visibility := range []model.Visibility{model.VisibilityPublic, model.VisibilityUnlisted} {
		audience := Audience{Visibility: visibility, Followers: group + "/followers", Group: group}
		announces := map[string]Announce{"object by id": {ID: "https://kring.example/activities/1", Group: group,
			Audience: audience, ObjectIRI: "https://remote.example/users/alice/notes/1?x=%20y", At: at}}
		for name, context := range contexts {
			announces["activity with @context "+name] = Announce{ID: "https://kring.example/activities/2", Group: group,
				Audience: audience, ObjectIRI: "https://remote.example/users/alice/activities/1", EmbeddedJSON: withContext(context), At: at}
		}
		indented, err := json.MarshalIndent(decoded(t, withContext(contexts["ActivityStreams and a term"])), "", "\t")
		if err != nil {
			t.Fatal(err)
		}
		announces["activity sent indented, with a name to escape"] = Announce{ID: "https://kring.example/activities/3", Group: group,
			Audience: audience, ObjectIRI: "https://remote.example/users/alice/activities/1", EmbeddedJSON: append(indented[:len(indented)-1], []byte(`, "na\"me<\u00e9>": "\u2028"}`)...), At: at}
		for name, a := range announces {
			body, err := a.Marshal()
			if err != nil {
				t.Fatalf("%s, %s: %v", visibility, name, err)
			}
			if got, want := decoded(t, body), goFedAnnounce(t, a); !reflect.DeepEqual(got, want) {
				t.Errorf("%s, %s:\n got %v\nwant %v", visibility, name, got, want)
			}
			if a.EmbeddedJSON != nil {
				a.ObjectIRI = ""
				body, err := a.Marshal()
				if err != nil {
					t.Fatalf("%s, %s, no ObjectIRI: %v", visibility, name, err)
				}
				if object := decoded(t, body)["object"].(map[string]any); object["id"] != "https://remote.example/users/alice/activities/1" {
					t.Errorf("%s, %s, no ObjectIRI: embeds %v", visibility, name, object["id"])
				}
			}
		}
	}
}

func TestAnnounceRefusesWhatItCannotEmbed(t *testing.T) {
	t.Parallel()
	group := "https://kring.example/groups/lobby"
	audience := Audience{Visibility: model.VisibilityPublic, Followers: group + "/followers", Group: group}
	for name, tc := range map[string]struct {
		objectIRI, embedded, want string
	}{
		"another id":         {"https://remote.example/a/1", `{"id":"https://remote.example/a/2","type":"Create"}`, "embeds"},
		"no id":              {"", `{"type":"Create"}`, "no id"},
		"an id not a string": {"", `{"id":["https://remote.example/a/1"],"type":"Create"}`, "no id"},
		"not an object":      {"", `["https://remote.example/a/1"]`, "read the announced activity"},
		"not JSON":           {"", `{"id":`, "read the announced activity"},
		"a relative id":      {"", `{"id":"/a/1","type":"Create"}`, "absolute IRI"},
		"a bad @context":     {"", `{"@context":[1,{"a":"b"}],"id":"https://remote.example/a/1"}`, ""},
	} {
		a := Announce{ID: "https://kring.example/activities/1", Group: group, Audience: audience,
			ObjectIRI: tc.objectIRI, EmbeddedJSON: []byte(tc.embedded), At: time.Now()}
		_, err := a.Marshal()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one saying %q", name, err, tc.want)
		}
	}
}
