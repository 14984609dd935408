package activities

import (
	"encoding/json"
	"github.com/go-fed/activity/streams/vocab"
	"testing"
)

func TestFollowAnswersEmbedTheFollow(t *testing.T) {
	t.Parallel()
	follow := FollowRef{ID: "https://a.example/follows/1", Actor: "https://a.example/users/alice", Object: "https://k.example/groups/lobby"}
	for name, build := range map[string]func(string, string, FollowRef) (any, error){
		"Accept": func(id, g string, f FollowRef) (any, error) { return Accept(id, g, f) },
		"Reject": func(id, g string, f FollowRef) (any, error) { return Reject(id, g, f) },
	} {
		t.Run(name, func(t *testing.T) {
			built, err := build("https://k.example/activities/1", "https://k.example/groups/lobby", follow)
			if err != nil {
				t.Fatal(err)
			}
			answer, _ := built.(interface{ GetTypeName() string })
			if answer == nil || answer.GetTypeName() != name {
				t.Fatalf("built %T", built)
			}
			body, err := Marshal(built.(vocab.Type))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Context any    `json:"@context"`
				ID      string `json:"id"`
				Type    string `json:"type"`
				Actor   string `json:"actor"`
				To      any    `json:"to"`
				Object  struct {
					ID, Type, Actor, Object string
				} `json:"object"`
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			if doc.Context != "https://www.w3.org/ns/activitystreams" || doc.ID != "https://k.example/activities/1" ||
				doc.Type != name || doc.Actor != "https://k.example/groups/lobby" || doc.To != follow.Actor {
				t.Errorf("envelope wrong: %s", body)
			}
			if doc.Object.Type != "Follow" || doc.Object.ID != follow.ID || doc.Object.Actor != follow.Actor || doc.Object.Object != follow.Object {
				t.Errorf("embedded Follow wrong: %s", body)
			}
		})
	}
	if _, err := Accept("not an iri", "https://k.example/groups/lobby", follow); err == nil {
		t.Error("a relative id must be refused")
	}
}
