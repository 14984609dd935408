package organisations

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kring-social/kring/app/apperror"
)

// DefaultHashMemoryKiB is the memory the password hashes of one process may use together when
// nothing else is configured: 128 MiB, two hashes at the default 64 MiB. Each uses two lanes, so two
// at once already keep both cores of the small machines Kring runs on busy: more would only make
// each slower and the process bigger. Measured with bench/logins (60 logins at once against `kring
// serve`), room for two peaked at 370-380 MB of RSS with /healthz answering in 56-74 ms at p99; for
// three, about 500 MB and 109-234 ms; for four, about 630 MB and 191-226 ms, with no more logins
// served. Machines with more cores and memory can raise it (KRING_PASSWORD_HASH_MEMORY).
const DefaultHashMemoryKiB = 128 * 1024

// DefaultHashWait is how long a hash waits for room before its request is refused as busy: long
// enough for the hashes ahead of it to finish in a burst of a few logins (some 100 ms each), short
// enough that a flood of them is refused before it piles up requests.
const DefaultHashWait = 1500 * time.Millisecond

// ErrBusy is the answer to a request whose password hash found no room within the wait: too many
// are being checked at once. Nothing was checked; trying again in a moment will do.
var ErrBusy = &apperror.Error{Kind: apperror.KindForbidden,
	Message: "the server is busy checking other passwords: try again in a few seconds"}

// HashLimiter is a weighted semaphore over the memory of the password hashes in flight in a
// process: each hash holds as many KiB as its argon2id memory cost while it runs (a hash costlier
// than all the room holds all of it, and so runs alone). Waiters are served in order, so a costly
// hash is not overtaken for ever by cheap ones. One limiter is shared by every service of a process
// that hashes (logins, password changes, staff creation and resets).
type HashLimiter struct {
	capacity uint64 // KiB
	wait     time.Duration

	mu      sync.Mutex
	used    uint64
	waiters list.List // of *hashWaiter, oldest first
}

type hashWaiter struct {
	weight uint64
	ready  chan struct{} // closed when the waiter holds its room
}

// NewHashLimiter returns a limiter with room for memoryKiB of hashes at once (at least 1 KiB) where a
// hash waits at most wait for room.
func NewHashLimiter(memoryKiB uint64, wait time.Duration) *HashLimiter {
	return &HashLimiter{capacity: max(memoryKiB, 1), wait: wait}
}

// acquire waits for weight KiB of room and returns the function that gives it back. ErrBusy when
// the wait passes first; the context's error when the request ends first.
func (l *HashLimiter) acquire(ctx context.Context, weight uint64) (release func(), err error) {
	weight = min(max(weight, 1), l.capacity)
	release = func() { l.release(weight) }
	l.mu.Lock()
	if l.waiters.Len() == 0 && l.used+weight <= l.capacity {
		l.used += weight
		l.mu.Unlock()
		return release, nil
	}
	w := &hashWaiter{weight: weight, ready: make(chan struct{})}
	element := l.waiters.PushBack(w)
	l.mu.Unlock()

	timer := time.NewTimer(l.wait)
	defer timer.Stop()
	select {
	case <-w.ready:
		return release, nil
	case <-timer.C:
		err = ErrBusy
	case <-ctx.Done():
		err = fmt.Errorf("wait to check a password: %w", ctx.Err())
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-w.ready:
		// Given room just as the wait ended: use it.
		return release, nil
	default:
	}
	front := l.waiters.Front() == element
	l.waiters.Remove(element)
	if front {
		// It may have been holding back smaller waiters that fit.
		l.grant()
	}
	return nil, err
}

func (l *HashLimiter) release(weight uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.used -= weight
	l.grant()
}

// grant gives room to the waiters at the front of the queue, in order, while they fit.
func (l *HashLimiter) grant() {
	for {
		front := l.waiters.Front()
		if front == nil {
			return
		}
		w := front.Value.(*hashWaiter)
		if l.used+w.weight > l.capacity {
			return
		}
		l.used += w.weight
		l.waiters.Remove(front)
		close(w.ready)
	}
}
