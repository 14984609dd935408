package fetch

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/kring-social/kring/federation/signing"
)

// TestDeliveryIsSentAgainWhenAKeptAliveConnectionDies: a server that closes a kept-alive connection
// as a delivery arrives on it (as servers with short keep-alive timeouts do, such as Node's 5 s)
// makes the delivery fail with a reset, not because the server refused it. The delivery says it is
// idempotent, so it goes again at once on a new connection and succeeds: the server sees it twice,
// the caller once, and nothing waits for the retry schedule. Without the Idempotency-Key header
// the second delivery fails (checked by removing the header).
func TestDeliveryIsSentAgainWhenAKeptAliveConnectionDies(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if requests.Add(1) == 2 {
			// The second request arrives on the first one's connection: close it unanswered.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	client := NewClient(Options{UserAgent: "Kring/test", Allow: loopback, AllowHTTP: true})
	signer := signing.Signer{KeyID: "https://kring.test/actor#main-key", Key: key}
	for i, body := range []string{`{"id":"https://kring.test/a/1","type":"Create"}`, `{"id":"https://kring.test/a/2","type":"Create"}`} {
		result, err := client.Post(context.Background(), srv.URL+"/inbox", []byte(body), signer)
		if err != nil || result.Status != http.StatusAccepted {
			t.Fatalf("delivery %d: %+v, %v", i+1, result, err)
		}
	}
	if got := requests.Load(); got != 3 {
		t.Fatalf("the server saw %d requests, want 3 (the second delivery twice)", got)
	}
}
