package fanout

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// sink is one HTTP server answering for every loopback address: a host per 127.x.y.z address, all
// on one port. For the round in progress it records when each inbox first received the round's
// activity; retries and other traffic (an Accept, a late request of an earlier round) are answered
// and not counted.
type sink struct {
	port  int
	mu    sync.Mutex
	round *round
}

// round is one activity's fan-out as the receiving side sees it.
type round struct {
	// belongs says whether a request body is the round's activity; nil takes every signed request.
	belongs func(body []byte) bool
	want    int
	arrived map[string]time.Time // inbox (host and path) -> first arrival
	done    chan struct{}
}

func newSink(b *testing.B) *sink {
	listener, err := net.Listen("tcp", ":0") // all addresses, so every 127.x.y.z reaches it
	if err != nil {
		b.Fatal(err)
	}
	s := &sink{port: listener.Addr().(*net.TCPAddr).Port}
	server := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(listener) }()
	b.Cleanup(func() { _ = server.Close() })
	return s
}

// begin starts a round that ends when want distinct inboxes have received a request that belongs.
func (s *sink) begin(want int, belongs func(body []byte) bool) *round {
	r := &round{belongs: belongs, want: want, arrived: make(map[string]time.Time, want), done: make(chan struct{})}
	s.mu.Lock()
	s.round = r
	s.mu.Unlock()
	return r
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Signature") == "" || r.Header.Get("Digest") == "" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	at := time.Now()
	inbox := r.Host + r.URL.Path
	s.mu.Lock()
	if current := s.round; current != nil && (current.belongs == nil || current.belongs(body)) {
		if _, seen := current.arrived[inbox]; !seen {
			current.arrived[inbox] = at
			if len(current.arrived) == current.want {
				close(current.done)
			}
		}
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// wait blocks until every inbox the round wants has its activity, or fails after timeout saying how
// many did.
func (s *sink) wait(r *round, timeout time.Duration) error {
	select {
	case <-r.done:
		return nil
	case <-time.After(timeout):
		s.mu.Lock()
		defer s.mu.Unlock()
		return fmt.Errorf("only %d of %d inboxes received the activity in %s", len(r.arrived), r.want, timeout)
	}
}

// since returns, sorted, how long after start each inbox received the round's activity.
func (s *sink) since(r *round, start time.Time) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]time.Duration, 0, len(r.arrived))
	for _, at := range r.arrived {
		out = append(out, at.Sub(start))
	}
	slices.Sort(out)
	return out
}

// percentile returns the p-th percentile (0-100) of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (len(sorted)*p + 99) / 100 // ceil(len*p/100)
	return sorted[max(rank, 1)-1]
}
