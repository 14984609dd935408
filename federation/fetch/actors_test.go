package fetch

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/test/testenv"
)

func publicPEM(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// remoteServer serves one actor, alice, whose document the test can change, and checks that every
// fetch is signed by Kring's instance key.
type remoteServer struct {
	base     string
	fetches  atomic.Int32
	document func(base string) map[string]any
}

func newRemoteServer(t *testing.T, kring *rsa.PrivateKey) *remoteServer {
	t.Helper()
	rs := &remoteServer{}
	kringKey := signing.VerifiedKey{KeyID: "https://kring.test/actor#main-key", OwnerIRI: "https://kring.test/actor", Key: &kring.PublicKey}
	verifier := &signing.Verifier{Resolver: staticResolver{kringKey}}
	rs.base = server(t, func(base string, w http.ResponseWriter, r *http.Request) {
		if _, err := verifier.Verify(r.Context(), r, nil); err != nil {
			http.Error(w, "unsigned: "+err.Error(), http.StatusUnauthorized) // as GoToSocial does
			return
		}
		rs.fetches.Add(1)
		body, _ := json.Marshal(rs.document(base))
		activityJSON(w, string(body))
	})
	return rs
}

type staticResolver struct{ key signing.VerifiedKey }

func (s staticResolver) PublicKey(context.Context, string, bool) (signing.VerifiedKey, error) {
	return s.key, nil
}

func aliceDocument(pemText string) func(base string) map[string]any {
	return func(base string) map[string]any {
		return map[string]any{
			"@context": []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"id":       base + "/users/alice", "type": "Person", "preferredUsername": "alice", "name": "Alice",
			"inbox": base + "/users/alice/inbox", "endpoints": map[string]any{"sharedInbox": base + "/inbox"},
			"icon":      map[string]any{"type": "Image", "url": base + "/alice.png"},
			"publicKey": map[string]any{"id": base + "/users/alice#main-key", "owner": base + "/users/alice", "publicKeyPem": pemText},
		}
	}
}

func newActors(t *testing.T, st *store.Store) (*Actors, *rsa.PrivateKey) {
	t.Helper()
	kring, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	client := NewClient(Options{UserAgent: "Kring/test", Allow: loopback, AllowHTTP: true, Timeout: 2 * time.Second,
		Signer: signing.Signer{KeyID: "https://kring.test/actor#main-key", Key: kring}})
	return NewActors(client, st, nil), kring
}

func TestResolveActorFetchesSignedAndCaches(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		actors, kring := newActors(t, st)
		aliceKey, _ := rsa.GenerateKey(rand.Reader, 2048)
		remote := newRemoteServer(t, kring)
		remote.document = aliceDocument(publicPEM(t, aliceKey))
		ctx := context.Background()
		alice, err := actors.ResolveActor(ctx, remote.base+"/users/alice")
		if err != nil {
			t.Fatal(err)
		}
		if alice.InboxURL != remote.base+"/users/alice/inbox" || alice.SharedInboxURL != remote.base+"/inbox" ||
			alice.PreferredUsername != "alice" || alice.Host != "127.0.0.1" || alice.IconURL != remote.base+"/alice.png" {
			t.Errorf("stored actor %+v", alice)
		}
		if _, err := actors.ResolveActor(ctx, remote.base+"/users/alice"); err != nil {
			t.Fatal(err)
		}
		key, err := actors.PublicKey(ctx, remote.base+"/users/alice#main-key", false)
		if err != nil || key.OwnerIRI != alice.IRI || !key.Key.(*rsa.PublicKey).Equal(&aliceKey.PublicKey) {
			t.Fatalf("key %+v %v", key, err)
		}
		if n := remote.fetches.Load(); n != 1 {
			t.Errorf("fetches = %d, want 1 (the cache must answer the rest)", n)
		}
		// Rotation: a refresh fetches again, but not twice within a minute.
		rotated, _ := rsa.GenerateKey(rand.Reader, 2048)
		remote.document = aliceDocument(publicPEM(t, rotated))
		key, err = actors.PublicKey(ctx, remote.base+"/users/alice#main-key", true)
		if err != nil || !key.Key.(*rsa.PublicKey).Equal(&rotated.PublicKey) {
			t.Fatalf("refreshed key %v", err)
		}
		if _, err := actors.PublicKey(ctx, remote.base+"/users/alice#main-key", true); err == nil {
			t.Error("a second refetch within a minute must be refused")
		}
		if n := remote.fetches.Load(); n != 2 {
			t.Errorf("fetches = %d, want 2", n)
		}
	})
}

func TestResolveActorRefusesImpostors(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	cases := []struct {
		name   string
		mutate func(base string, doc map[string]any)
		want   string
	}{
		{"key owned by someone else", func(base string, doc map[string]any) {
			doc["publicKey"].(map[string]any)["owner"] = base + "/users/mallory"
		}, "not its own"},
		{"key on another origin", func(_ string, doc map[string]any) {
			doc["publicKey"].(map[string]any)["id"] = "https://elsewhere.example/k"
		}, "not its own"},
		{"not an actor", func(_ string, doc map[string]any) { doc["type"] = "Note" }, "not an actor"},
		{"no inbox", func(_ string, doc map[string]any) { delete(doc, "inbox") }, "inbox"},
		{"bad PEM", func(_ string, doc map[string]any) {
			doc["publicKey"].(map[string]any)["publicKeyPem"] = "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"
		}, "public key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case has its own server, so its own actor IRI, in the shared database
			actors, kring := newActors(t, st)
			aliceKey, _ := rsa.GenerateKey(rand.Reader, 2048)
			remote := newRemoteServer(t, kring)
			good := aliceDocument(publicPEM(t, aliceKey))
			remote.document = func(base string) map[string]any {
				doc := good(base)
				tc.mutate(base, doc)
				return doc
			}
			_, err := actors.ResolveActor(context.Background(), remote.base+"/users/alice")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ResolveActor = %v, want an error about %q", err, tc.want)
			}
		})
	}
}

func TestUnsignedFetchIsRefusedBySecureServers(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	_, kring := newActors(t, st)
	remote := newRemoteServer(t, kring)
	remote.document = aliceDocument("x")
	unsigned := NewActors(testClient(loopback), st, nil)
	if _, err := unsigned.ResolveActor(context.Background(), remote.base+"/users/alice"); !errors.Is(err, ErrStatus) {
		t.Fatalf("unsigned fetch: %v, want the server's 401", err)
	}
}
