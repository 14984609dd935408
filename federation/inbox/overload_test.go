package inbox_test

import (
	"bytes"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/inbox"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/test/testenv"
)

// inboxAnswer is what a sender learned from one delivery to the inbox.
type inboxAnswer struct {
	status     int
	retryAfter string
	err        error
}

// senderClient gives up on an inbox that holds a request: a full inbox must answer at once, so a
// request still waiting after this long fails the test instead of hanging it.
var senderClient = &http.Client{Timeout: 15 * time.Second}

// sendSigned posts body to the inbox signed by keyID; safe from any goroutine (no t.Fatal).
func (k *kringUnderTest) sendSigned(path string, body []byte, keyID string, key *rsa.PrivateKey) inboxAnswer {
	req, err := http.NewRequest(http.MethodPost, k.server.URL+path, bytes.NewReader(body))
	if err != nil {
		return inboxAnswer{err: err}
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if err := (signing.Signer{KeyID: keyID, Key: key}).Sign(req, body); err != nil {
		return inboxAnswer{err: err}
	}
	resp, err := senderClient.Do(req)
	if err != nil {
		return inboxAnswer{err: err}
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return inboxAnswer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), err: err}
}

// burst sends n Follows from actor at once and returns every inboxAnswer.
func (k *kringUnderTest) burst(n int, actor, keyID string, key *rsa.PrivateKey, object string) []inboxAnswer {
	answers := make([]inboxAnswer, n)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			answers[i] = k.sendSigned("/groups/lobby/inbox", follow(fmt.Sprintf("%s/follows/%d-%d", actor, time.Now().UnixNano(), i), actor, object), keyID, key)
		})
	}
	wg.Wait()
	return answers
}

func storedInbound(t *testing.T, st *store.Store) int64 {
	t.Helper()
	var n int64
	if err := st.DB().Model(&model.InboundActivity{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// An inbox with every slot taken answers the excess at once with 503 and Retry-After, stores
// nothing of it and never answers 500; once slots free up it accepts again, and under a burst each
// request is either stored (202) or refused (503), never lost in between.
func TestOverloadedInboxRefusesAtOnceWith503(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	k := newKringWith(t, st, func(cfg *inbox.ReceiverConfig) {
		cfg.MaxInFlight = 2
		cfg.KeyFetchTimeout = time.Minute // the held requests wait for their keys as long as the test needs
	})
	peer := newRemotePeer(t)
	aliceKey := peer.addUser("alice")
	alice, aliceKeyID := peer.actor("alice"), peer.actor("alice")+"#main-key"
	lobby := k.iris.GroupActor("lobby")

	// Two senders whose servers hold the key fetch until released: each request holds one slot.
	arrived, release := make(chan struct{}, 2), make(chan struct{})
	held := make(chan inboxAnswer, 2)
	for i := range 2 {
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			<-release
		}))
		t.Cleanup(slow.Close)
		actor := fmt.Sprintf("%s/users/slow%d", slow.URL, i)
		go func() {
			held <- k.sendSigned("/groups/lobby/inbox", follow(actor+"/follows/1", actor, lobby), actor+"#main-key", aliceKey)
		}()
	}
	var once sync.Once
	releaseAll := func() { once.Do(func() { close(release) }) }
	t.Cleanup(releaseAll)
	for range 2 {
		select {
		case <-arrived:
		case <-time.After(30 * time.Second):
			t.Fatal("the held requests never reached their key servers")
		}
	}

	for i, a := range k.burst(50, alice, aliceKeyID, aliceKey, lobby) {
		if a.err != nil || a.status != http.StatusServiceUnavailable || a.retryAfter != fmt.Sprint(inbox.OverloadRetryAfter) {
			t.Fatalf("request %d to a full inbox: %d, Retry-After %q, %v; want 503 with Retry-After %d", i, a.status, a.retryAfter, a.err, inbox.OverloadRetryAfter)
		}
	}
	if n := storedInbound(t, st); n != 0 {
		t.Fatalf("a full inbox stored %d activities", n)
	}

	releaseAll()
	for range 2 {
		if a := <-held; a.err != nil || a.status != http.StatusUnauthorized {
			t.Fatalf("a held request whose key never came: %d %v, want 401", a.status, a.err)
		}
	}
	// The slots free up as the held requests end: a lone request is accepted again.
	for deadline := time.Now().Add(10 * time.Second); ; {
		a := k.sendSigned("/groups/lobby/inbox", follow(alice+"/follows/alone", alice, lobby), aliceKeyID, aliceKey)
		if a.err == nil && a.status == http.StatusAccepted {
			break
		}
		if a.err != nil || a.status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("a lone request after the overload: %d %v, want 202", a.status, a.err)
		}
	}

	accepted := 0
	for i, a := range k.burst(50, alice, aliceKeyID, aliceKey, lobby) {
		switch {
		case a.err != nil:
			t.Fatalf("request %d of the burst: %v", i, a.err)
		case a.status == http.StatusAccepted:
			accepted++
		case a.status != http.StatusServiceUnavailable:
			t.Fatalf("request %d of the burst: %d, want 202 or 503", i, a.status)
		}
	}
	if accepted == 0 {
		t.Fatal("the burst had nothing accepted: admission let no request in")
	}
	if n := storedInbound(t, st); n != int64(accepted)+1 {
		t.Fatalf("stored %d activities, but %d were acknowledged", n, accepted+1)
	}
}
