package inbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// directNoteOf is a direct message from m to group, as Mastodon sends one: to the group alone,
// mentioning it, numbered n, answering inReplyTo when it is not empty.
func (k *kringUnderTest) directNoteOf(m member, group model.Group, n int, text, inReplyTo string) (create, note map[string]any) {
	groupIRI := k.iris.GroupActor(group.Slug)
	noteID := fmt.Sprintf("%s/statuses/dm-%d", m.actor(), n)
	note = map[string]any{"id": noteID, "type": "Note", "attributedTo": m.actor(),
		"content": `<p><span class="h-card"><a href="` + groupIRI + `" class="u-url mention">@<span>` + group.Slug + `</span></a></span> ` + text + `</p>`,
		"to":      []any{groupIRI}, "cc": []any{},
		"tag":       []any{map[string]any{"type": "Mention", "href": groupIRI, "name": "@" + group.Slug}},
		"published": "2026-12-01T10:00:00Z"}
	if inReplyTo != "" {
		note["inReplyTo"] = inReplyTo
	}
	create = map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": noteID + "/activity", "type": "Create",
		"actor": m.actor(), "to": note["to"], "cc": note["cc"], "object": note}
	return create, note
}

// supportOf lists a group's support conversations, with their messages.
func supportOf(t *testing.T, st *store.Store, group model.Group) ([]store.SupportListing, map[string][]store.SupportMessageWithAuthor) {
	t.Helper()
	ctx := context.Background()
	conversations, err := st.SupportConversations(ctx, store.SupportFilter{GroupID: group.ID})
	if err != nil {
		t.Fatal(err)
	}
	messages := map[string][]store.SupportMessageWithAuthor{}
	for _, c := range conversations {
		if messages[c.ID], err = st.SupportMessages(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	return conversations, messages
}

// staffAccount makes a staff account who may moderate the harness's groups (an owner of acme).
func staffAccount(t *testing.T, st *store.Store, email string) model.StaffAccount {
	t.Helper()
	ctx := context.Background()
	account, err := st.CreateStaffAccount(ctx, model.StaffAccount{Email: email, DisplayName: "Sam", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	org, err := st.OrganisationBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetStaffRole(ctx, account.ID, org.ID, model.RoleOwner); err != nil {
		t.Fatal(err)
	}
	return account
}

// A member's direct message to a group is never announced and never a group post: it opens a
// conversation in the support inbox, her next message continues it, staff answer as the group with
// a direct message in reply to her latest message (so her app threads it), her answer to that reply
// lands in the same conversation, and her Delete takes her words out while the staff's reply stays.
func TestDirectMessageReachesTheSupportInboxAndIsAnsweredAsTheGroup(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		k := newKring(t, st)
		peer := newRemotePeer(t)
		alice := k.join(t, peer, "alice", k.open)
		bob := k.join(t, peer, "bob", k.open)
		staff := staffAccount(t, st, "sam@acme.example")
		before := len(peer.received())

		first, firstNote := k.directNoteOf(alice, k.open, 1, "My payment failed twice <script>alert(1)</script>, can someone help?", "")
		if status := k.send(t, alice, k.open, first); status != 202 {
			t.Fatalf("direct message: %d", status)
		}
		second, _ := k.directNoteOf(alice, k.open, 2, "Also: my card is from abroad.", "")
		k.send(t, alice, k.open, second)
		k.send(t, alice, k.open, first) // redelivered: not a second message

		if posts := postsOf(t, st, k.open); len(posts) != 0 {
			t.Fatalf("a direct message became %d group posts", len(posts))
		}
		if got := peer.received()[before:]; len(got) != 0 {
			t.Fatalf("a direct message sent %d activities to members (bob is one): %+v", len(got), got)
		}
		conversations, messages := supportOf(t, st, k.open)
		if len(conversations) != 1 {
			t.Fatalf("%d conversations, want 1", len(conversations))
		}
		c := conversations[0]
		if c.Status != model.SupportNew || c.MemberIRI != alice.actor() || len(messages[c.ID]) != 2 {
			t.Fatalf("conversation %+v with %d messages", c.SupportConversation, len(messages[c.ID]))
		}
		if c.Subject != "My payment failed twice , can someone help?" {
			t.Errorf("subject %q: want her words without the group's mention", c.Subject)
		}
		if html := messages[c.ID][0].ContentHTML; strings.Contains(html, "<script") || !strings.Contains(html, "My payment failed twice") {
			t.Errorf("stored content %q: want it sanitised", html)
		}

		if err := k.community.Reply(ctx, c.ID, staff.ID, "Sorry about that, {name}!\n\nWe will look into it."); err != nil {
			t.Fatal(err)
		}
		k.deliverAll(t)
		replies := receivedBy(t, peer, "alice")
		var reply welcomeCreate
		var replyRaw []byte
		for _, r := range peer.receivedOfType("Create") {
			if r.Path == "/users/alice/inbox" && strings.Contains(string(r.Body), "We will look into it") {
				replyRaw = r.Body
			}
		}
		if replyRaw == nil {
			t.Fatalf("alice received no reply among %d activities", len(replies))
		}
		if err := json.Unmarshal(replyRaw, &reply); err != nil {
			t.Fatal(err)
		}
		var inReplyTo struct {
			Object struct {
				InReplyTo string `json:"inReplyTo"`
			} `json:"object"`
		}
		if err := json.Unmarshal(replyRaw, &inReplyTo); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%s/statuses/dm-2", alice.actor()); inReplyTo.Object.InReplyTo != want {
			t.Errorf("reply inReplyTo %q, want her latest message %s", inReplyTo.Object.InReplyTo, want)
		}
		if to := iris(t, reply.Object.To); len(to) != 1 || to[0] != alice.actor() || len(reply.Object.Cc) != 0 {
			t.Errorf("reply addressed to %v cc %s, want her alone", to, reply.Object.Cc)
		}
		if tags := mentions(t, reply.Object.Tag); len(tags) != 1 || tags[0].Href != alice.actor() {
			t.Errorf("reply mentions %+v, want her", tags)
		}
		for _, r := range receivedBy(t, peer, "bob") {
			if strings.Contains(string(r.Object), "We will look into it") {
				t.Errorf("bob received the reply to alice: %s", r.Object)
			}
		}
		after, _ := st.SupportConversationByID(ctx, c.ID)
		if after.Status != model.SupportWaiting || after.AssigneeStaffID == nil || *after.AssigneeStaffID != staff.ID {
			t.Errorf("after the reply: status %s, assignee %v; want waiting, the one who answered", after.Status, after.AssigneeStaffID)
		}

		// She answers the reply: the same conversation, open again.
		answer, _ := k.directNoteOf(alice, k.open, 3, "Thanks!", reply.Object.ID)
		k.send(t, alice, k.open, answer)
		conversations, messages = supportOf(t, st, k.open)
		if len(conversations) != 1 || conversations[0].Status != model.SupportOpen || len(messages[c.ID]) != 4 {
			t.Fatalf("after her answer: %d conversations, status %s, %d messages; want 1, open, 4",
				len(conversations), conversations[0].Status, len(messages[c.ID]))
		}

		// She deletes her first message: its words go, the thread and staff's reply stay.
		k.send(t, alice, k.open, activityOf(alice, "Delete", "deletes/dm-1", firstNote["id"]))
		_, messages = supportOf(t, st, k.open)
		if m := messages[c.ID][0]; m.WithdrawnAt == nil || m.ContentHTML != "" {
			t.Errorf("her deleted message kept %q (withdrawn %v)", m.ContentHTML, m.WithdrawnAt)
		}
		if m := messages[c.ID][2]; m.Kind != model.SupportReply || !strings.Contains(m.ContentHTML, "We will look into it") {
			t.Errorf("staff's reply changed: %+v", m.SupportMessage)
		}

		// Bob deleting alice's message id changes nothing.
		k.send(t, bob, k.open, activityOf(bob, "Delete", "deletes/x", fmt.Sprintf("%s/statuses/dm-2", alice.actor())))
		_, messages = supportOf(t, st, k.open)
		if m := messages[c.ID][1]; m.WithdrawnAt != nil {
			t.Errorf("bob withdrew alice's message")
		}
	})
}

// Closed conversations stay closed: a member's new message opens a new one; someone answering another
// member's reply starts a conversation of her own; a followers-only post mentioning the group is
// for staff too; a banned member's message is refused.
func TestSupportConversationsAreKeptApart(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	ctx := context.Background()
	k := newKring(t, st)
	peer := newRemotePeer(t)
	alice := k.join(t, peer, "alice", k.open)
	bob := k.join(t, peer, "bob", k.open)
	erin := k.join(t, peer, "erin", k.open)
	ban(t, st, k.open, erin.actor())

	first, firstNote := k.directNoteOf(alice, k.open, 1, "Question one", "")
	k.send(t, alice, k.open, first)
	conversations, _ := supportOf(t, st, k.open)
	if err := k.community.SetSupportStatus(ctx, conversations[0].ID, model.SupportClosed); err != nil {
		t.Fatal(err)
	}
	second, _ := k.directNoteOf(alice, k.open, 2, "Question two", "")
	k.send(t, alice, k.open, second)
	intruder, _ := k.directNoteOf(bob, k.open, 1, "Me too", firstNote["id"].(string))
	k.send(t, bob, k.open, intruder)
	followersOnly, _ := k.directNoteOf(bob, k.open, 2, "For my followers and the group", "")
	followersOnly["object"].(map[string]any)["to"] = []any{bob.actor() + "/followers"}
	followersOnly["object"].(map[string]any)["cc"] = []any{k.iris.GroupActor("lobby")}
	followersOnly["object"].(map[string]any)["id"] = bob.actor() + "/statuses/fo-1"
	followersOnly["id"] = bob.actor() + "/statuses/fo-1/activity"
	k.send(t, bob, k.open, followersOnly)
	banned, _ := k.directNoteOf(erin, k.open, 1, "Let me back in", "")
	k.send(t, erin, k.open, banned)

	conversations, messages := supportOf(t, st, k.open)
	byMember := map[string][]store.SupportListing{}
	for _, c := range conversations {
		byMember[c.MemberIRI] = append(byMember[c.MemberIRI], c)
	}
	if n := len(byMember[alice.actor()]); n != 2 {
		t.Errorf("alice has %d conversations, want 2 (the closed one and a new one)", n)
	}
	if b := byMember[bob.actor()]; len(b) != 1 || len(messages[b[0].ID]) != 2 {
		t.Errorf("bob's conversations %+v: want one holding his two messages, apart from alice's", b)
	}
	if n := len(byMember[erin.actor()]); n != 0 {
		t.Errorf("a banned member opened %d conversations", n)
	}
	if posts := postsOf(t, st, k.open); len(posts) != 0 {
		t.Errorf("%d group posts from private messages", len(posts))
	}
}

// The hourly limit holds when a member's messages are processed at once by many workers: 50
// distinct messages in parallel leave exactly the limit stored, in one conversation.
func TestSupportLimitHoldsUnderConcurrency(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	ctx := context.Background()
	k := newKring(t, st)
	alice, actor := k.joinedActor(t, "alice", k.open)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := k.community.ReceiveDirect(ctx, actor, community.DirectMessage{ActivityIRI: fmt.Sprintf("%s/a/%d", alice.actor(), i),
				ObjectIRI: fmt.Sprintf("%s/n/%d", alice.actor(), i), ContentHTML: "<p>help</p>"}, []model.Group{k.open})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	conversations, messages := supportOf(t, st, k.open)
	if len(conversations) != 1 || len(messages[conversations[0].ID]) != community.MaxSupportMessagesPerHour {
		t.Fatalf("%d conversations, %d messages; want 1 and %d", len(conversations), len(messages[conversations[0].ID]),
			community.MaxSupportMessagesPerHour)
	}
}

// The accounts of one server open at most MaxSupportConversationsPerServerPerHour conversations in a
// group an hour, counted right when their messages are processed at once; a member of another
// server still gets through.
func TestSupportLimitPerServerHoldsUnderConcurrency(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	ctx := context.Background()
	k := newKring(t, st)
	const accounts = community.MaxSupportConversationsPerServerPerHour + 10
	var wg sync.WaitGroup
	errs := make(chan error, accounts)
	for i := range accounts {
		actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: fmt.Sprintf("https://flood.example/users/u%d", i), Host: "flood.example",
			ActorType: "Person", PreferredUsername: fmt.Sprintf("u%d", i), InboxURL: fmt.Sprintf("https://flood.example/users/u%d/inbox", i)})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			_, err := k.community.ReceiveDirect(ctx, actor, community.DirectMessage{ActivityIRI: actor.IRI + "/a/1",
				ObjectIRI: actor.IRI + "/n/1", ContentHTML: "<p>buy now</p>"}, []model.Group{k.open})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if conversations, _ := supportOf(t, st, k.open); len(conversations) != community.MaxSupportConversationsPerServerPerHour {
		t.Fatalf("%d conversations from one server, want %d", len(conversations), community.MaxSupportConversationsPerServerPerHour)
	}
	alice, actor := k.joinedActor(t, "alice", k.open)
	results, err := k.community.ReceiveDirect(ctx, actor, community.DirectMessage{ActivityIRI: alice.actor() + "/a/1",
		ObjectIRI: alice.actor() + "/n/1", ContentHTML: "<p>my heating is broken</p>"}, []model.Group{k.open})
	if err != nil || len(results) != 1 || results[0].Outcome != community.SupportOpened {
		t.Fatalf("a member of another server: %+v %v", results, err)
	}
}

