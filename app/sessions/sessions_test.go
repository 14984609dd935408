package sessions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

const (
	owner         = "owner@example.org"
	ownerPassword = "the owner's long password"
	ownerAddress  = "192.0.2.10"
)

// countingHasher counts the password checks that reach the hasher: the work a throttle must stop.
type countingHasher struct {
	organisations.PasswordHasher
	checks atomic.Int64
}

func (h *countingHasher) Matches(password, hash string) (bool, error) {
	h.checks.Add(1)
	return h.PasswordHasher.Matches(password, hash)
}

// fixture is a sessions service on st with one account, cheap hashing counted, and a clock the test
// moves.
type fixture struct {
	svc    *Service
	st     *store.Store
	hasher *countingHasher
	mu     sync.Mutex
	clock  time.Time
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	f := &fixture{st: st, hasher: &countingHasher{PasswordHasher: organisations.Argon2id{}}, clock: time.Now()}
	orgs := organisations.NewServiceWith(st, organisations.Options{PasswordParams: organisations.TestPasswordParams(), Hasher: f.hasher})
	if _, _, err := orgs.CreateStaff(context.Background(), organisations.NewStaff{Email: owner, Password: ownerPassword, InstanceAdmin: true}); err != nil {
		t.Fatal(err)
	}
	f.svc = NewService(st, orgs, DefaultPolicy())
	f.svc.now = f.now
	return f
}

func (f *fixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = f.clock.Add(d)
}

func (f *fixture) login(email, password, address string) error {
	_, _, err := f.svc.Login(context.Background(), email, password, address, "test")
	return err
}

// outcomes runs n logins at once and counts their results by kind: "ok", "wrong", "throttled".
func (f *fixture) parallelLogins(t *testing.T, n int, login func(i int) error) map[string]int {
	t.Helper()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts = map[string]int{}
		start  = make(chan struct{})
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := login(i)
			outcome := "ok"
			switch {
			case errors.Is(err, ErrThrottled):
				outcome = "throttled"
			case apperror.KindOf(err) == apperror.KindUnauthenticated:
				outcome = "wrong"
			case err != nil:
				outcome = "error: " + err.Error()
			}
			mu.Lock()
			counts[outcome]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return counts
}

// TestParallelWrongPasswordsAreReservedBeforeHashing: forty wrong passwords sent at once for one
// account from one address get exactly the per-address-and-account allowance of checks; the rest are
// throttled without hashing, and the right password is then throttled too.
func TestParallelWrongPasswordsAreReservedBeforeHashing(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		limit := DefaultPolicy().MaxFailsByAccountAndAddress
		counts := f.parallelLogins(t, 40, func(i int) error {
			return f.login(owner, fmt.Sprintf("wrong guess number %d", i), ownerAddress)
		})
		if counts["wrong"] != limit || counts["throttled"] != 40-limit || len(counts) != 2 {
			t.Errorf("outcomes %v, want %d wrong and %d throttled", counts, limit, 40-limit)
		}
		if got := f.hasher.checks.Load(); got != int64(limit) {
			t.Errorf("%d passwords checked, want %d", got, limit)
		}
		if err := f.login(owner, ownerPassword, ownerAddress); !errors.Is(err, ErrThrottled) {
			t.Errorf("right password from the guessing address: %v, want throttled", err)
		}
	})
}

// TestLoginAttemptsAreCountedOneAtATime: logins sent at once count the attempts on record one after
// the other, each after the one before it recorded its own, so none passes a limit it read as not
// yet reached. Each login, once it has counted, holds its transaction until another is seen either
// waiting in PostgreSQL for the address's lock (they are serialised) or past its own count (they
// are not), or until every other has ended: without the lock, the second outcome is certain, not a
// matter of timing.
func TestLoginAttemptsAreCountedOneAtATime(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	f := newFixture(t, st)
	const logins, address = 8, "198.51.100.44" // an address no other test uses: its lock is this test's alone
	watcher := testenv.Conn(t, st)             // taken now: the logins may hold every other connection
	lock := addressLock(t, address)
	waiting := func() bool {
		n, err := testenv.AdvisoryLockWaiters(watcher, lock)
		if err != nil {
			t.Error(err)
			return true // stop holding: the others must not wait for a watcher that cannot see
		}
		return n > 0
	}
	var inside, ended atomic.Int32
	var overlapped atomic.Bool
	f.svc.afterCount = func() {
		if inside.Add(1) > 1 {
			overlapped.Store(true)
		}
		defer inside.Add(-1)
		for !overlapped.Load() && ended.Load() < logins-1 && !waiting() {
			time.Sleep(time.Millisecond) // polling PostgreSQL's view of the lock
		}
	}
	limit := DefaultPolicy().MaxFailsByAccountAndAddress
	counts := f.parallelLogins(t, logins, func(i int) error {
		defer ended.Add(1)
		return f.login(owner, fmt.Sprintf("wrong guess number %d", i), address)
	})
	if overlapped.Load() {
		t.Error("two logins were between their count and their record at once")
	}
	if counts["wrong"] != min(limit, logins) || counts["wrong"]+counts["throttled"] != logins {
		t.Errorf("outcomes %v, want %d wrong and the rest throttled", counts, min(limit, logins))
	}
}

