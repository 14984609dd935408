package interop

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// A conversation in an open group, as a microblogging server sees it: the peer's NodeInfo names
// software Kring does not know, so its users get the group's boost of the original note, not the
// author's Create embedded.
func TestFedifyConversationInAGroup(t *testing.T) {
	t.Parallel()
	base, env := startKringOnPostgres(t)
	fedify := startPeer(t)
	lobby := base + "/groups/lobby"
	fedify.followAndWait(t, lobby, "alice", "bob")

	// alice posts to the group; bob gets the group's Announce of her note, signed by the group and
	// verified by Fedify before it was recorded.
	posted := fedify.post(t, "alice", lobby, "Hello, lobby")
	announce := fedify.waitFor(t, "bob", "Announce", posted.Note)
	if announce.Actor != lobby || !announce.Verified {
		t.Fatalf("bob's Announce: %+v", announce)
	}

	// bob fetches the original from alice's server, signed, and Fedify checks its id is where it
	// came from.
	var original struct{ Type, ID, AttributedTo, Content string }
	if status := fedify.control(t, "/control/fetch", url.Values{"actor": {"bob"}, "target": {posted.Note}}, &original); status != 200 {
		t.Fatalf("bob could not fetch the announced note: %d", status)
	}
	if original.Type != "Note" || original.ID != posted.Note || original.AttributedTo != fedify.base+"/users/alice" ||
		!strings.Contains(original.Content, "Hello, lobby") {
		t.Fatalf("bob fetched %+v", original)
	}

	// bob likes it, telling the group: Kring's inbox takes it and counts it.
	fedify.send(t, "/control/like", url.Values{"actor": {"bob"}, "object": {posted.Note}, "to": {lobby}})
	waitForPost(t, env, "lobby", posted.Note, "one like", func(p keptPost) bool { return p.Likes == 1 })

	// alice edits: Kring's copy and the group's page change.
	fedify.send(t, "/control/update", url.Values{"actor": {"alice"}, "note": {posted.Note}, "text": {"Hello again, lobby"}})
	waitForPost(t, env, "lobby", posted.Note, "the edit", func(p keptPost) bool { return strings.Contains(p.Content, "Hello again, lobby") })
	if page := groupPage(t, lobby); !strings.Contains(page, "Hello again, lobby") {
		t.Fatalf("the group's page does not show the edit:\n%s", page)
	}

	// alice deletes: bob's server is told to drop the boost, with the very Announce it got embedded.
	fedify.send(t, "/control/delete", url.Values{"actor": {"alice"}, "note": {posted.Note}})
	undo := fedify.waitFor(t, "bob", "Undo", announce.ID)
	if undo.Actor != lobby || undo.ObjectType != "Announce" || undo.ObjectObject != posted.Note {
		t.Fatalf("bob's Undo: %+v", undo)
	}
	waitForKring(t, "the deleted post to leave the group", func() bool { return findPost(postsOf(t, env, "lobby", ""), posted.Note) == nil })
}

// A pre-moderated group holds posts: nothing is announced until a moderator approves, and a declined
// post's author is sent a Reject of their Create with the moderator's reason.
func TestFedifyConversationInAPremoderatedGroup(t *testing.T) {
	t.Parallel()
	base, env := startKringOnPostgres(t)
	if code, out := testenv.RunKring(t, env, "admin", "group", "create", "--org", "acme", "--slug", "desk", "--name", "Desk",
		"--posting-policy", "premoderated"); code != 0 {
		t.Fatalf("create the pre-moderated group: exit %d %s", code, out)
	}
	fedify := startPeer(t)
	desk := base + "/groups/desk"
	fedify.followAndWait(t, desk, "alice", "bob")

	first := fedify.post(t, "alice", desk, "Please let this through")
	held := waitForPost(t, env, "desk", first.Note, "the post held", func(p keptPost) bool { return p.State == "held" })
	// The hold and any Announce would be written in one transaction: with the post seen held, an
	// empty outbox means no Announce can arrive later, however slow the workers are.
	if n := announcesQueued(t, env, first.Note); n != 0 {
		t.Fatalf("Kring queued %d Announces of the held post", n)
	}
	if code, out := testenv.RunKring(t, env, "admin", "post", "approve", "--id", held.ID); code != 0 {
		t.Fatalf("approve: exit %d %s", code, out)
	}
	if announce := fedify.waitFor(t, "bob", "Announce", first.Note); announce.Actor != desk {
		t.Fatalf("bob's Announce of the approved post: %+v", announce)
	}
	fedify.expectReceivedOnce(t, "bob", "Announce", first.Note)
	if n := announcesQueued(t, env, first.Note); n == 0 {
		// The approved post's Announces (of the note, and of its Create, FEP-1b12) must be found, or
		// the zero counts here would prove nothing.
		t.Fatal("the outbox query does not find the approved post's Announces")
	}

	second := fedify.post(t, "alice", desk, "And this one?")
	held = waitForPost(t, env, "desk", second.Note, "the second post held", func(p keptPost) bool { return p.State == "held" })
	const reason = "off topic for the desk"
	if code, out := testenv.RunKring(t, env, "admin", "post", "decline", "--id", held.ID, "--reason", reason); code != 0 {
		t.Fatalf("decline: exit %d %s", code, out)
	}
	reject := fedify.waitFor(t, "alice", "Reject", second.Create)
	if reject.Actor != desk || reject.Content != reason || !reject.Verified {
		t.Fatalf("alice's Reject: %+v", reject)
	}
	// The Reject has arrived, so the decline is done: nothing was queued to announce the post then or
	// before, and bob has nothing of it.
	if n := announcesQueued(t, env, second.Note); n != 0 {
		t.Fatalf("Kring queued %d Announces of the declined post", n)
	}
	fedify.expectReceivedOnce(t, "bob", "Announce", first.Note)
	if n := fedify.countReceived(t, "bob", "Announce", second.Note); n != 0 {
		t.Fatalf("bob received %d Announces of the declined post", n)
	}
	if p := findPost(postsOf(t, env, "desk", "declined"), second.Note); p == nil || p.Reason != reason {
		t.Fatalf("the declined post in Kring: %+v", p)
	}
}

