package sessions

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// The store stamps a session's creation and last use with the real time and judges its expiry by
// the real time; the service's clock (f.clock) sets the expiry and judges the lifetime. The tests
// below move the service's clock around the real time accordingly.

// loginAt logs the owner in with the service's clock at at, and returns the cookie token and session.
func (f *fixture) loginAt(t *testing.T, at time.Time) (string, Session) {
	t.Helper()
	f.setClock(at)
	token, session, err := f.svc.Login(context.Background(), owner, ownerPassword, ownerAddress, "test")
	if err != nil {
		t.Fatal(err)
	}
	return token, session
}

func (f *fixture) setClock(at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = at
}

func (f *fixture) resumeAt(at time.Time, token string) (Session, error) {
	f.setClock(at)
	return f.svc.Resume(context.Background(), token)
}

func within(a, b, d time.Duration) bool { return a-b < d && b-a < d }

// TestLoginOpensASessionNamedByTheTokensHash: the cookie token is random, the row keeps only its
// SHA-256, the CSRF token differs per session, the expiry is the idle timeout away, and address and
// user agent are clipped.
func TestLoginOpensASessionNamedByTheTokensHash(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testenv.SQLite(t))
	ctx := context.Background()
	longUA := strings.Repeat("u", 1000)
	longIP := strings.Repeat("1", 100)
	token, session, err := f.svc.Login(ctx, "  OWNER@Example.ORG ", ownerPassword, longIP, longUA)
	if err != nil {
		t.Fatalf("login with the e-mail in another case and spaces: %v", err)
	}
	if token == "" || session.Row.ID != tokenID(token) || strings.Contains(session.Row.ID, token) {
		t.Errorf("token %q, row id %q: want the row named by the token's SHA-256 only", token, session.Row.ID)
	}
	if session.Account.Email != owner || session.Row.StaffAccountID != session.Account.ID {
		t.Errorf("session of %+v, row %+v", session.Account, session.Row)
	}
	if len(session.Row.IP) != 64 || len(session.Row.UserAgent) != 300 {
		t.Errorf("address kept %d bytes, user agent %d; want 64 and 300", len(session.Row.IP), len(session.Row.UserAgent))
	}
	if want := f.now().Add(DefaultPolicy().IdleTimeout); !within(session.Row.ExpiresAt.Sub(want), 0, time.Second) {
		t.Errorf("expires %v, want %v", session.Row.ExpiresAt, want)
	}
	token2, session2, err := f.svc.Login(ctx, owner, ownerPassword, ownerAddress, "test")
	if err != nil {
		t.Fatal(err)
	}
	if token2 == token || session2.Row.CSRFToken == session.Row.CSRFToken || session.Row.CSRFToken == "" || session.Row.CSRFToken == token {
		t.Error("every login must get its own cookie token and its own CSRF token, distinct from each other")
	}
	// The stored id is no cookie: whoever reads the table cannot replay it.
	if _, err := f.svc.Resume(ctx, session.Row.ID); !errors.Is(err, ErrNoSession) {
		t.Errorf("resuming with the stored id: %v, want ErrNoSession", err)
	}
}

// TestLoginRefusals: unknown e-mails, wrong and empty passwords, and disabled accounts are refused
// as unauthenticated, with no session opened.
func TestLoginRefusals(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	f := newFixture(t, st)
	ctx := context.Background()
	disabled, _, err := f.orgs(st).CreateStaff(ctx, organisations.NewStaff{Email: "gone@example.org", Password: ownerPassword, InstanceAdmin: true})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := st.SetStaffDisabled(ctx, disabled.ID, &now); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, email, password string }{
		{"unknown e-mail", "nobody@example.org", ownerPassword},
		{"wrong password", owner, "not the owner's password"},
		{"empty password", owner, ""},
		{"empty e-mail", "", ownerPassword},
		{"disabled account", "gone@example.org", ownerPassword},
	}
	for i, tc := range cases {
		// a fresh address each, so the throttle never answers instead
		token, session, err := f.svc.Login(ctx, tc.email, tc.password, "198.51.100."+string(rune('1'+i)), "test")
		if apperror.KindOf(err) != apperror.KindUnauthenticated || token != "" || session.Row.ID != "" {
			t.Errorf("%s: token %q, session %+v, error %v; want unauthenticated and nothing else", tc.name, token, session.Row, err)
		}
	}
	var rows int64
	if err := st.DB().Table("admin_sessions").Count(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Errorf("%d sessions opened by refused logins", rows)
	}
}

// orgs is an organisations service on st like the fixture's, for making more accounts.
func (f *fixture) orgs(st *store.Store) *organisations.Service {
	return organisations.NewServiceWith(st, organisations.Options{PasswordParams: organisations.TestPasswordParams(), Hasher: f.hasher})
}

