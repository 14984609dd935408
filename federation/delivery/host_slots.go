package delivery

import "sync"

// hostSlots counts the requests in flight per host in this process.
type hostSlots struct {
	mu       sync.Mutex
	limit    int
	inFlight map[string]int
}

func newHostSlots(limit int) *hostSlots {
	return &hostSlots{limit: limit, inFlight: map[string]int{}}
}

// acquire takes a slot for host, or reports that none is free.
func (h *hostSlots) acquire(host string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.inFlight[host] >= h.limit {
		return false
	}
	h.inFlight[host]++
	return true
}

func (h *hostSlots) release(host string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.inFlight[host]--; h.inFlight[host] <= 0 {
		delete(h.inFlight, host)
	}
}
