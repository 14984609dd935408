package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/security"
	"github.com/chromedp/chromedp"
)

// TestRemoteFollowReachesTheMembersServer: a visitor types their server into the "follow from your
// server" form of a group's public page, and the browser ends on that server's authorize_interaction
// page for the group, as Mastodon's remote follow works. The form is sent to Kring, which answers
// with a redirect to the other origin; Chromium applies the page's CSP form-action to that redirect
// too, so this is the test that the page's policy lets it through. The member's server is a small
// https server on loopback (Kring redirects to https only), whose certificate the browser is told to
// accept. Kring's flow asks it nothing else (no WebFinger): only the redirect's target is fetched.
func TestRemoteFollowReachesTheMembersServer(t *testing.T) {
	t.Parallel()
	browserReady := startBrowser(t)
	k := startKring(t)

	visits := make(chan *url.URL, 10)
	member := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		visits <- r.URL
		if r.URL.Path != "/authorize_interaction" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><title>Follow</title><main><h1>Follow %s?</h1></main>", r.URL.Query().Get("uri"))
	}))
	t.Cleanup(member.Close)
	memberHost := strings.TrimPrefix(member.URL, "https://")

	b := browserReady(k.base)
	if err := b.step(func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, security.SetIgnoreCertificateErrors, security.SetIgnoreCertificateErrorsParams{Ignore: true})
		return err
	}); err != nil {
		t.Fatalf("accept the member server's certificate: %v", err)
	}

	b.open("/groups/tenants")
	b.expect("h1", "Tenants' Desk")
	b.fill(map[string]string{`input[name="server"]`: memberHost})
	console := collectConsole(t, b)
	if err := b.step(func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Click(`//button[normalize-space()="Follow"]`))
	}); err != nil {
		t.Fatalf("send the follow form: %v", err)
	}

	kringHost := strings.TrimPrefix(k.base, "http://")
	want := member.URL + "/authorize_interaction?" + url.Values{"uri": {"acct:tenants@" + kringHost}}.Encode()
	select {
	case visit := <-visits:
		if visit.Path != "/authorize_interaction" || visit.Query().Get("uri") != "acct:tenants@"+kringHost {
			t.Fatalf("the member's server was asked for %s, want /authorize_interaction?uri=acct:tenants@%s", visit, kringHost)
		}
	case <-time.After(stepTimeout):
		t.Fatalf("the browser never reached the member's server; it shows %s: %q; its console says:\n%s",
			b.location(), b.text("body"), strings.Join(console(), "\n"))
	}
	for deadline := time.Now().Add(stepTimeout); b.location() != want; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the browser is at %s, want %s", b.location(), want)
		}
	}
	b.expect("h1", "Follow acct:tenants@"+kringHost+"?")
}

// collectConsole gathers what the page logs from now on (Chromium says there why it refused a
// navigation) and returns a function that gives what was gathered so far.
func collectConsole(t *testing.T, b *browser) func() []string {
	t.Helper()
	ctx, cancel := context.WithCancel(b.ctx)
	t.Cleanup(cancel)
	var mu sync.Mutex
	var lines []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			lines = append(lines, m.String())
			mu.Unlock()
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), lines...)
	}
}