// TestResumeIdleExpiry: a session left unused past the idle timeout is gone; one used within it is
// kept alive, its expiry moved at most once a minute.
func TestResumeIdleExpiry(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		idle := DefaultPolicy().IdleTimeout

		// Logged in longer ago than the idle timeout and not used since: over.
		stale, _ := f.loginAt(t, time.Now().Add(-idle-time.Minute))
		if _, err := f.resumeAt(time.Now(), stale); !errors.Is(err, ErrNoSession) {
			t.Errorf("a session idle past the timeout: %v, want ErrNoSession", err)
		}

		// Logged in with an hour of idleness left: resuming two minutes on (more than a minute
		// after its last use) moves its expiry a full idle timeout from then.
		token, _ := f.loginAt(t, time.Now().Add(-idle+time.Hour))
		later := time.Now().Add(2 * time.Minute)
		session, err := f.resumeAt(later, token)
		if err != nil || session.Account.Email != owner {
			t.Fatalf("a session within its idle timeout: %+v, %v", session.Account, err)
		}
		row, err := st.AdminSessionByID(context.Background(), tokenID(token), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if want := later.Add(idle); !within(row.ExpiresAt.Sub(want), 0, time.Second) {
			t.Errorf("expiry after use %v, want %v", row.ExpiresAt, want)
		}

		// Used again within the minute: no write, the expiry stays.
		if _, err := f.resumeAt(time.Now(), token); err != nil {
			t.Fatal(err)
		}
		again, err := st.AdminSessionByID(context.Background(), tokenID(token), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !again.ExpiresAt.Equal(row.ExpiresAt) {
			t.Errorf("expiry moved by a use within the minute: %v, was %v", again.ExpiresAt, row.ExpiresAt)
		}
	})
}

// TestResumeMaxLifetime: a session kept alive ends anyway once the maximum lifetime from login has
// passed.
func TestResumeMaxLifetime(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		lifetime, step := DefaultPolicy().MaxLifetime, DefaultPolicy().IdleTimeout-time.Hour
		login := time.Now()
		token, _ := f.loginAt(t, login)
		// Kept alive: used within every idle timeout until a minute before the end of its lifetime.
		for at := login.Add(step); at.Before(login.Add(lifetime - time.Minute)); at = at.Add(step) {
			if _, err := f.resumeAt(at, token); err != nil {
				t.Fatalf("kept alive, %s after login: %v", at.Sub(login), err)
			}
		}
		if _, err := f.resumeAt(login.Add(lifetime-time.Minute), token); err != nil {
			t.Fatalf("a minute before the end of its lifetime: %v, want the session", err)
		}
		if _, err := f.resumeAt(login.Add(lifetime+time.Minute), token); !errors.Is(err, ErrNoSession) {
			t.Errorf("past its lifetime (kept alive until then): %v, want ErrNoSession", err)
		}
	})
}

// TestResumeRefusals: no token, an unknown token, and a disabled account's session are no session.
func TestResumeRefusals(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	f := newFixture(t, st)
	ctx := context.Background()
	token, session := f.loginAt(t, time.Now())
	for _, bad := range []string{"", "not a token", token + "x", strings.ToUpper(token)} {
		if got, err := f.svc.Resume(ctx, bad); !errors.Is(err, ErrNoSession) || got.Account.ID != "" {
			t.Errorf("token %q: %+v, %v; want ErrNoSession", bad, got.Account, err)
		}
	}
	if apperror.KindOf(ErrNoSession) != apperror.KindUnauthenticated {
		t.Errorf("ErrNoSession is %v, want unauthenticated", apperror.KindOf(ErrNoSession))
	}
	now := time.Now()
	if err := st.SetStaffDisabled(ctx, session.Account.ID, &now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Resume(ctx, token); !errors.Is(err, ErrNoSession) {
		t.Errorf("the session of a disabled account: %v, want ErrNoSession", err)
	}
}

// TestLogoutEndsOnlyThatSession: logging out ends the session the token names, not the account's
// others; an empty or unknown token, or logging out twice, is no error.
func TestLogoutEndsOnlyThatSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testenv.SQLite(t))
	ctx := context.Background()
	first, _ := f.loginAt(t, time.Now())
	second, _ := f.loginAt(t, time.Now())
	if err := f.svc.Logout(ctx, first); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Resume(ctx, first); !errors.Is(err, ErrNoSession) {
		t.Errorf("after logout: %v, want ErrNoSession", err)
	}
	if _, err := f.svc.Resume(ctx, second); err != nil {
		t.Errorf("the account's other session after logout: %v", err)
	}
	for _, token := range []string{first, "", "never issued"} {
		if err := f.svc.Logout(ctx, token); err != nil {
			t.Errorf("logout of %q: %v", token, err)
		}
	}
	if _, err := f.svc.Resume(ctx, second); err != nil {
		t.Errorf("the other session after more logouts: %v", err)
	}
}

