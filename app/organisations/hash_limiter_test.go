package organisations

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// slowHasher makes every hash take delay and records how many run at once.
type slowHasher struct {
	Argon2id
	delay time.Duration

	mu       sync.Mutex
	inFlight int
	most     int
	calls    int
}

func (h *slowHasher) enter() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inFlight++
	h.calls++
	h.most = max(h.most, h.inFlight)
}

func (h *slowHasher) leave() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inFlight--
}

func (h *slowHasher) Hash(password string, params argon2id.Params) (string, error) {
	h.enter()
	defer h.leave()
	time.Sleep(h.delay)
	return h.Argon2id.Hash(password, params)
}

func (h *slowHasher) Matches(password, hash string) (bool, error) {
	h.enter()
	defer h.leave()
	time.Sleep(h.delay)
	return h.Argon2id.Matches(password, hash)
}

func (h *slowHasher) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.most, h.calls = 0, 0
}

// dbClock notes when the database work of one request last ended. Its context carries it, and the
// callbacks noteStatementEnds registers set it after each statement. A request refused as busy does
// nothing after its hash wait, so the time since is how long the refusal took apart from the queries
// before it, which a loaded machine (or the race detector's slower SQLite) stretches.
type dbClock struct {
	mu   sync.Mutex
	last time.Time
}

type dbClockKey struct{}

// withDBClock starts a request's clock: until it runs a statement, its database work ended now.
func withDBClock(ctx context.Context) (context.Context, *dbClock) {
	clock := &dbClock{last: time.Now()}
	return context.WithValue(ctx, dbClockKey{}, clock), clock
}

// sinceDatabaseWork is the time since the request's last statement ended.
func (c *dbClock) sinceDatabaseWork() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Since(c.last)
}

