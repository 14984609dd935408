package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestLoginAndLogout: a wrong password is refused without telling which part was wrong, the right one
// opens a session in an HttpOnly cookie, pages then show, and logging out ends the session.
func TestLoginAndLogout(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		b := s.browser()
		if status, _ := b.get("/admin"); status != http.StatusSeeOther {
			t.Fatalf("logged out, /admin: %d, want a redirect to the login", status)
		}
		if status, page := b.login(acmeOwner, "wrong password!"); status != http.StatusUnauthorized || !strings.Contains(page, "wrong email or password") {
			t.Fatalf("wrong password: %d", status)
		}
		if status, _ := b.login("nobody@acme.test", password); status != http.StatusUnauthorized {
			t.Fatalf("unknown account: %d", status)
		}
		resp, err := b.client.Get(s.server.URL + "/admin/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, c := range resp.Cookies() {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("cookie %s: HttpOnly %t, SameSite %v", c.Name, c.HttpOnly, c.SameSite)
			}
		}
		if status, _ := b.login(acmeOwner, password); status != http.StatusSeeOther {
			t.Fatalf("right password: %d", status)
		}
		status, page := b.get("/admin")
		if status != http.StatusOK || !strings.Contains(page, "Lobby") || !strings.Contains(page, "Desk") {
			t.Fatalf("dashboard: %d %s", status, page)
		}
		if status, _ := b.submit("/admin", "/admin/logout", nil); status != http.StatusSeeOther {
			t.Fatalf("logout: %d", status)
		}
		if status, _ := b.get("/admin"); status != http.StatusSeeOther {
			t.Errorf("after logout, /admin: %d", status)
		}
	})
}

// TestLoginThrottle stops password guessing: after five wrong passwords for one account, even the
// right one is refused for a while.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	b := s.browser()
	for i := 0; i < 5; i++ {
		if status, _ := b.login(acmeAdmin, "not the password"); status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, status)
		}
	}
	if status, _ := b.login(acmeAdmin, password); status != http.StatusTooManyRequests {
		t.Errorf("right password after five wrong ones: %d, want 429", status)
	}
	if status, _ := s.browser().login(acmeOwner, password); status != http.StatusSeeOther {
		t.Errorf("another account is not throttled: %d", status)
	}
}

// TestCSRF refuses forms without the session's token, with a wrong one, and from another origin;
// the login form needs its own token too.
func TestCSRF(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	b := s.loggedIn(acmeOwner)
	if status, _ := b.postForm("/admin/logout", url.Values{}); status != http.StatusForbidden {
		t.Errorf("no token: %d", status)
	}
	if status, _ := b.postForm("/admin/logout", url.Values{"csrf": {"forged"}}); status != http.StatusForbidden {
		t.Errorf("wrong token: %d", status)
	}
	_, page := b.get("/admin")
	token := csrfInput.FindStringSubmatch(page)[1]
	req, _ := http.NewRequest(http.MethodPost, s.server.URL+"/admin/logout", strings.NewReader(url.Values{"csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("other origin: %d", resp.StatusCode)
	}
	if status, _ := s.browser().postForm("/admin/login", url.Values{"email": {acmeOwner}, "password": {password}}); status != http.StatusForbidden {
		t.Errorf("login without the form's token: %d", status)
	}
	if status, _ := b.get("/admin"); status != http.StatusOK {
		t.Errorf("refused forms must not have logged out: %d", status)
	}
}

// TestPasswordChange needs the current password, ends the other sessions, and the new password
// works at the next login.
func TestPasswordChange(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	b := s.loggedIn(lobbyMod)
	other := s.loggedIn(lobbyMod)
	const next = "a much longer new passphrase"
	if status, _ := b.submit("/admin/password", "/admin/password", url.Values{"current_password": {"wrong"},
		"new_password": {next}, "confirm_password": {next}}); status != http.StatusBadRequest {
		t.Errorf("wrong current password: %d", status)
	}
	if status, _ := b.submit("/admin/password", "/admin/password", url.Values{"current_password": {password},
		"new_password": {"short"}, "confirm_password": {"short"}}); status != http.StatusBadRequest {
		t.Errorf("short password: %d", status)
	}
	if status, _ := b.submit("/admin/password", "/admin/password", url.Values{"current_password": {password},
		"new_password": {next}, "confirm_password": {next}}); status != http.StatusSeeOther {
		t.Fatalf("change: %d", status)
	}
	if status, _ := b.get("/admin"); status != http.StatusOK {
		t.Errorf("the session that changed it goes on: %d", status)
	}
	if status, _ := other.get("/admin"); status != http.StatusSeeOther {
		t.Errorf("the other session must end: %d", status)
	}
	if status, _ := s.browser().login(lobbyMod, next); status != http.StatusSeeOther {
		t.Errorf("the new password does not work: %d", status)
	}
}

// TestDashboardShowsOnlyOwnGroups: each role sees the groups it may act on, no more.
func TestDashboardShowsOnlyOwnGroups(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	for _, tc := range []struct {
		email       string
		see, notSee []string
	}{
		{instanceAdmin, []string{"Lobby", "Desk", "Elsewhere"}, nil},
		{acmeOwner, []string{"Lobby", "Desk"}, []string{"Elsewhere"}},
		{acmeAdmin, []string{"Lobby", "Desk"}, []string{"Elsewhere"}},
		{lobbyMod, []string{"Lobby"}, []string{"Desk", "Elsewhere"}},
		{otherAdmin, []string{"Elsewhere"}, []string{"Lobby", "Desk"}},
	} {
		_, page := s.loggedIn(tc.email).get("/admin")
		for _, name := range tc.see {
			if !strings.Contains(page, ">"+name+"<") {
				t.Errorf("%s should see %s", tc.email, name)
			}
		}
		for _, name := range tc.notSee {
			if strings.Contains(page, ">"+name+"<") {
				t.Errorf("%s must not see %s", tc.email, name)
			}
		}
	}
}
