package inbox

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// A request that finds the inbox full waits for a slot that frees up, behind at most as many others
// as there are slots; past that it is refused at once, and a slot that stays taken refuses it after
// the wait.
func TestAdmissionWaitsBrieflyThenRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	patient := newAdmission(1, time.Hour)
	if !patient.enter(ctx) {
		t.Fatal("an empty inbox refused a request")
	}
	waiter := make(chan bool)
	go func() { waiter <- patient.enter(ctx) }()
	for len(patient.waiting) == 0 {
		time.Sleep(time.Millisecond) // until the waiter is queued
	}
	// The queue (one place, as many as the slots) is full: this one must not wait an hour.
	if patient.enter(ctx) {
		t.Fatal("a request past the wait queue got a slot")
	}
	patient.leave()
	if !<-waiter {
		t.Fatal("the waiting request did not get the slot that freed up")
	}

	cancelled, cancel := context.WithCancel(ctx)
	go func() {
		for len(patient.waiting) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if patient.enter(cancelled) {
		t.Fatal("a request whose sender went away got a slot")
	}

	brief := newAdmission(1, time.Millisecond)
	if !brief.enter(ctx) {
		t.Fatal("an empty inbox refused a request")
	}
	if brief.enter(ctx) {
		t.Fatal("a request got a slot that stayed taken")
	}
	if len(brief.waiting) != 0 {
		t.Fatal("a refused request stayed in the wait queue")
	}
}

// An inbox whose slots and wait queue are all taken refuses a request with 503 and Retry-After
// without reading its body: refusing the excess of an overload must cost next to nothing. With room
// in the wait queue, it reads the body first (a trickling sender must not hold a slot).
func TestFullInboxRefusesBeforeReadingTheBody(t *testing.T) {
	t.Parallel()
	r := NewReceiver(ReceiverConfig{MaxInFlight: 1})
	r.admission.wait = time.Hour
	router := gin.New()
	r.Mount(router)
	send := func() (*httptest.ResponseRecorder, *countingReader) {
		body := &countingReader{Reader: strings.NewReader(`{"type":"Create"}`)}
		req := httptest.NewRequest(http.MethodPost, "/inbox", body)
		req.Header.Set("Content-Type", "application/activity+json")
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		return rec, body
	}

	if !r.admission.enter(context.Background()) {
		t.Fatal("an empty inbox refused a slot")
	}
	if r.admission.full() {
		t.Fatal("an inbox with room in its wait queue says it is full")
	}
	waiting := make(chan bool)
	go func() { waiting <- r.admission.enter(context.Background()) }()
	for len(r.admission.waiting) == 0 {
		time.Sleep(time.Millisecond)
	}
	if !r.admission.full() {
		t.Fatal("an inbox with every slot and wait place taken says it has room")
	}
	rec, body := send()
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("full inbox answered %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	if body.read != 0 {
		t.Fatalf("a full inbox read %d bytes of a request it refused", body.read)
	}
	r.admission.leave()
	if !<-waiting {
		t.Fatal("the waiting request did not get the freed slot")
	}
	r.admission.leave()
}

// countingReader counts the bytes read from it.
type countingReader struct {
	io.Reader
	read int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.Reader.Read(p)
	c.read += n
	return n, err
}
