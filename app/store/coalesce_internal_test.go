package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
)

// blockedCoalescer is a coalescer whose first batch waits until the test releases it, so that the
// test can queue calls behind it; every batch's inputs are recorded.
type blockedCoalescer struct {
	*coalescer[int, string]
	entered, release chan struct{}
	mu               sync.Mutex
	batches          [][]int
}

func newBlockedCoalescer(max, lanes int, fail func(batchNumber int) error) *blockedCoalescer {
	b := &blockedCoalescer{entered: make(chan struct{}), release: make(chan struct{})}
	first := true
	b.coalescer = newCoalescer(max, lanes, func(_ context.Context, batch []int) ([]string, error) {
		b.mu.Lock()
		b.batches = append(b.batches, slices.Clone(batch))
		number := len(b.batches) - 1
		wait := first
		first = false
		b.mu.Unlock()
		if wait {
			close(b.entered)
			<-b.release
		}
		if err := fail(number); err != nil {
			return nil, err
		}
		out := make([]string, len(batch))
		for i, in := range batch {
			out[i] = fmt.Sprint("result of ", in)
		}
		return out, nil
	})
	return b
}

// startFirst starts call 0, whose batch is held until the test releases it, and returns where its
// result will come once released.
func (b *blockedCoalescer) startFirst() <-chan string {
	first := make(chan string)
	go func() {
		out, _ := b.do(context.Background(), 0)
		first <- out
	}()
	<-b.entered
	return first
}

// queueCalls starts the calls 1..n behind the blocked first batch and waits until all are queued.
func (b *blockedCoalescer) queueCalls(t *testing.T, n int, each func(in int, out string, err error)) *sync.WaitGroup {
	t.Helper()
	var wg sync.WaitGroup
	for in := 1; in <= n; in++ {
		wg.Go(func() {
			defer func() {
				if recovered := recover(); recovered != nil {
					each(in, "", fmt.Errorf("panicked: %v", recovered))
				}
			}()
			out, err := b.do(context.Background(), in)
			each(in, out, err)
		})
	}
	for {
		b.coalescer.mu.Lock()
		queued := len(b.coalescer.queue)
		b.coalescer.mu.Unlock()
		if queued == n {
			return &wg
		}
		runtime.Gosched()
	}
}

// A call that finds no batch running runs alone at once; the calls arriving while it runs go
// together in the next batches, at most max each, and each call gets its own result.
func TestCoalescerBatchesTheCallsThatArriveWhileOneRuns(t *testing.T) {
	t.Parallel()
	b := newBlockedCoalescer(4, 1, func(int) error { return nil })
	first := b.startFirst()
	var mu sync.Mutex
	results := map[int]string{}
	wg := b.queueCalls(t, 10, func(in int, out string, err error) {
		if err != nil {
			t.Errorf("call %d: %v", in, err)
		}
		mu.Lock()
		results[in] = out
		mu.Unlock()
	})
	close(b.release)
	wg.Wait()
	if out := <-first; out != "result of 0" {
		t.Errorf("the first call got %q", out)
	}
	for in := 1; in <= 10; in++ {
		if want := fmt.Sprint("result of ", in); results[in] != want {
			t.Errorf("call %d got %q, want %q", in, results[in], want)
		}
	}
	sizes := []int{}
	for _, batch := range b.batches {
		sizes = append(sizes, len(batch))
	}
	if !slices.Equal(sizes, []int{1, 4, 4, 2}) {
		t.Errorf("batch sizes %v; want the first call alone, then the 10 queued in batches of at most 4", sizes)
	}
	if b.coalescer.running != 0 || len(b.coalescer.queue) > 0 {
		t.Error("the coalescer is left running with nothing to do: the next call would wait forever")
	}
}

// A batch that fails fails each of its calls, and only those; a batch that panics fails its calls,
// hands the lead on, and the panic goes on in the goroutine that led it.
func TestCoalescerFailuresStayWithTheirBatch(t *testing.T) {
	t.Parallel()
	broken := errors.New("database gone")
	b := newBlockedCoalescer(3, 1, func(batchNumber int) error {
		switch batchNumber {
		case 1:
			return broken
		case 2:
			panic("a bug in the statement's builder")
		}
		return nil
	})
	panicked := make(chan any)
	go func() {
		defer func() { panicked <- recover() }()
		_, _ = b.do(context.Background(), 0)
	}()
	<-b.entered
	var mu sync.Mutex
	errs := map[int]error{}
	wg := b.queueCalls(t, 7, func(in int, _ string, err error) {
		mu.Lock()
		errs[in] = err
		mu.Unlock()
	})
	close(b.release)
	wg.Wait()
	if recovered := <-panicked; recovered != nil {
		t.Fatalf("the first batch, which did not panic, panicked: %v", recovered)
	}
	if len(b.batches) != 4 {
		t.Fatalf("batches %v; want the first call alone, then 3, 3 and 1", b.batches)
	}
	for number, batch := range b.batches[1:] {
		for _, in := range batch {
			err := errs[in]
			switch number {
			case 0:
				if !errors.Is(err, broken) {
					t.Errorf("call %d of the failed batch: %v", in, err)
				}
			case 1:
				if err == nil {
					t.Errorf("call %d of the batch that panicked did not fail", in)
				}
			default:
				if err != nil {
					t.Errorf("call %d, after the failed batches: %v", in, err)
				}
			}
		}
	}
}

// With two lanes a call does not wait for a long batch in the other: it runs in its own at once.
func TestCoalescerRunsABatchInEachLane(t *testing.T) {
	t.Parallel()
	b := newBlockedCoalescer(4, 2, func(int) error { return nil })
	first := b.startFirst()
	for in := 1; in <= 3; in++ {
		if out, err := b.do(context.Background(), in); err != nil || out != fmt.Sprint("result of ", in) {
			t.Fatalf("call %d while the first lane's batch runs: %q, %v", in, out, err)
		}
	}
	close(b.release)
	if out := <-first; out != "result of 0" {
		t.Errorf("the first call got %q", out)
	}
	if b.coalescer.running != 0 || len(b.coalescer.queue) > 0 {
		t.Error("the coalescer is left running with nothing to do")
	}
}