// noteStatementEnds registers callbacks on st, which only this test uses, that set the dbClock of a
// statement's context once gorm's own callbacks for it have run.
func noteStatementEnds(t *testing.T, st *store.Store) {
	t.Helper()
	note := func(db *gorm.DB) {
		if clock, ok := db.Statement.Context.Value(dbClockKey{}).(*dbClock); ok {
			clock.mu.Lock()
			clock.last = time.Now()
			clock.mu.Unlock()
		}
	}
	callbacks := st.DB().Callback()
	for _, err := range []error{
		callbacks.Query().Register("test:note_query_end", note),
		callbacks.Row().Register("test:note_row_end", note),
		callbacks.Raw().Register("test:note_raw_end", note),
		callbacks.Create().Register("test:note_create_end", note),
		callbacks.Update().Register("test:note_update_end", note),
		callbacks.Delete().Register("test:note_delete_end", note),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestHashLimiterBoundsHashesInFlight: logins, password changes, staff creation and resets sent at
// once share one limiter sized for two hashes: never more than two run, and what cannot start within
// the wait is refused as busy.
func TestHashLimiterBoundsHashesInFlight(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	noteStatementEnds(t, st)
	ctx := context.Background()
	params := TestPasswordParams()
	hasher := &slowHasher{delay: 150 * time.Millisecond}
	svc := NewServiceWith(st, Options{PasswordParams: params, Hasher: hasher,
		Hashes: NewHashLimiter(2*uint64(params.Memory), 400*time.Millisecond)})
	const password = "a long enough password"
	account, _, err := svc.CreateStaff(ctx, NewStaff{Email: "mod@example.org", Password: password, InstanceAdmin: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.CreateStaff(ctx, NewStaff{Email: "reset@example.org", Password: password, InstanceAdmin: true}); err != nil {
		t.Fatal(err)
	}
	hasher.reset()

	calls := []func(ctx context.Context, i int) error{
		func(ctx context.Context, _ int) error {
			_, err := svc.Authenticate(ctx, "mod@example.org", password)
			return err
		},
		func(ctx context.Context, _ int) error {
			_, err := svc.Authenticate(ctx, "mod@example.org", "a wrong password")
			return err
		},
		func(ctx context.Context, _ int) error {
			_, err := svc.Authenticate(ctx, "nobody@example.org", password)
			return err
		},
		func(ctx context.Context, _ int) error {
			return svc.ChangePassword(ctx, account.ID, "a wrong password", "a new long password")
		},
		func(ctx context.Context, i int) error {
			_, _, err := svc.CreateStaff(ctx, NewStaff{Email: fmt.Sprintf("new%d@example.org", i), Password: password, InstanceAdmin: true})
			return err
		},
		func(ctx context.Context, _ int) error {
			_, err := svc.ResetPassword(ctx, "reset@example.org", "")
			return err
		},
	}
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		busy, done int
		start      = make(chan struct{})
	)
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			callCtx, clock := withDBClock(ctx)
			err := calls[i%len(calls)](callCtx, i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrBusy):
				busy++
				if waited := clock.sinceDatabaseWork(); waited > 2*time.Second {
					t.Errorf("refused as busy %s after its queries, want within the wait", waited)
				}
			case err == nil, apperror.KindOf(err) == apperror.KindUnauthenticated, errors.Is(err, ErrWrongCurrentPassword):
				done++
			default:
				t.Errorf("call %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if hasher.most > 2 {
		t.Errorf("%d hashes ran at once, want at most 2", hasher.most)
	}
	if busy == 0 || done < 2 {
		t.Errorf("%d calls done and %d refused as busy: want some of each", done, busy)
	}
	t.Logf("%d done, %d busy, %d hashes", done, busy, hasher.calls)
}

// TestHashLimiterWeighsHashesByMemory: with room for 3 MiB, hashes of 2 MiB run one at a time, and a
// stored hash costlier than all the room still runs, alone.
// Not parallel: its eight hashes run one after another and the last must start within the 5 s wait, which load from other tests could exceed.
func TestHashLimiterWeighsHashesByMemory(t *testing.T) {
	st := testenv.SQLite(t)
	ctx := context.Background()
	const password = "a long enough password"
	costly := TestPasswordParams()
	costly.Memory = 4 * 1024
	if _, _, err := NewServiceWith(st, Options{PasswordParams: costly}).CreateStaff(ctx,
		NewStaff{Email: "old@example.org", Password: password, InstanceAdmin: true}); err != nil {
		t.Fatal(err)
	}
	params := TestPasswordParams()
	params.Memory = 2 * 1024
	hasher := &slowHasher{delay: 50 * time.Millisecond}
	svc := NewServiceWith(st, Options{PasswordParams: params, Hasher: hasher, Hashes: NewHashLimiter(3*1024, 5*time.Second)})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, _, err := svc.CreateStaff(ctx, NewStaff{Email: fmt.Sprintf("new%d@example.org", i), Password: password, InstanceAdmin: true}); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := svc.Authenticate(ctx, "old@example.org", password); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if hasher.most != 1 {
		t.Errorf("%d hashes ran at once, want 1", hasher.most)
	}
}

// TestHashLimiterQueue: waiters are served in order; one that gives up lets those behind it in, and
// a request whose context ends stops waiting.
// Not parallel: it orders its waiters by sleeping and checks wall-clock waits, which load from other tests would upset.
func TestHashLimiterQueue(t *testing.T) {
	ctx := context.Background()
	limiter := NewHashLimiter(2, 300*time.Millisecond)
	releaseFirst, err := limiter.acquire(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	// A wants all the room and waits at the front; B, behind it, fits but must not overtake it.
	aDone := make(chan error, 1)
	go func() {
		release, err := limiter.acquire(ctx, 2)
		if err == nil {
			release()
		}
		aDone <- err
	}()
	time.Sleep(50 * time.Millisecond)
	bStarted := time.Now()
	releaseB, err := limiter.acquire(ctx, 1)
	if err != nil {
		t.Fatalf("B, once A gave up: %v", err)
	}
	if waited := time.Since(bStarted); waited < 150*time.Millisecond {
		t.Errorf("B got in after %s, before A gave up", waited)
	}
	if err := <-aDone; !errors.Is(err, ErrBusy) {
		t.Errorf("A: %v, want busy", err)
	}
	releaseB()
	releaseFirst()

	// Everything free again: all the room at once.
	release, err := limiter.acquire(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	began := time.Now()
	if _, err := limiter.acquire(cancelled, 1); err == nil || time.Since(began) > 200*time.Millisecond {
		t.Errorf("with the request gone: %v after %s, want an error at once", err, time.Since(began))
	}
	release()
}

// countingHasher counts the hashes made and checked.
type countingHasher struct {
	Argon2id
	mu      sync.Mutex
	made    int
	checked int
}

func (h *countingHasher) Hash(password string, params argon2id.Params) (string, error) {
	h.mu.Lock()
	h.made++
	h.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	return h.Argon2id.Hash(password, params)
}

func (h *countingHasher) Matches(password, hash string) (bool, error) {
	h.mu.Lock()
	h.checked++
	h.mu.Unlock()
	return h.Argon2id.Matches(password, hash)
}

// TestDecoyMadeOnce: a burst of logins for unknown e-mails makes one decoy hash between them, not
// one each: each hash made there is a hash an attacker got for free.
func TestDecoyMadeOnce(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	hasher := &countingHasher{}
	svc := NewServiceWith(st, Options{PasswordParams: TestPasswordParams(), Hasher: hasher})
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.Authenticate(context.Background(), fmt.Sprintf("nobody%d@example.org", i), "a password")
			if apperror.KindOf(err) != apperror.KindUnauthenticated {
				t.Errorf("unknown e-mail: %v", err)
			}
		}()
	}
	wg.Wait()
	if hasher.made != 1 || hasher.checked != 10 {
		t.Errorf("%d hashes made and %d checked, want 1 decoy and 10 checks", hasher.made, hasher.checked)
	}
}

// TestDecoyFailureSharedByWaiters: when the login making the decoy is refused as busy, the logins
// waiting for it are refused with it, at once, instead of each queueing to make it in turn. Each
// login is timed from the end of its account lookup: lookups that a loaded machine spreads out let
// a late login find the decoy's failure already shared and make an attempt of its own, one wait
// long, as it should.
func TestDecoyFailureSharedByWaiters(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	noteStatementEnds(t, st)
	params := TestPasswordParams()
	limiter := NewHashLimiter(uint64(params.Memory), 200*time.Millisecond)
	svc := NewServiceWith(st, Options{PasswordParams: params, Hashes: limiter})
	release, err := limiter.acquire(context.Background(), uint64(params.Memory)) // the server is busy
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, clock := withDBClock(context.Background())
			_, err := svc.Authenticate(ctx, fmt.Sprintf("nobody%d@example.org", i), "a password")
			if !errors.Is(err, ErrBusy) {
				t.Errorf("unknown e-mail on a busy server: %v, want busy", err)
			}
			if took := clock.sinceDatabaseWork(); took > time.Second {
				t.Errorf("login %d refused %s after its lookup, want about one wait (200 ms)", i, took)
			}
		}()
	}
	wg.Wait()
	release()
	if _, err := svc.Authenticate(context.Background(), "nobody@example.org", "a password"); apperror.KindOf(err) != apperror.KindUnauthenticated {
		t.Errorf("once the server is free: %v", err)
	}
}
