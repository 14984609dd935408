package workers

import "sync"

// taskRunners are long-lived goroutines that run the task handlers. asynq starts a new goroutine for
// every task, with a small stack; processing an inbound activity or a delivery runs deep (gorm, pgx,
// go-fed, TLS) and grows that stack three or four times, each time copying it and adjusting every
// frame: 5 % of the worker's CPU in the production benchmark's direct-message round (perf). A
// runner keeps the stack its last task grew (the garbage collector halves an idle one now and then),
// so a task mostly starts with room enough. asynq's goroutine waits for its task on the runner, so
// no more tasks run at once than before: there are as many runners as tasks the worker runs at once,
// and a task that finds every runner busy (one just finishing) runs on asynq's goroutine as before.
type taskRunners struct {
	jobs   chan func()
	free   chan struct{} // a token for each runner without a task
	mu     sync.RWMutex
	closed bool
}

func newTaskRunners(n int) *taskRunners {
	n = max(n, 1)
	r := &taskRunners{jobs: make(chan func()), free: make(chan struct{}, n)}
	for range n {
		r.free <- struct{}{}
		go func() {
			for job := range r.jobs {
				job()
			}
		}()
	}
	return r
}

// run runs fn on a free runner, or on the calling goroutine when none is free or the runners are
// closed, and returns when fn has. A panic in fn is raised again on the calling goroutine, where it
// would have happened without the runners (asynq recovers it there), and leaves the runner running.
func (r *taskRunners) run(fn func()) {
	var panicked any
	done := make(chan struct{})
	job := func() {
		defer close(done)
		defer func() { r.free <- struct{}{} }() // the runner takes its next job as soon as it returns
		defer func() { panicked = recover() }()
		fn()
	}
	if !r.hand(job) {
		fn()
		return
	}
	<-done
	if panicked != nil {
		panic(panicked)
	}
}

// hand gives job to a runner when one is free. A free runner is waiting for a job, or returning to
// wait for one, so the send does not wait for work.
func (r *taskRunners) hand(job func()) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return false
	}
	select {
	case <-r.free:
		r.jobs <- job
		return true
	default:
		return false
	}
}

// close lets the runners end once their tasks return; a task handed in later runs on its caller.
func (r *taskRunners) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		close(r.jobs)
	}
}
