package inbox_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/federation/inbox"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

// A sender cannot fill Kring's database: activities of types Kring ignores are acknowledged and not
// kept, and what is kept is counted per actor and per server, exactly under parallel requests, past
// which the sender is told to come back later.
func TestInboxStoresWithinQuota(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	quota, err := workers.NewInboundQuota(testenv.Redis(t), workers.InboundLimits{Window: time.Hour, PerActor: 5, PerHost: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = quota.Close() })
	k := newKringWith(t, st, func(cfg *inbox.ReceiverConfig) { cfg.Quota = quota })
	peer := newRemotePeer(t)
	aliceKey, bobKey := peer.addUser("alice"), peer.addUser("bob")
	alice, bob := peer.actor("alice"), peer.actor("bob")
	lobby := k.iris.GroupActor("lobby")

	// Thirty 100 KiB activities of a type Kring does nothing with: acknowledged, nothing kept.
	padding := strings.Repeat("x", 100<<10)
	for i := range 30 {
		body, err := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
			"id": fmt.Sprintf("%s/adds/%d", alice, i), "type": "Add", "actor": alice, "object": alice + "/notes/1",
			"target": alice + "/collections/featured", "content": padding})
		if err != nil {
			t.Fatal(err)
		}
		if status := k.post(t, "/groups/lobby/inbox", body, alice+"#main-key", aliceKey, nil); status != http.StatusAccepted {
			t.Fatalf("ignored activity %d: status %d, want 202", i, status)
		}
	}
	if n := countInbound(t, k); n != 0 {
		t.Fatalf("%d activities of an ignored type stored", n)
	}

	// Fifty Follows from alice at once: exactly her five are stored, the rest told to wait.
	statuses := make(chan *http.Response, 50)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- k.postSigned(t, "/groups/lobby/inbox", follow(fmt.Sprintf("%s/follows/%d", alice, i), alice, lobby), alice+"#main-key", aliceKey)
		}()
	}
	wg.Wait()
	close(statuses)
	accepted, limited := 0, 0
	for resp := range statuses {
		switch resp.StatusCode {
		case http.StatusAccepted:
			accepted++
		case http.StatusTooManyRequests:
			limited++
			if wait, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || wait < 1 || wait > 3600 {
				t.Errorf("Retry-After %q, want the seconds left of the hour's window", resp.Header.Get("Retry-After"))
			}
		default:
			t.Errorf("status %d", resp.StatusCode)
		}
	}
	if accepted != 5 || limited != 45 || countInbound(t, k) != 5 {
		t.Fatalf("accepted %d, limited %d, stored %d; want 5, 45, 5", accepted, limited, countInbound(t, k))
	}

	// Bob is on alice's server, which has three left of its eight.
	accepted = 0
	for i := range 6 {
		if k.post(t, "/groups/lobby/inbox", follow(fmt.Sprintf("%s/follows/%d", bob, i), bob, lobby), bob+"#main-key", bobKey, nil) == http.StatusAccepted {
			accepted++
		}
	}
	if accepted != 3 || countInbound(t, k) != 8 {
		t.Fatalf("bob: %d accepted, %d stored; want 3 and 8", accepted, countInbound(t, k))
	}
}

func countInbound(t *testing.T, k *kringUnderTest) int64 {
	t.Helper()
	var n int64
	if err := k.store.DB().Model(&model.InboundActivity{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// postSigned sends a signed activity from any goroutine (no t.Fatal) and returns the response, closed.
func (k *kringUnderTest) postSigned(t *testing.T, path string, body []byte, keyID string, key *rsa.PrivateKey) *http.Response {
	req, err := http.NewRequest(http.MethodPost, k.server.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Error(err)
		return &http.Response{}
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if err := (signing.Signer{KeyID: keyID, Key: key}).Sign(req, body); err != nil {
		t.Error(err)
		return &http.Response{}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return &http.Response{}
	}
	resp.Body.Close()
	return resp
}
