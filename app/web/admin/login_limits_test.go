package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/sessions"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/app/web/admin"
	"github.com/kring-social/kring/test/testenv"
)

// slowChecks makes every password check take a while, so requests pile up behind the hash limiter.
type slowChecks struct {
	organisations.PasswordHasher
	delay time.Duration
}

func (h slowChecks) Matches(password, hash string) (bool, error) {
	time.Sleep(h.delay)
	return h.PasswordHasher.Matches(password, hash)
}

// newLoginSite is just enough of the admin to log in and change passwords, with cheap hashing,
// orgs's limiter, and the client's address taken from X-Forwarded-For (loopback is the proxy).
func newLoginSite(t *testing.T, st *store.Store, opts organisations.Options) *site {
	t.Helper()
	ctx := context.Background()
	served := testenv.ServeEngine(t, web.Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	opts.PasswordParams = organisations.TestPasswordParams()
	orgs := organisations.NewServiceWith(st, opts)
	if _, err := orgs.CreateOrganisation(ctx, "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{acmeOwner, acmeAdmin} {
		if _, _, err := orgs.CreateStaff(ctx, organisations.NewStaff{Email: email, Password: password,
			OrganisationSlug: "acme", Role: model.RoleOwner}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := admin.New(admin.Config{Store: st, Organisations: orgs, PublicOrigin: served.Server.URL,
		Sessions: sessions.NewService(st, orgs, sessions.DefaultPolicy())})
	if err != nil {
		t.Fatal(err)
	}
	a.Mount(served.Engine)
	return &site{t: t, store: st, server: served.Server, engine: served.Engine, iris: served.IRIs}
}

// loginFrom posts the login form (its token fetched first) as a browser behind address would.
func (b *browser) loginFrom(address, email, pass string) (int, string, http.Header) {
	b.t.Helper()
	_, page := b.get("/admin/login")
	token := csrfInput.FindStringSubmatch(page)
	if token == nil {
		b.t.Fatalf("no CSRF token on the login page: %s", page)
	}
	return b.postFrom(address, url.Values{"csrf": {token[1]}, "email": {email}, "password": {pass}})
}

// postFrom posts a prepared login form; safe to call from any goroutine (it reports errors as
// status 0).
func (b *browser) postFrom(address string, form url.Values) (int, string, http.Header) {
	req, err := http.NewRequest(http.MethodPost, b.site.server.URL+"/admin/login", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err.Error(), nil
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", address)
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, err.Error(), nil
	}
	defer resp.Body.Close()
	var body strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		body.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, body.String(), resp.Header
}

// TestLoginRefusedAsBusy: logins that find no room to hash their password within the wait get the
// login page again with 429, a Retry-After and a "busy" message; the rest log in.
func TestLoginRefusedAsBusy(t *testing.T) {
	t.Parallel()
	params := organisations.TestPasswordParams()
	s := newLoginSite(t, testenv.Postgres(t), organisations.Options{
		Hasher: slowChecks{PasswordHasher: organisations.Argon2id{}, delay: 300 * time.Millisecond},
		Hashes: organisations.NewHashLimiter(uint64(params.Memory), 100*time.Millisecond)})
	const logins = 6
	browsers := make([]*browser, logins)
	forms := make([]url.Values, logins)
	for i := range browsers {
		browsers[i] = s.browser()
		_, page := browsers[i].get("/admin/login")
		forms[i] = url.Values{"csrf": {csrfInput.FindStringSubmatch(page)[1]}, "email": {acmeOwner}, "password": {password}}
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		byState = map[int]int{}
	)
	for i := range browsers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each from an address of its own: this is about the hashes, not the throttle.
			status, page, header := browsers[i].postFrom(fmt.Sprintf("192.0.2.%d", i+1), forms[i])
			mu.Lock()
			defer mu.Unlock()
			byState[status]++
			if status == http.StatusTooManyRequests && (!strings.Contains(page, "busy") || header.Get("Retry-After") == "") {
				t.Errorf("429 without the busy message or Retry-After (%q): %s", header.Get("Retry-After"), page)
			}
		}()
	}
	wg.Wait()
	if byState[http.StatusSeeOther] == 0 || byState[http.StatusTooManyRequests] == 0 ||
		byState[http.StatusSeeOther]+byState[http.StatusTooManyRequests] != logins {
		t.Errorf("statuses %v: want some logged in (303), the rest refused as busy (429)", byState)
	}
}

// TestLoginThrottledPerAddress: wrong passwords from one address get 429 there, with a Retry-After;
// the owner logs in from her own address meanwhile.
func TestLoginThrottledPerAddress(t *testing.T) {
	t.Parallel()
	s := newLoginSite(t, testenv.Postgres(t), organisations.Options{})
	guesser := s.browser()
	for i := 0; i < 5; i++ {
		if status, _, _ := guesser.loginFrom("198.51.100.7", acmeOwner, "not the password"); status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, status)
		}
	}
	status, page, header := guesser.loginFrom("198.51.100.7", acmeOwner, "not the password")
	if status != http.StatusTooManyRequests || !strings.Contains(page, "too many wrong passwords") || header.Get("Retry-After") == "" {
		t.Errorf("sixth guess: %d (Retry-After %q), want 429 with the throttle's message", status, header.Get("Retry-After"))
	}
	if status, _, _ := s.browser().loginFrom("192.0.2.10", acmeOwner, password); status != http.StatusSeeOther {
		t.Errorf("the owner from her own address: %d, want logged in", status)
	}
}

// TestPasswordPageThrottled: wrong current passwords on the password page are refused (400), then
// throttled (429) even with the right one, and the password is not changed.
func TestPasswordPageThrottled(t *testing.T) {
	t.Parallel()
	s := newLoginSite(t, testenv.Postgres(t), organisations.Options{})
	b := s.loggedIn(acmeOwner)
	change := func(current string) (int, string) {
		return b.submit("/admin/password", "/admin/password", url.Values{"current_password": {current},
			"new_password": {"a brand new password"}, "confirm_password": {"a brand new password"}})
	}
	for i := 0; i < sessions.DefaultPolicy().MaxPasswordChecks; i++ {
		if status, page := change("not my password"); status != http.StatusBadRequest || !strings.Contains(page, "is not your current password") {
			t.Fatalf("wrong current password %d: %d", i, status)
		}
	}
	if status, page := change(password); status != http.StatusTooManyRequests || !strings.Contains(page, "too many wrong passwords") {
		t.Errorf("right current password after the guesses: %d, want 429\n%s", status, page)
	}
	if status, _ := s.browser().login(acmeOwner, password); status != http.StatusSeeOther {
		t.Errorf("the old password no longer logs in (%d): it was changed", status)
	}
}
