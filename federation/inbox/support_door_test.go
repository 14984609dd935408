package inbox_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/federation/inbox"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

// Once the worker finds a member over a group's hourly support limit, the inbox acknowledges her
// further direct messages to that group without storing them (the worker would refuse each), at the
// group's inbox and at the shared one, and counts them against no quota. Everything that is not
// surely such a message is stored for the worker as before: her public post to the group, her
// message to that group and another, a poll vote's shape, addressing in a shape the door does not
// read, Public spelled the way the worker does not know, a message mentioning another group, and
// another member's message.
func TestDirectMessagesOverTheSupportLimitAreNotStored(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	redis := testenv.Redis(t)
	quota, err := workers.NewInboundQuota(redis, workers.DefaultInboundLimits())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = quota.Close() })
	holds, err := workers.NewSupportHolds(redis, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holds.Close() })
	k := newKringWired(t, st, func(cfg *wiring.Config) { cfg.SupportHolds = holds },
		func(cfg *inbox.ReceiverConfig) { cfg.Quota = quota })
	peer := newRemotePeer(t)
	alice := k.join(t, peer, "alice", k.open)
	bob := k.join(t, peer, "bob", k.open)
	post := func(m member, path string, activity map[string]any) {
		t.Helper()
		body, err := json.Marshal(activity)
		if err != nil {
			t.Fatal(err)
		}
		if status := k.post(t, path, body, m.keyID(), m.key, nil); status != http.StatusAccepted {
			t.Fatalf("%s: status %d, want 202", activity["id"], status)
		}
	}
	lobbyInbox := "/groups/" + k.open.Slug + "/inbox"

	// Her messages up to the limit and one past it are stored; the worker refuses the last one and
	// notes her as held back.
	joined := countInbound(t, k)
	for n := range community.MaxSupportMessagesPerHour + 1 {
		dm, _ := k.directNoteOf(alice, k.open, n, "help", "")
		post(alice, lobbyInbox, dm)
	}
	k.processInbound(t)
	stored := countInbound(t, k)
	if stored-joined != community.MaxSupportMessagesPerHour+1 {
		t.Fatalf("%d activities stored, want her %d messages", stored-joined, community.MaxSupportMessagesPerHour+1)
	}

	for n, path := range []string{lobbyInbox, "/inbox", lobbyInbox} {
		dm, _ := k.directNoteOf(alice, k.open, 100+n, "still there?", "")
		post(alice, path, dm)
	}
	inArray, arrayNote := k.directNoteOf(alice, k.open, 103, "in an array, as some servers send", "")
	inArray["object"] = []any{arrayNote}
	post(alice, lobbyInbox, inArray)
	// Fifty at once, each its own message: all acknowledged, none stored.
	statuses := make(chan int, 50)
	var wg sync.WaitGroup
	for n := range 50 {
		dm, _ := k.directNoteOf(alice, k.open, 300+n, "anyone?", "")
		body, err := json.Marshal(dm)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := k.postSigned(t, lobbyInbox, body, alice.keyID(), alice.key)
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	for status := range statuses {
		if status != http.StatusAccepted {
			t.Errorf("one of fifty at once: status %d, want 202", status)
		}
	}
	if n := countInbound(t, k); n != stored {
		t.Fatalf("%d of her messages past the limit stored, want none", n-stored)
	}

	lobby, inner := k.iris.GroupActor(k.open.Slug), k.iris.GroupActor(k.approval.Slug)
	public, _ := k.noteOf(alice, k.open, 200)
	toBoth, toBothNote := k.directNoteOf(alice, k.open, 201, "to both", "")
	toBothNote["to"] = []any{lobby, inner}
	vote, voteNote := k.directNoteOf(alice, k.open, 202, "", "")
	voteNote["name"] = "Yes"
	embeddedTo, embeddedToNote := k.directNoteOf(alice, k.open, 203, "shape", "")
	embeddedToNote["to"] = []any{map[string]any{"id": lobby}}
	httpPublic, httpPublicNote := k.directNoteOf(alice, k.open, 204, "public in plain http", "")
	httpPublicNote["cc"] = []any{"http://www.w3.org/ns/activitystreams#Public"}
	mentionedToo, mentionedTooNote := k.directNoteOf(alice, k.open, 205, "and the inner circle", "")
	mentionedTooNote["tag"] = []any{map[string]any{"type": "Mention", "href": inner}}
	others, _ := k.directNoteOf(bob, k.open, 206, "hello", "")
	for _, activity := range []map[string]any{public, toBoth, vote, embeddedTo, httpPublic, mentionedToo} {
		post(alice, lobbyInbox, activity)
	}
	post(bob, lobbyInbox, others)
	if n := countInbound(t, k); n != stored+7 {
		t.Fatalf("%d of the seven activities that are not surely her held-back messages stored, want all", n-stored)
	}
	k.processInbound(t)
	conversations, messages := supportOf(t, st, k.open)
	mine := 0
	for _, c := range conversations {
		if c.MemberIRI == alice.actor() {
			mine += len(messages[c.ID])
		}
	}
	if mine != community.MaxSupportMessagesPerHour {
		t.Errorf("%d of her messages in the support inbox, want the %d the limit allows", mine, community.MaxSupportMessagesPerHour)
	}
	if posts := postsOf(t, st, k.open); len(posts) != 1 || posts[0].ObjectIRI != public["object"].(map[string]any)["id"] {
		t.Errorf("group posts %+v, want her public post", posts)
	}
}
