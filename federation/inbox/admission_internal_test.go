package inbox

import (
	"context"
	"testing"
	"time"
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
