package store

import (
	"context"
	"fmt"
	"sync"
)

// An inbound activity costs PostgreSQL a handful of round trips, and each round trip costs both
// sides far more CPU than the statement it carries (profiles of serve and worker: the write and read
// system calls alone are a fifth of the worker's CPU). Under load many requests and tasks make the
// same statement at the same moment: the inbox's accept, the worker's first read of an activity and
// its settle. A coalescer lets them share one: a call that finds no batch of its kind in flight runs
// at once, alone, so at rest nothing waits; calls arriving while a batch is in flight queue up and go
// together in the next one, which the first of them leads. Under load one round trip and one commit
// then serve as many calls as arrived during the last one, with no timer to tune.

// coalescer joins concurrent calls of one statement into batches of at most max, with at most
// lanes batches in flight at once: a second lane lets a call start while a long batch runs, so that
// coalescing adds little to a call's wait.
type coalescer[In, Out any] struct {
	max, lanes int
	// run makes the statement for a batch; it returns one result per input, in order, or an error
	// that fails the whole batch. It runs without the leader's cancellation: the other calls depend on
	// it, and each may already be committed by it.
	run func(ctx context.Context, batch []In) ([]Out, error)

	mu      sync.Mutex
	running int // batches in flight, or being handed to their next leader; the queue is empty while running < lanes
	queue   []*coalescedCall[In, Out]
}

// coalescedCall is one call waiting for its batch.
type coalescedCall[In, Out any] struct {
	in   In
	out  Out
	err  error
	turn chan bool // receives true when the call leads the next batch, false when its batch ran
}

func newCoalescer[In, Out any](max, lanes int, run func(ctx context.Context, batch []In) ([]Out, error)) *coalescer[In, Out] {
	return &coalescer[In, Out]{max: max, lanes: lanes, run: run}
}

// do runs in in the next batch and returns its result. The call waits for its batch even when ctx
// ends meanwhile: the batch may commit it, and the caller must know.
func (c *coalescer[In, Out]) do(ctx context.Context, in In) (Out, error) {
	call := &coalescedCall[In, Out]{in: in, turn: make(chan bool, 1)}
	c.mu.Lock()
	lead := c.running < c.lanes
	if lead {
		c.running++
	} else {
		c.queue = append(c.queue, call)
	}
	c.mu.Unlock()
	if !lead && !<-call.turn {
		return call.out, call.err
	}
	c.lead(ctx, call)
	return call.out, call.err
}

// lead runs a batch of leader and the calls at the head of the queue, then hands the lead to the
// first call left waiting, or frees the lane.
func (c *coalescer[In, Out]) lead(ctx context.Context, leader *coalescedCall[In, Out]) {
	c.mu.Lock()
	n := min(len(c.queue), c.max-1)
	batch := append([]*coalescedCall[In, Out]{leader}, c.queue[:n]...)
	c.queue = append([]*coalescedCall[In, Out](nil), c.queue[n:]...)
	c.mu.Unlock()

	defer func() {
		// Even when run panicked, every call of the batch learns its end and the next batch gets a
		// leader; the panic then goes on in the leader's goroutine.
		recovered := recover()
		if recovered != nil {
			for _, call := range batch {
				call.err = fmt.Errorf("batched statement panicked: %v", recovered)
			}
		}
		for _, call := range batch[1:] {
			call.turn <- false
		}
		c.mu.Lock()
		var next *coalescedCall[In, Out]
		if len(c.queue) > 0 {
			next, c.queue = c.queue[0], c.queue[1:]
		} else {
			c.running--
		}
		c.mu.Unlock()
		if next != nil {
			next.turn <- true
		}
		if recovered != nil {
			panic(recovered)
		}
	}()

	inputs := make([]In, len(batch))
	for i, call := range batch {
		inputs[i] = call.in
	}
	outputs, err := c.run(context.WithoutCancel(ctx), inputs)
	if err == nil && len(outputs) != len(batch) {
		err = fmt.Errorf("batched statement gave %d results for %d calls", len(outputs), len(batch))
	}
	for i, call := range batch {
		if err != nil {
			call.err = err
			continue
		}
		call.out = outputs[i]
	}
}
