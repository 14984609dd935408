package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/test/testenv"
)

// fedify is the interop tests' Fedify server (test/interop/peer), whose users follow and post to
// Kring's groups like members on another server. Only the controls this test needs are here; the
// peer's README is test/interop's.
type fedify struct{ base string }

// startFedify starts the peer and returns a function that waits until it is ready, so the test can
// prepare Kring meanwhile.
func startFedify(t *testing.T) (ready func() *fedify) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "interop", "peer"))
	if err != nil {
		t.Fatal(err)
	}
	node := filepath.Join(dir, "node_modules", ".bin", "node")
	if _, err := os.Stat(node); err != nil {
		t.Fatalf("the Fedify peer is not installed: run ./scripts/test, or `npm ci` in %s (%v)", dir, err)
	}
	// carol follows no group: she hears from Kring only when a post mentions her.
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": t.TempDir(), "PEER_USERS": "alice,bob,carol"}
	p := testenv.StartProcess(t, node, env, filepath.Join(dir, "peer.mjs"))
	return func() *fedify {
		t.Helper()
		port := p.WaitForLine(t, regexp.MustCompile(`^ready (\d+)$`), 60*time.Second)[1]
		return &fedify{base: "http://127.0.0.1:" + port}
	}
}

// control calls one of the peer's controls and decodes its JSON answer into out.
func (f *fedify) control(t *testing.T, path string, params url.Values, out any) {
	t.Helper()
	resp, err := http.Get(f.base + path + "?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("peer %s %v: %s", path, params, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("peer %s: %v", path, err)
	}
}

// actor is the IRI of one of the peer's users.
func (f *fedify) actor(user string) string { return f.base + "/users/" + user }

// follow has user ask to follow the group and returns the Follow's id.
func (f *fedify) follow(t *testing.T, user, group string) string {
	t.Helper()
	var sent struct{ Sent string }
	f.control(t, "/control/follow", url.Values{"actor": {user}, "target": {group}}, &sent)
	return sent.Sent
}

// flag has user report account and its posts to the server of to (a group), with the reason.
func (f *fedify) flag(t *testing.T, user, to, account, reason string, posts ...string) {
	t.Helper()
	var sent struct{ Sent string }
	f.control(t, "/control/flag", url.Values{"actor": {user}, "to": {to}, "account": {account}, "post": posts, "reason": {reason}}, &sent)
}

// notePosted is what the peer answers to a post: the note's IRI and its Create's.
type notePosted struct{ Note, Create string }

// post has user post a public note to the group.
func (f *fedify) post(t *testing.T, user, group, text string) notePosted {
	t.Helper()
	var posted notePosted
	f.control(t, "/control/post", url.Values{"actor": {user}, "group": {group}, "text": {text}}, &posted)
	return posted
}

// reply has user post a public note to the group in reply to inReplyTo, as Mastodon answers a post.
func (f *fedify) reply(t *testing.T, user, group, text, inReplyTo string) notePosted {
	t.Helper()
	var posted notePosted
	f.control(t, "/control/post", url.Values{"actor": {user}, "group": {group}, "text": {text}, "in_reply_to": {inReplyTo}}, &posted)
	return posted
}

// join has user join an event the group organises, with a message, as Mobilizon does; it returns
// the Join's id.
func (f *fedify) join(t *testing.T, user, group, event, text string) string {
	t.Helper()
	var sent struct{ Join string }
	f.control(t, "/control/join", url.Values{"actor": {user}, "group": {group}, "event": {event}, "text": {text}}, &sent)
	return sent.Join
}

// vote has user vote option in the group's poll, as Mastodon sends a vote.
func (f *fedify) vote(t *testing.T, user, group, poll, option string) {
	t.Helper()
	var sent struct{ Vote string }
	f.control(t, "/control/vote", url.Values{"actor": {user}, "group": {group}, "poll": {poll}, "option": {option}}, &sent)
}