// followAndWait has each user follow the group and waits for the group's Accept.
func (p *peer) followAndWait(t *testing.T, group string, users ...string) {
	t.Helper()
	for _, user := range users {
		var sent struct{ Sent string }
		p.control(t, "/control/follow", url.Values{"actor": {user}, "target": {group}}, &sent)
		p.waitFor(t, user, "Accept", sent.Sent)
	}
}

// posted names a note a peer user posted and the Create that carried it.
type posted struct{ ID, Note, Create string }

func (p *peer) post(t *testing.T, user, group, text string) posted {
	t.Helper()
	var out posted
	if status := p.control(t, "/control/post", url.Values{"actor": {user}, "group": {group}, "text": {text}}, &out); status != 200 {
		t.Fatalf("%s could not post to %s: %d", user, group, status)
	}
	return out
}

// send runs a control that sends an activity; the peer answers 502 when the receiver refused it.
func (p *peer) send(t *testing.T, path string, params url.Values) {
	t.Helper()
	var out struct{ Sent, Error string }
	if status := p.control(t, path, params, &out); status != 200 || out.Sent == "" {
		t.Fatalf("%s %v: %d %s", path, params, status, out.Error)
	}
}

// countReceived is how many activities of that type and object user has received so far.
func (p *peer) countReceived(t *testing.T, user, activityType, object string) int {
	t.Helper()
	var got []received
	p.control(t, "/control/received", url.Values{"actor": {user}}, &got)
	count := 0
	for _, r := range got {
		if r.Type == activityType && r.Object == object {
			count++
		}
	}
	return count
}

// expectReceivedOnce fails unless user has received exactly one activity of that type and object;
// call it after waitFor has seen the first, so it checks for duplicates, not for slowness.
func (p *peer) expectReceivedOnce(t *testing.T, user, activityType, object string) {
	t.Helper()
	if n := p.countReceived(t, user, activityType, object); n != 1 {
		t.Fatalf("%s received %d %s of %s, want exactly 1", user, n, activityType, object)
	}
}

// announcesQueued counts the Announces of note in Kring's outbox (the PostgreSQL database in env).
// Every delivery is written there before it is sent, so once the state change that would have
// queued one is visible, none there proves none will ever arrive.
func announcesQueued(t *testing.T, env map[string]string, note string) int64 {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DatabaseURL: env["KRING_DATABASE_URL"]})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var count int64
	err = st.DB().WithContext(ctx).Model(&model.OutboundActivity{}).
		Where("activity_type = ? AND body LIKE ?", "Announce", "%"+strconv.Quote(note)+"%").Count(&count).Error
	if err != nil {
		t.Fatal(err)
	}
	return count
}

// keptPost is a post as `kring admin post list --json` prints it.
type keptPost struct {
	ID, Object, State, Reach, Reason string
	Likes                            int
	Content                          string `json:"content_html"`
}

func postsOf(t *testing.T, env map[string]string, group, state string) []keptPost {
	t.Helper()
	code, out := testenv.RunKring(t, env, "admin", "post", "list", "--group", group, "--state", state, "--json")
	if code != 0 {
		t.Fatalf("post list: exit %d %s", code, out)
	}
	var posts []keptPost
	if err := json.Unmarshal([]byte(out), &posts); err != nil {
		t.Fatalf("post list printed %q: %v", out, err)
	}
	return posts
}

func findPost(posts []keptPost, object string) *keptPost {
	for i := range posts {
		if posts[i].Object == object {
			return &posts[i]
		}
	}
	return nil
}

// waitForPost polls the group's posts until the one of object satisfies ok.
func waitForPost(t *testing.T, env map[string]string, group, object, what string, ok func(keptPost) bool) keptPost {
	t.Helper()
	var found *keptPost
	waitForKring(t, what, func() bool {
		found = findPost(postsOf(t, env, group, ""), object)
		return found != nil && ok(*found)
	})
	return *found
}

func waitForKring(t *testing.T, what string, done func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !done(); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Kring did not show %s within 30 s", what)
		}
	}
}

// groupPage is the group's HTML page, as a browser asks for it.
func groupPage(t *testing.T, group string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, group, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", group, resp.StatusCode, err)
	}
	return string(body)
}
