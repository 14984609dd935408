package scale

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// Sink is every follower host at once: one port on all loopback addresses, each address a host. It
// records every arrival of the activity it watches for, by host, so a second arrival at a host (a
// duplicate) is seen, not folded into the first.
type Sink struct {
	Port  int
	delay time.Duration
	mu    sync.Mutex
	watch []byte                 // what a watched body contains: the quoted id of the announced Note
	seen  map[string][]time.Time // host -> every arrival of the watched activity
}

// NewSink listens on a free port of every address. delay holds each answer, so a fan-out lasts long
// enough to be interrupted.
func NewSink(t testing.TB, delay time.Duration) *Sink {
	t.Helper()
	listener, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Sink{Port: listener.Addr().(*net.TCPAddr).Port, delay: delay, seen: map[string][]time.Time{}}
	server := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(func() { _ = server.Close() })
	return s
}

// Watch starts counting the group's Announce of noteIRI, forgetting what was counted before.
func (s *Sink) Watch(noteIRI string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watch = []byte(`"` + noteIRI + `"`) // quoted, so statuses/1 does not match statuses/10
	s.seen = map[string][]time.Time{}
}

func (s *Sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Signature") == "" {
		w.WriteHeader(http.StatusNotFound) // NodeInfo and other lookups: these hosts say nothing
		return
	}
	// When the request came, not when it was answered: a request the killed worker sent just before
	// it died is counted at its arrival, before the kill, though the answer comes after.
	at := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	s.mu.Lock()
	if s.watch != nil && bytes.Contains(body, []byte(`"Announce"`)) && bytes.Contains(body, s.watch) {
		s.seen[r.Host] = append(s.seen[r.Host], at)
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// Reached is how many hosts have received the watched activity at least once.
func (s *Sink) Reached() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// WaitReached polls until n hosts have the activity, or fails after within.
func (s *Sink) WaitReached(n int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for s.Reached() < n {
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d hosts received the Announce within %s", s.Reached(), n, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// Arrivals returns, by host, every arrival of the watched activity.
func (s *Sink) Arrivals() map[string][]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]time.Time, len(s.seen))
	for host, times := range s.seen {
		out[host] = slices.Clone(times)
		slices.SortFunc(out[host], time.Time.Compare) // recorded as answered, which may reorder them
	}
	return out
}

// FirstArrivals returns, sorted, how long after start each host first received the activity.
func FirstArrivals(arrivals map[string][]time.Time, start time.Time) []time.Duration {
	out := make([]time.Duration, 0, len(arrivals))
	for _, times := range arrivals {
		out = append(out, times[0].Sub(start))
	}
	slices.Sort(out)
	return out
}