// addressLock is the lock a login from address takes for the address (store.LoginAttemptLocks
// gives it with the account's, in an order of their own).
func addressLock(t *testing.T, address string) store.AdvisoryLock {
	t.Helper()
	withAddress := store.LoginAttemptLocks(store.AttemptLogin, store.NormaliseEmail(owner), address)
	elsewhere := store.LoginAttemptLocks(store.AttemptLogin, store.NormaliseEmail(owner), "203.0.113.200")
	for _, lock := range withAddress {
		if !slices.Contains(elsewhere, lock) {
			return lock
		}
	}
	t.Fatal("no lock of the address among the login's locks")
	return 0
}

// TestOthersFailuresDoNotLockTheOwnerOut: someone guessing the owner's password from their own
// address is throttled there, while the owner logs in from hers.
func TestOthersFailuresDoNotLockTheOwnerOut(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		const attacker = "198.51.100.7"
		for i := 0; i < 8; i++ {
			_ = f.login(owner, fmt.Sprintf("guess %d", i), attacker)
		}
		if err := f.login(owner, "guess again", attacker); !errors.Is(err, ErrThrottled) {
			t.Fatalf("the guessing address is not throttled: %v", err)
		}
		if err := f.login(owner, ownerPassword, ownerAddress); err != nil {
			t.Errorf("the owner from her address: %v", err)
		}
	})
}

// TestSuccessfulLoginsAreNotFailures: logging in right, many times over, never throttles.
func TestSuccessfulLoginsAreNotFailures(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		for i := 0; i < 25; i++ {
			if err := f.login(owner, ownerPassword, ownerAddress); err != nil {
				t.Fatalf("login %d: %v", i, err)
			}
		}
		var rows int64
		if err := st.DB().Model(&model.LoginFailure{}).Count(&rows).Error; err != nil || rows != 0 {
			t.Errorf("%d attempts left on record (%v), want none", rows, err)
		}
	})
}

// TestPasswordPageThrottlesWrongCurrentPasswords: wrong current passwords sent at once on the
// password page get the per-account allowance of checks; then even the right one waits.
func TestPasswordPageThrottlesWrongCurrentPasswords(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		_, session, err := f.svc.Login(context.Background(), owner, ownerPassword, ownerAddress, "test")
		if err != nil {
			t.Fatal(err)
		}
		before := f.hasher.checks.Load()
		limit := DefaultPolicy().MaxPasswordChecks
		counts := f.parallelLogins(t, 20, func(i int) error {
			err := f.svc.ChangePassword(context.Background(), session, fmt.Sprintf("not it %d", i), "a new long password")
			if apperror.KindOf(err) == apperror.KindInvalid {
				return &apperror.Error{Kind: apperror.KindUnauthenticated, Message: "wrong current password"}
			}
			return err
		})
		if counts["wrong"] != limit || counts["throttled"] != 20-limit {
			t.Errorf("outcomes %v, want %d wrong and %d throttled", counts, limit, 20-limit)
		}
		if got := f.hasher.checks.Load() - before; got != int64(limit) {
			t.Errorf("%d current passwords checked, want %d", got, limit)
		}
		if err := f.svc.ChangePassword(context.Background(), session, ownerPassword, "a new long password"); !errors.Is(err, ErrThrottled) {
			t.Errorf("right current password after the guesses: %v, want throttled", err)
		}
	})
}

