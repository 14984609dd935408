package inbox_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/test/testenv"
)

// Every hostile or broken request gets its 4xx and changes nothing: no activity stored, no task.
func TestInboxRefusals(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	k := newKring(t, st)
	peer := newRemotePeer(t)
	aliceKey := peer.addUser("alice")
	peer.addUser("bob")
	alice, bob := peer.actor("alice"), peer.actor("bob")
	lobby := k.iris.GroupActor("lobby")
	good := follow(alice+"/follows/1", alice, lobby)
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	mallory, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	// A suspended domain, checked before any key is fetched: nothing listens there.
	if _, err := st.CreateDomainBlock(context.Background(), model.DomainBlock{Domain: "blocked.example", Severity: model.SeveritySuspend}); err != nil {
		t.Fatal(err)
	}
	deep := `{"id":"` + alice + `/deep","type":"Create","actor":"` + alice + `","object":` + strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40) + "}"

	cases := []struct {
		name   string
		path   string
		body   []byte
		keyID  string
		key    *rsa.PrivateKey
		adjust func(*http.Request)
		status int
	}{
		{"unsigned", "/groups/lobby/inbox", good, "", nil, nil, http.StatusUnauthorized},
		{"signed by a stranger's key claiming alice's id", "/groups/lobby/inbox", good, alice + "#main-key", stranger, nil, http.StatusUnauthorized},
		{"bob signs alice's activity", "/groups/lobby/inbox", good, bob + "#main-key", mallory, nil, http.StatusUnauthorized},
		{"body changed after signing", "/groups/lobby/inbox", good, alice + "#main-key", aliceKey, func(r *http.Request) {
			r.Header.Set("Digest", "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
		}, http.StatusUnauthorized},
		{"stale date", "/groups/lobby/inbox", good, alice + "#main-key", aliceKey, func(r *http.Request) {
			r.Header.Set("Date", time.Now().Add(-3*time.Hour).UTC().Format(http.TimeFormat))
		}, http.StatusUnauthorized},
		{"wrong content type", "/groups/lobby/inbox", good, alice + "#main-key", aliceKey, func(r *http.Request) {
			r.Header.Set("Content-Type", "text/plain")
		}, http.StatusUnsupportedMediaType},
		{"too large", "/groups/lobby/inbox", []byte(`{"pad":"` + strings.Repeat("x", 2<<20) + `"}`), alice + "#main-key", aliceKey, nil, http.StatusRequestEntityTooLarge},
		{"not JSON", "/groups/lobby/inbox", []byte(`<xml/>`), alice + "#main-key", aliceKey, nil, http.StatusBadRequest},
		{"nested too deep", "/groups/lobby/inbox", []byte(deep), alice + "#main-key", aliceKey, nil, http.StatusBadRequest},
		{"two documents", "/groups/lobby/inbox", append(append([]byte{}, good...), good...), alice + "#main-key", aliceKey, nil, http.StatusBadRequest},
		{"no id", "/groups/lobby/inbox", []byte(`{"type":"Follow","actor":"` + alice + `","object":"` + lobby + `"}`), alice + "#main-key", aliceKey, nil, http.StatusBadRequest},
		{"id on another server", "/groups/lobby/inbox", follow("https://elsewhere.example/f/1", alice, lobby), alice + "#main-key", aliceKey, nil, http.StatusBadRequest},
		{"actor claims to be local", "/groups/lobby/inbox", follow(lobby+"/f", lobby, lobby), alice + "#main-key", aliceKey, nil, http.StatusBadRequest},
		{"blocked domain", "/inbox", follow("https://blocked.example/f/1", "https://blocked.example/users/x", lobby), "https://blocked.example/users/x#main-key", aliceKey, nil, http.StatusForbidden},
		// A key on a blocked host for an actor elsewhere is off the actor's origin: refused before
		// the block is even looked at, nothing fetched either way.
		{"blocked key host", "/inbox", good, "https://blocked.example/users/x#main-key", aliceKey, nil, http.StatusUnauthorized},
		{"unknown group", "/groups/nobody/inbox", good, alice + "#main-key", aliceKey, nil, http.StatusNotFound},
		{"NUL byte in the group's name", "/groups/lob%00by/inbox", good, alice + "#main-key", aliceKey, nil, http.StatusNotFound},
		{"invalid UTF-8 in the group's name", "/groups/lob%ffby/inbox", good, alice + "#main-key", aliceKey, nil, http.StatusNotFound},
		{"javascript actor", "/inbox", []byte(`{"id":"javascript:alert(1)","type":"Follow","actor":"javascript:alert(1)"}`), alice + "#main-key", aliceKey, nil, http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if status := k.post(t, tc.path, tc.body, tc.keyID, tc.key, tc.adjust); status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
		})
	}
	var stored int64
	if err := st.DB().Model(&model.InboundActivity{}).Count(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if stored != 0 || len(queued(t, st, "inbound:activity")) != 0 {
		t.Fatalf("refused requests changed something: %d activities stored", stored)
	}
	// The same activity, properly signed, is accepted: the refusals were for the reasons named.
	if status := k.post(t, "/groups/lobby/inbox", good, alice+"#main-key", aliceKey, nil); status != http.StatusAccepted {
		t.Fatalf("the good request: status %d", status)
	}
}