// A member found over the hourly limit by the locked read is remembered as over it until her
// oldest counted message is an hour old: her messages until then are refused without a statement,
// and the first one after is stored again.
func TestSupportLimitIsRememberedUntilItLifts(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		k := newKring(t, st)
		alice, actor := k.joinedActor(t, "alice", k.open)
		start := time.Now().UTC()
		var (
			mu  sync.Mutex
			now = start
		)
		inbox := k.community.WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		send := func(n int) community.SupportOutcome {
			t.Helper()
			results, err := inbox.ReceiveDirect(ctx, actor, community.DirectMessage{ActivityIRI: fmt.Sprintf("%s/a/%d", alice.actor(), n),
				ObjectIRI: fmt.Sprintf("%s/n/%d", alice.actor(), n), ContentHTML: "<p>help</p>"}, []model.Group{k.open})
			if err != nil || len(results) != 1 {
				t.Fatalf("message %d: %v, %d results", n, err, len(results))
			}
			return results[0].Outcome
		}
		for n := range community.MaxSupportMessagesPerHour {
			if got := send(n); got == community.SupportRefused {
				t.Fatalf("message %d refused under the limit", n)
			}
		}
		if got := send(100); got != community.SupportRefused {
			t.Fatalf("the message past the limit: %s, want refused", got)
		}
		recorder := testenv.RecordStatements(t, st)
		var outcome community.SupportOutcome
		if statements := recorder.During(func() { outcome = send(101) }); outcome != community.SupportRefused || len(statements) != 0 {
			t.Errorf("the next message: %s with %d statements, want refused with none", outcome, len(statements))
		}
		mu.Lock()
		now = start.Add(time.Hour - time.Second) // her messages are all still in the hour
		mu.Unlock()
		if statements := recorder.During(func() { outcome = send(102) }); outcome != community.SupportRefused || len(statements) != 0 {
			t.Errorf("a second before it lifts: %s with %d statements, want refused with none", outcome, len(statements))
		}
		mu.Lock()
		now = start.Add(time.Hour + time.Second)
		mu.Unlock()
		if got := send(103); got == community.SupportRefused {
			t.Errorf("once her messages are an hour old: refused, want stored")
		}
	})
}

// joinedActor has a member of a new remote server named name join group, and returns her as Kring
// stored her.
func (k *kringUnderTest) joinedActor(t *testing.T, name string, group model.Group) (member, model.RemoteActor) {
	t.Helper()
	joined := k.join(t, newRemotePeer(t), name, group)
	actor, err := k.store.RemoteActorByIRI(context.Background(), joined.actor())
	if err != nil {
		t.Fatal(err)
	}
	return joined, actor
}