// TestEndAllSessionsAndChangePassword: ending all sessions of an account leaves other accounts'
// alone; changing the password keeps the session that changed it and ends the account's others.
func TestEndAllSessionsAndChangePassword(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	f := newFixture(t, st)
	ctx := context.Background()
	const otherEmail = "other@example.org"
	if _, _, err := f.orgs(st).CreateStaff(ctx, organisations.NewStaff{Email: otherEmail, Password: ownerPassword, InstanceAdmin: true}); err != nil {
		t.Fatal(err)
	}
	otherToken, _, err := f.svc.Login(ctx, otherEmail, ownerPassword, ownerAddress, "test")
	if err != nil {
		t.Fatal(err)
	}
	a, session := f.loginAt(t, time.Now())
	b, _ := f.loginAt(t, time.Now())
	if err := f.svc.EndAllSessions(ctx, session.Account.ID); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{a, b} {
		if _, err := f.svc.Resume(ctx, token); !errors.Is(err, ErrNoSession) {
			t.Errorf("after ending all sessions: %v, want ErrNoSession", err)
		}
	}
	if _, err := f.svc.Resume(ctx, otherToken); err != nil {
		t.Errorf("another account's session: %v", err)
	}

	keep, session := f.loginAt(t, time.Now())
	ended, _ := f.loginAt(t, time.Now())
	const next = "a brand new long password"
	if err := f.svc.ChangePassword(ctx, session, ownerPassword, next); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Resume(ctx, keep); err != nil {
		t.Errorf("the session that changed the password: %v", err)
	}
	if _, err := f.svc.Resume(ctx, ended); !errors.Is(err, ErrNoSession) {
		t.Errorf("the account's other session after a password change: %v, want ErrNoSession", err)
	}
	if _, err := f.svc.Resume(ctx, otherToken); err != nil {
		t.Errorf("another account's session after the password change: %v", err)
	}
	if err := f.login(owner, ownerPassword, ownerAddress); apperror.KindOf(err) != apperror.KindUnauthenticated {
		t.Errorf("the old password: %v, want unauthenticated", err)
	}
	if err := f.login(owner, next, ownerAddress); err != nil {
		t.Errorf("the new password: %v", err)
	}
}

func TestCSRFMatches(t *testing.T) {
	t.Parallel()
	const csrf = "k3J9x-token_value"
	session := Session{}
	session.Row.CSRFToken = csrf
	cases := []struct {
		token string
		want  bool
	}{
		{csrf, true},
		{"", false},
		{"forged", false},
		{csrf[:len(csrf)-1], false},
		{csrf + "x", false},
		{strings.ToUpper(csrf), false},
		{" " + csrf, false},
	}
	for _, tc := range cases {
		if got := session.CSRFMatches(tc.token); got != tc.want {
			t.Errorf("CSRFMatches(%q) = %t, want %t", tc.token, got, tc.want)
		}
	}
	// A session without a token (never issued) matches nothing, not even an empty form field.
	if (Session{}).CSRFMatches("") {
		t.Error("an empty token matched a session without one")
	}
}

func TestPolicyAllowsLogin(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	now := time.Now()
	cases := []struct {
		name   string
		counts store.LoginAttemptCounts
		want   bool
	}{
		{"nothing on record", store.LoginAttemptCounts{}, true},
		{"address one below its limit", store.LoginAttemptCounts{ByAddress: int64(p.MaxFailsByAddress - 1)}, true},
		{"address at its limit", store.LoginAttemptCounts{ByAddress: int64(p.MaxFailsByAddress)}, false},
		{"account and address one below", store.LoginAttemptCounts{ByAccountAndAddress: int64(p.MaxFailsByAccountAndAddress - 1)}, true},
		{"account and address at the limit", store.LoginAttemptCounts{ByAccountAndAddress: int64(p.MaxFailsByAccountAndAddress)}, false},
		{"account slowed, last attempt just now", store.LoginAttemptCounts{ByAccount: int64(p.AccountSlowAfter), LatestForAccount: now}, false},
		{"account slowed, interval not quite over",
			store.LoginAttemptCounts{ByAccount: int64(p.AccountSlowAfter), LatestForAccount: now.Add(-p.AccountSlowInterval + time.Second)}, false},
		{"account slowed, interval over",
			store.LoginAttemptCounts{ByAccount: int64(p.AccountSlowAfter), LatestForAccount: now.Add(-p.AccountSlowInterval)}, true},
		{"account below the slow-down", store.LoginAttemptCounts{ByAccount: int64(p.AccountSlowAfter - 1), LatestForAccount: now}, true},
	}
	for _, tc := range cases {
		if got := p.allowsLogin(tc.counts, now); got != tc.want {
			t.Errorf("%s: allowsLogin = %t, want %t", tc.name, got, tc.want)
		}
	}
	for n, want := range map[int]bool{0: true, p.MaxPasswordChecks - 1: true, p.MaxPasswordChecks: false, p.MaxPasswordChecks + 3: false} {
		if got := p.allowsPasswordCheck(store.LoginAttemptCounts{ByAccount: int64(n)}, now); got != want {
			t.Errorf("%d wrong current passwords: allowsPasswordCheck = %t, want %t", n, got, want)
		}
	}
}