// awaitPoll waits until user has received an Update of the poll showing want for each option named.
func (f *fedify) awaitPoll(t *testing.T, user, poll string, want map[string]int) {
	t.Helper()
	var last map[string]int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var got []received
		f.control(t, "/control/received", url.Values{"actor": {user}}, &got)
		for _, r := range got {
			if r.Type != "Update" || r.Object != poll || r.Poll == nil {
				continue
			}
			last = r.Poll
			matches := true
			for option, n := range want {
				matches = matches && r.Poll[option] == n
			}
			if matches {
				return
			}
		}
	}
	t.Fatalf("%s received no Update of the poll %s showing %v within 30 s (last: %v)", user, poll, want, last)
}

// message has user send the group a direct message (to the group alone), answering inReplyTo when
// it is not empty.
func (f *fedify) message(t *testing.T, user, group, text, inReplyTo string) notePosted {
	t.Helper()
	var posted notePosted
	f.control(t, "/control/message", url.Values{"actor": {user}, "group": {group}, "text": {text}, "in_reply_to": {inReplyTo}}, &posted)
	return posted
}

// awaitDirectMessage waits until user has received a direct message from actor (a group): a Create
// of a Note addressed to her alone, mentioning her, whose content holds text. It returns what the
// peer recorded of it.
func (f *fedify) awaitDirectMessage(t *testing.T, user, from, text string) received {
	t.Helper()
	return f.awaitDirectMessageWithin(t, user, from, text, 30*time.Second)
}

// awaitDirectMessageWithin is awaitDirectMessage for a message due later, such as a reminder.
func (f *fedify) awaitDirectMessageWithin(t *testing.T, user, from, text string, within time.Duration) received {
	t.Helper()
	me := f.actor(user)
	var seen []received
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		f.control(t, "/control/received", url.Values{"actor": {user}}, &seen)
		for _, r := range seen {
			if r.Type == "Create" && r.Actor == from && slices.Equal(r.To, []string{me}) && len(r.Cc) == 0 &&
				slices.Equal(r.Mentions, []string{me}) && strings.Contains(r.Content, text) {
				return r
			}
		}
	}
	t.Fatalf("%s received no direct message from %s saying %q within %s; received %+v", user, from, text, within, seen)
	return received{}
}

// directMessages counts the direct messages user has received from actor (a group) saying text.
func (f *fedify) directMessages(t *testing.T, user, from, text string) int {
	t.Helper()
	var seen []received
	f.control(t, "/control/received", url.Values{"actor": {user}}, &seen)
	n := 0
	for _, r := range seen {
		if r.Type == "Create" && r.Actor == from && slices.Equal(r.To, []string{f.actor(user)}) && strings.Contains(r.Content, text) {
			n++
		}
	}
	return n
}

// received is what the peer recorded of an activity that reached one of its users.
type received struct {
	Type, Actor, Object, ObjectObject, Content, InReplyTo string
	To, Cc, Mentions                                      []string
	// Hashtags, Attachments, Languages (of contentMap) and Sensitive are what Fedify read of the
	// note a Create or an Update carried.
	Hashtags    []struct{ Name, Href string }
	Attachments []receivedAttachment
	Languages   []string
	Sensitive   *bool
	// Event is what Fedify read of an Event the activity carried.
	Event *struct{ Name, StartTime, EndTime, Location, URL string }
	// Poll is each option's count of a Question the activity carried.
	Poll map[string]int
}

// receivedAttachment is one attachment of a received note, as Fedify read it: a Document or an
// Image, its URL, media type, name (the alt text) and size.
type receivedAttachment struct {
	Type, URL, MediaType, Name string
	Width, Height              int
}

// awaitActivity waits until user ("" for any user, or the server itself: a Flag comes to the shared
// inbox addressed to no one) has received an activity of that type about object: its object, or
// the object of the activity it embeds (an Undo{Announce} is about the announced note), and returns
// what the peer recorded of it. Fedify verified the activity's signature before recording it.
func (f *fedify) awaitActivity(t *testing.T, user, activityType, object string) received {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var got []received
		f.control(t, "/control/received", url.Values{"actor": {user}}, &got)
		for _, r := range got {
			if r.Type == activityType && (r.Object == object || r.ObjectObject == object) {
				return r
			}
		}
	}
	if user == "" {
		user = "the peer"
	}
	t.Fatalf("%s received no %s of %s within 30 s", user, activityType, object)
	return received{}
}
