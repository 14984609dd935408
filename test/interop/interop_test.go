// Package interop federates Kring with an independent ActivityPub implementation, Fedify, run on
// loopback (test/interop/peer): the peer finds a group, follows it, and checks that Kring's answers
// arrive and verify. scripts/test installs the peer's packages.
package interop

import (
	"encoding/json"
	"fmt"
	"net"
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

// peer is the running Fedify server and its control API.
type peer struct {
	base   string
	client *http.Client
}

func startPeer(t *testing.T) *peer { return startPeerWith(t, nil) }

// startPeerWith starts the peer, serving https with a certificate of ca when ca is given.
func startPeerWith(t *testing.T, ca *testenv.CA) *peer {
	t.Helper()
	dir, err := filepath.Abs("peer")
	if err != nil {
		t.Fatal(err)
	}
	node := filepath.Join(dir, "node_modules", ".bin", "node")
	if _, err := os.Stat(node); err != nil {
		t.Fatalf("the interop peer is not installed: run ./scripts/test, or `npm ci` in %s (%v)", dir, err)
	}
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": t.TempDir()}
	scheme, client := "http", http.DefaultClient
	if ca != nil {
		certFile, keyFile := ca.LeafFiles(t, "127.0.0.1")
		env["PEER_TLS_CERT"], env["PEER_TLS_KEY"], env["NODE_EXTRA_CA_CERTS"] = certFile, keyFile, ca.File
		scheme, client = "https", ca.Client()
	}
	p := testenv.StartProcess(t, node, env, filepath.Join(dir, "peer.mjs"))
	port := p.WaitForLine(t, regexp.MustCompile(`^ready (\d+)$`), 60*time.Second)[1]
	return &peer{base: scheme + "://127.0.0.1:" + port, client: client}
}

func (p *peer) control(t *testing.T, path string, params url.Values, into any) int {
	t.Helper()
	resp, err := p.client.Get(p.base + path + "?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if into != nil {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return resp.StatusCode
}

// received is an activity that reached one of the peer's users. ObjectType and ObjectObject describe
// an embedded activity (the Announce of an Undo{Announce}); Content is a Reject's reason or a
// Create's note's content, To, Cc and Mentions that note's addressing and Mention tags.
type received struct {
	Recipient, Type, ID, Actor, Object string
	ObjectType, ObjectObject, Content  string
	To, Cc, Mentions                   []string
	Verified                           bool
}

// waitFor polls what the peer's user received until an activity of the type with that object came.
func (p *peer) waitFor(t *testing.T, user, activityType, object string) received {
	t.Helper()
	return p.waitForMatch(t, user, activityType+" of "+object, func(r received) bool { return r.Type == activityType && r.Object == object })
}

// waitForMatch polls what the peer's user received until one activity matches.
func (p *peer) waitForMatch(t *testing.T, user, what string, match func(received) bool) received {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var got []received
		p.control(t, "/control/received", url.Values{"actor": {user}}, &got)
		for _, r := range got {
			if match(r) {
				return r
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s received no %s within 30 s", user, what)
	return received{}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

// kring starts `kring all` (SQLite, in-process broker) allowed to fetch from loopback, with an open
// group and one that approves followers.
func startKring(t *testing.T) (base string, env map[string]string) {
	t.Helper()
	return startKringWith(t, nil)
}

// startKringOnPostgres is startKring on the production stores instead of the embedded ones: a
// fresh PostgreSQL schema and a Redis database of its own, still `kring all` in one process.
func startKringOnPostgres(t *testing.T) (base string, env map[string]string) {
	t.Helper()
	return startKringWith(t, map[string]string{"KRING_DATABASE_URL": testenv.PostgresURL(t),
		"KRING_REDIS_URL": testenv.RedisURL(testenv.Redis(t))})
}

// startKringWith starts kring on a free loopback port with the extra settings.
func startKringWith(t *testing.T, extra map[string]string) (base string, env map[string]string) {
	t.Helper()
	port := freePort(t)
	base = "http://127.0.0.1:" + port
	return base, startKringAt(t, base, "127.0.0.1:"+port, extra)
}

// startKringAt starts kring listening on listen and reached at base; extra adds settings.
func startKringAt(t *testing.T, base, listen string, extra map[string]string) map[string]string {
	t.Helper()
	env := map[string]string{"KRING_DATA_DIR": t.TempDir(), "KRING_LISTEN": listen,
		"KRING_PUBLIC_URL": base, "KRING_FETCH_ALLOW": "127.0.0.0/8"}
	for k, v := range extra {
		env[k] = v
	}
	for _, args := range [][]string{
		{"admin", "org", "create", "--slug", "acme", "--name", "Acme"},
		{"admin", "group", "create", "--org", "acme", "--slug", "lobby", "--name", "Lobby"},
		{"admin", "group", "create", "--org", "acme", "--slug", "inner", "--name", "Inner", "--approve-followers"},
	} {
		if code, out := testenv.RunKring(t, env, args...); code != 0 {
			t.Fatalf("kring %v: exit %d %s", args, code, out)
		}
	}
	testenv.StartKring(t, env).WaitListening(t)
	return env
}

func TestFedifyFindsAndFollowsAGroup(t *testing.T) {
	t.Parallel()
	base, env := startKring(t)
	fedify := startPeer(t)
	lobby := base + "/groups/lobby"

	var found struct{ Type, ID, PreferredUsername, Inbox, SharedInbox, PublicKey string }
	if status := fedify.control(t, "/control/lookup", url.Values{"target": {lobby}}, &found); status != 200 {
		t.Fatalf("Fedify could not look the group up: %d", status)
	}
	if found.Type != "Group" || found.ID != lobby || found.PreferredUsername != "lobby" || found.Inbox != lobby+"/inbox" ||
		found.SharedInbox != base+"/inbox" || found.PublicKey != lobby+"#main-key" {
		t.Fatalf("Fedify read the group as %+v", found)
	}

	// alice follows the open group: Kring's Accept reaches her, and Fedify verified its signature
	// before recording it.
	var sent struct{ Sent string }
	fedify.control(t, "/control/follow", url.Values{"actor": {"alice"}, "target": {lobby}}, &sent)
	accept := fedify.waitFor(t, "alice", "Accept", sent.Sent)
	if accept.Actor != lobby || !accept.Verified {
		t.Fatalf("accept %+v", accept)
	}
	// Then the group's welcome: a direct message, addressed to her alone and mentioning her.
	alice := fedify.base + "/users/alice"
	welcome := fedify.waitForMatch(t, "alice", "welcome", func(r received) bool { return r.Type == "Create" && r.Actor == lobby })
	if !welcome.Verified || welcome.ObjectType != "Note" || !slices.Equal(welcome.To, []string{alice}) || len(welcome.Cc) != 0 ||
		!slices.Equal(welcome.Mentions, []string{alice}) || !strings.Contains(welcome.Content, "Welcome to Lobby") {
		t.Fatalf("welcome as Fedify read it: %+v", welcome)
	}
	followers := followList(t, env, "lobby", "accepted")
	if len(followers) != 1 || followers[0].Actor != alice {
		t.Fatalf("Kring's followers of lobby: %+v", followers)
	}

	// bob asks to join the approval group: held until a moderator approves, then accepted.
	inner := base + "/groups/inner"
	fedify.control(t, "/control/follow", url.Values{"actor": {"bob"}, "target": {inner}}, &sent)
	var pending []follow
	for deadline := time.Now().Add(30 * time.Second); len(pending) == 0 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		pending = followList(t, env, "inner", "pending")
	}
	if len(pending) != 1 {
		t.Fatalf("the request to the approval group is not pending: %+v", pending)
	}
	if code, out := testenv.RunKring(t, env, "admin", "follow", "approve", "--group", "inner", "--actor", pending[0].Actor); code != 0 {
		t.Fatalf("approve: exit %d %s", code, out)
	}
	fedify.waitFor(t, "bob", "Accept", sent.Sent)

	// alice leaves: Undo{Follow} removes her.
	fedify.control(t, "/control/unfollow", url.Values{"actor": {"alice"}, "target": {lobby}}, nil)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if len(followList(t, env, "lobby", "")) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("alice's Undo did not remove her follow")
		}
	}
}

type follow struct{ Actor, State string }

func followList(t *testing.T, env map[string]string, group, state string) []follow {
	t.Helper()
	code, out := testenv.RunKring(t, env, "admin", "follow", "list", "--group", group, "--state", state, "--json")
	if code != 0 {
		t.Fatalf("follow list: exit %d %s", code, out)
	}
	var follows []follow
	if err := json.Unmarshal([]byte(out), &follows); err != nil {
		t.Fatalf("follow list printed %q: %v", out, err)
	}
	return follows
}

// The production shape: Kring behind a TLS proxy at an https URL, the peer on https too (a CA made
// for the test). Fedify finds the group by its handle, through WebFinger, as a person typing
// @lobby@host into their app would, and follows it.
func TestFedifyFollowsByHandleOverTLS(t *testing.T) {
	t.Parallel()
	ca := testenv.NewCA(t)
	proxyPort, backendPort := freePort(t), freePort(t)
	base := "https://127.0.0.1:" + proxyPort
	backend := &url.URL{Scheme: "http", Host: "127.0.0.1:" + backendPort}
	listener, err := net.Listen("tcp", "127.0.0.1:"+proxyPort)
	if err != nil {
		t.Fatal(err)
	}
	testenv.TLSProxy(t, ca, listener, backend)
	// SSL_CERT_FILE makes Go's system roots the test CA, so Kring trusts the peer's certificate.
	startKringAt(t, base, backend.Host, map[string]string{"SSL_CERT_FILE": ca.File})
	fedify := startPeerWith(t, ca)

	handle := "@lobby@127.0.0.1:" + proxyPort
	var found struct{ Type, ID string }
	if status := fedify.control(t, "/control/lookup", url.Values{"target": {handle}}, &found); status != 200 {
		t.Fatalf("Fedify could not find %s by WebFinger: %d", handle, status)
	}
	if found.Type != "Group" || found.ID != base+"/groups/lobby" {
		t.Fatalf("%s resolved to %+v", handle, found)
	}
	var sent struct{ Sent string }
	fedify.control(t, "/control/follow", url.Values{"actor": {"alice"}, "target": {handle}}, &sent)
	if accept := fedify.waitFor(t, "alice", "Accept", sent.Sent); accept.Actor != base+"/groups/lobby" {
		t.Fatalf("accept %+v", accept)
	}
}
