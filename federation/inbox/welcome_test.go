package inbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/test/testenv"
)

// welcomeCreate is the part of a welcome's Create a member's server reads.
type welcomeCreate struct {
	Type     string          `json:"type"`
	Actor    string          `json:"actor"`
	To       json.RawMessage `json:"to"`
	Cc       json.RawMessage `json:"cc"`
	Audience json.RawMessage `json:"audience"`
	Object   struct {
		ID           string          `json:"id"`
		Type         string          `json:"type"`
		AttributedTo string          `json:"attributedTo"`
		To           json.RawMessage `json:"to"`
		Cc           json.RawMessage `json:"cc"`
		Content      string          `json:"content"`
		Tag          json.RawMessage `json:"tag"`
	} `json:"object"`
}

// iris reads an addressing property, one IRI or a list of them.
func iris(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		t.Fatalf("addressing %s: %v", raw, err)
	}
	return many
}

// mentions reads the Mention tags of an object, one tag or a list of them.
func mentions(t *testing.T, raw json.RawMessage) []struct{ Type, Href, Name string } {
	t.Helper()
	var tags []struct{ Type, Href, Name string }
	if json.Unmarshal(raw, &tags) != nil {
		var one struct{ Type, Href, Name string }
		if err := json.Unmarshal(raw, &one); err != nil {
			t.Fatalf("tag %s: %v", raw, err)
		}
		tags = append(tags, one)
	}
	return tags
}

// A member whose follow is accepted receives the group's welcome once, as a direct message in
// Mastodon's sense: from the group, addressed to her alone, mentioning her; the text's placeholders
// are filled in; a re-follow brings no second welcome; the welcome is logged.
func TestNewMemberIsWelcomedOnceByDirectMessage(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		k := newKring(t, st)
		if err := k.community.SetWelcome(ctx, k.open.ID, nil, true, "Hello {name}, welcome to {group} & friends.\n\nRules: {rules}"); err != nil {
			t.Fatal(err)
		}
		peer := newRemotePeer(t)
		aliceKey := peer.addUser("alice")
		alice := peer.actor("alice")
		group := k.iris.GroupActor("lobby")
		followBody := func(n int) []byte { return follow(fmt.Sprintf("%s/follows/%d", alice, n), alice, group) }

		k.post(t, "/groups/lobby/inbox", followBody(1), alice+"#main-key", aliceKey, nil)
		k.processInbound(t)
		k.deliverAll(t)
		welcomes := peer.receivedOfType("Create")
		if len(welcomes) != 1 || welcomes[0].Path != "/users/alice/inbox" {
			t.Fatalf("peer received %d welcomes: %+v", len(welcomes), welcomes)
		}
		verifyAtPeer(t, k, k.open, welcomes[0])
		var got welcomeCreate
		if err := json.Unmarshal(welcomes[0].Body, &got); err != nil {
			t.Fatal(err)
		}
		for _, addressed := range [][]string{iris(t, got.To), iris(t, got.Object.To)} {
			if len(addressed) != 1 || addressed[0] != alice {
				t.Errorf("welcome addressed to %v, want her alone", addressed)
			}
		}
		for _, unwanted := range []json.RawMessage{got.Cc, got.Audience, got.Object.Cc} {
			if len(unwanted) != 0 {
				t.Errorf("a direct message carries %s", unwanted)
			}
		}
		if strings.Contains(string(welcomes[0].Body), activities.PublicCollection) || strings.Contains(string(welcomes[0].Body), "/followers") {
			t.Errorf("the welcome reaches beyond her: %s", welcomes[0].Body)
		}
		if got.Actor != group || got.Object.AttributedTo != group || got.Object.Type != "Note" {
			t.Errorf("welcome from %s, attributed to %s, a %s", got.Actor, got.Object.AttributedTo, got.Object.Type)
		}
		tags := mentions(t, got.Object.Tag)
		if len(tags) != 1 || tags[0].Type != "Mention" || tags[0].Href != alice || !strings.HasPrefix(tags[0].Name, "@alice@") {
			t.Errorf("mentions %+v, want one of her", tags)
		}
		for _, want := range []string{`class="u-url mention"`, "Hello alice, welcome to Lobby &amp; friends.",
			`<a href="` + group + `#rules">`} {
			if !strings.Contains(got.Object.Content, want) {
				t.Errorf("welcome content lacks %q: %s", want, got.Object.Content)
			}
		}

		// She leaves and comes back: accepted again, not welcomed again.
		undo, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": alice + "/undo/1",
			"type": "Undo", "actor": alice, "object": json.RawMessage(followBody(1))})
		k.post(t, "/groups/lobby/inbox", undo, alice+"#main-key", aliceKey, nil)
		k.processInbound(t)
		k.post(t, "/groups/lobby/inbox", followBody(2), alice+"#main-key", aliceKey, nil)
		k.processInbound(t)
		k.deliverAll(t)
		if accepts := peer.receivedOfType("Accept"); len(accepts) != 2 {
			t.Fatalf("%d Accepts after a re-follow, want 2", len(accepts))
		}
		if n := len(peer.receivedOfType("Create")); n != 1 {
			t.Errorf("%d welcomes after a re-follow, want 1", n)
		}
		var logged int64
		if err := st.DB().Model(&model.ModerationAction{}).Where("action = ? AND target_id = ?", model.ActionMemberWelcome, alice).
			Count(&logged).Error; err != nil || logged != 1 {
			t.Errorf("welcome logged %d times (%v), want 1", logged, err)
		}
	})
}

// A member of a group that approves followers is welcomed when a moderator approves her, not
// before; a group with welcomes turned off sends none.
func TestWelcomeWaitsForApprovalAndCanBeTurnedOff(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	ctx := context.Background()
	k := newKring(t, st)
	peer := newRemotePeer(t)
	bobKey := peer.addUser("bob")
	bob := peer.actor("bob")

	k.post(t, "/groups/inner/inbox", follow(bob+"/follows/1", bob, k.iris.GroupActor("inner")), bob+"#main-key", bobKey, nil)
	k.processInbound(t)
	k.deliverAll(t)
	if n := len(peer.received()); n != 0 {
		t.Fatalf("a held request got %d deliveries", n)
	}
	if err := k.members.Approve(ctx, "inner", bob, nil); err != nil {
		t.Fatal(err)
	}
	k.deliverAll(t)
	if accepts, welcomes := peer.receivedOfType("Accept"), peer.receivedOfType("Create"); len(accepts) != 1 || len(welcomes) != 1 {
		t.Fatalf("after approval: %d Accepts, %d welcomes; want 1 and 1", len(accepts), len(welcomes))
	}

	if err := k.community.SetWelcome(ctx, k.open.ID, nil, false, ""); err != nil {
		t.Fatal(err)
	}
	k.post(t, "/groups/lobby/inbox", follow(bob+"/follows/2", bob, k.iris.GroupActor("lobby")), bob+"#main-key", bobKey, nil)
	k.processInbound(t)
	k.deliverAll(t)
	if accepts, welcomes := peer.receivedOfType("Accept"), peer.receivedOfType("Create"); len(accepts) != 2 || len(welcomes) != 1 {
		t.Fatalf("with welcomes off: %d Accepts, %d welcomes; want 2 and still 1", len(accepts), len(welcomes))
	}
}
