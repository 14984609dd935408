package inbox_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/federation/inbox"
	"github.com/kring-social/kring/test/testenv"
)

// What a sender learns of a refused signature is what was wrong with its request, never what Kring
// met fetching its key; a key on another origin than the actor is never fetched; a slow key server
// does not hold the request.
func TestKeyFetchesAreTiedToTheActorAndBounded(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	k := newKringWith(t, st, func(cfg *inbox.ReceiverConfig) { cfg.KeyFetchTimeout = 300 * time.Millisecond })
	peer := newRemotePeer(t)
	aliceKey := peer.addUser("alice")
	alice := peer.actor("alice")
	lobby := k.iris.GroupActor("lobby")
	var err error

	// An internal service on another origin, which a keyId must not make Kring reach.
	var canaryHits atomic.Int32
	canary := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { canaryHits.Add(1) }))
	canary.Listener.Close()
	if canary.Listener, err = net.Listen("tcp", "127.0.0.5:0"); err != nil {
		t.Fatal(err)
	}
	canary.Start()
	t.Cleanup(canary.Close)
	// And one on the actor's own host, another port.
	sidecar := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { canaryHits.Add(1) }))
	t.Cleanup(sidecar.Close)

	// A server that takes its time to serve its actor's key: answered only when the test ends.
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	slowActor := slow.URL + "/users/slow"

	// A server that is down: its key's fetch is refused, with the address in the error.
	down, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downActor := "http://" + down.Addr().String() + "/users/gone"
	down.Close()

	cases := []struct {
		name, keyID, actor string
		want               string
	}{
		{"key on another origin", canary.URL + "/internal#main-key", alice, "signature not verified: signer's key is not on the actor's origin"},
		{"key on another port of the actor's host", sidecar.URL + "/users/alice#main-key", alice, "signature not verified: signer's key is not on the actor's origin"},
		{"key server down", downActor + "#main-key", downActor, "signature not verified: signer's key unavailable"},
		{"key server too slow", slowActor + "#main-key", slowActor, "signature not verified: signer's key unavailable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := follow(tc.actor+"/follows/1", tc.actor, lobby)
			status, answer := k.postReading(t, "/groups/lobby/inbox", body, tc.keyID, aliceKey, nil)
			if status != http.StatusUnauthorized || !strings.Contains(answer, tc.want) {
				t.Fatalf("status %d %s, want 401 saying %q", status, answer, tc.want)
			}
			for _, leak := range []string{"dial", "refused", "127.0.0.1", "context", "deadline"} {
				if strings.Contains(answer, leak) {
					t.Errorf("the refusal tells the sender %q: %s", leak, answer)
				}
			}
		})
	}
	if n := canaryHits.Load(); n != 0 {
		t.Fatalf("a keyId on another origin reached it %d times", n)
	}
	var stored int64
	if err := st.DB().Model(&model.InboundActivity{}).Count(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if stored != 0 {
		t.Fatalf("%d refused activities stored", stored)
	}
}
