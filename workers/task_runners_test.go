package workers

import (
	"bytes"
	"runtime"
	"strconv"
	"testing"
)

// goroutineID reads the running goroutine's number from its stack trace's first line.
func goroutineID(t *testing.T) uint64 {
	t.Helper()
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	field := bytes.Fields(bytes.TrimPrefix(buf, []byte("goroutine ")))[0]
	id, err := strconv.ParseUint(string(field), 10, 64)
	if err != nil {
		t.Fatalf("goroutine id in %q: %v", buf, err)
	}
	return id
}

// A task runs on a runner, the same one each time when one is free, not on its caller; with every
// runner busy, or the runners closed, it runs on its caller.
func TestTaskRunnersKeepTheirGoroutines(t *testing.T) {
	t.Parallel()
	runners := newTaskRunners(1)
	caller := goroutineID(t)
	var first, second uint64
	runners.run(func() { first = goroutineID(t) })
	runners.run(func() { second = goroutineID(t) })
	if first == caller || second != first {
		t.Errorf("tasks ran on goroutines %d and %d, called from %d: want the one runner's, twice", first, second, caller)
	}

	var nested uint64
	runners.run(func() { // the only runner is busy with this task: the next runs on its caller
		outer := goroutineID(t)
		runners.run(func() { nested = goroutineID(t) })
		if nested != outer {
			t.Errorf("with every runner busy, a task ran on goroutine %d, not on its caller %d", nested, outer)
		}
	})

	runners.close()
	var afterClose uint64
	runners.run(func() { afterClose = goroutineID(t) })
	if afterClose != caller {
		t.Errorf("after close a task ran on goroutine %d, want its caller %d", afterClose, caller)
	}
	runners.close() // a second close does nothing
}

// A task's panic comes out of run on its caller, as it would without the runners, and the runner
// goes on to the next task.
func TestTaskRunnersRaiseAPanicOnTheCaller(t *testing.T) {
	t.Parallel()
	runners := newTaskRunners(1)
	defer runners.close()
	var ranOn uint64
	recovered := func() (r any) {
		defer func() { r = recover() }()
		runners.run(func() {
			ranOn = goroutineID(t)
			panic("handler bug")
		})
		return nil
	}()
	if recovered != "handler bug" {
		t.Fatalf("recovered %v from run, want the task's panic", recovered)
	}
	var next uint64
	runners.run(func() { next = goroutineID(t) })
	if next != ranOn {
		t.Errorf("the task after the panic ran on goroutine %d, want the runner %d, still running", next, ranOn)
	}
}