// TestAccountWideLimitSlowsButDoesNotLock: guesses for one account from many addresses, beyond the
// account-wide allowance, get one attempt per interval between them; a login from an address that
// never failed waits for the interval, then goes through.
func TestAccountWideLimitSlowsButDoesNotLock(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		policy := DefaultPolicy()
		// Forty addresses guess at once: the account's allowance is tried, then one more attempt
		// only, the rest wait.
		counts := f.parallelLogins(t, 40, func(i int) error {
			return f.login(owner, "a guess", fmt.Sprintf("203.0.113.%d", i+1))
		})
		if counts["wrong"] != policy.AccountSlowAfter || counts["throttled"] != 40-policy.AccountSlowAfter {
			t.Errorf("outcomes %v, want %d wrong and the rest throttled", counts, policy.AccountSlowAfter)
		}
		if err := f.login(owner, ownerPassword, ownerAddress); !errors.Is(err, ErrThrottled) {
			t.Fatalf("right away, from a fresh address: %v, want throttled", err)
		}
		f.advance(policy.AccountSlowInterval - time.Second)
		if err := f.login(owner, ownerPassword, ownerAddress); !errors.Is(err, ErrThrottled) {
			t.Fatalf("before the interval: %v, want throttled", err)
		}
		// One guess takes the next slot; the one after it waits for the interval again.
		f.advance(time.Second)
		if err := f.login(owner, "another guess", "203.0.113.200"); apperror.KindOf(err) != apperror.KindUnauthenticated {
			t.Fatalf("a guess after the interval: %v, want it tried", err)
		}
		if err := f.login(owner, ownerPassword, ownerAddress); !errors.Is(err, ErrThrottled) {
			t.Fatalf("right after that guess: %v, want throttled", err)
		}
		f.advance(policy.AccountSlowInterval)
		if err := f.login(owner, ownerPassword, ownerAddress); err != nil {
			t.Errorf("the owner after the interval: %v, want logged in", err)
		}
		// Once the window has passed, the account is not slowed at all.
		f.advance(policy.ThrottleWindow)
		for i := 0; i < 3; i++ {
			if err := f.login(owner, ownerPassword, ownerAddress); err != nil {
				t.Errorf("login %d after the window: %v", i, err)
			}
		}
	})
}

// slowHasher makes every password check take a while.
type slowHasher struct {
	organisations.PasswordHasher
	delay time.Duration
}

func (h slowHasher) Matches(password, hash string) (bool, error) {
	time.Sleep(h.delay)
	return h.PasswordHasher.Matches(password, hash)
}

// TestBusyLoginsAreNotFailures: logins refused because too many passwords are being checked at once
// get organisations.ErrBusy, and leave no attempt on record; the wrong passwords that were checked
// stay on record as failures.
func TestBusyLoginsAreNotFailures(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		params := organisations.TestPasswordParams()
		orgs := organisations.NewServiceWith(st, organisations.Options{PasswordParams: params,
			Hasher: slowHasher{PasswordHasher: organisations.Argon2id{}, delay: 200 * time.Millisecond},
			Hashes: organisations.NewHashLimiter(uint64(params.Memory), 50*time.Millisecond)})
		if _, _, err := orgs.CreateStaff(context.Background(), organisations.NewStaff{Email: owner, Password: ownerPassword, InstanceAdmin: true}); err != nil {
			t.Fatal(err)
		}
		svc := NewService(st, orgs, DefaultPolicy())
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			outcomes = map[string]int{}
		)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				password := ownerPassword
				if i%2 == 1 {
					password = "a wrong password"
				}
				_, _, err := svc.Login(context.Background(), owner, password, fmt.Sprintf("203.0.113.%d", i+1), "test")
				outcome := "ok"
				switch {
				case errors.Is(err, organisations.ErrBusy):
					outcome = "busy"
				case apperror.KindOf(err) == apperror.KindUnauthenticated:
					outcome = "wrong"
				case err != nil:
					outcome = err.Error()
				}
				mu.Lock()
				outcomes[outcome]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if outcomes["busy"] == 0 || outcomes["busy"]+outcomes["ok"]+outcomes["wrong"] != 8 {
			t.Fatalf("outcomes %v: want some busy, the rest ok or wrong", outcomes)
		}
		var rows int64
		if err := st.DB().Model(&model.LoginFailure{}).Count(&rows).Error; err != nil || rows != int64(outcomes["wrong"]) {
			t.Errorf("%d attempts on record (%v), want the %d wrong passwords checked", rows, err, outcomes["wrong"])
		}
	})
}
