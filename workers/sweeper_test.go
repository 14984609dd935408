package workers_test

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

func farFuture() time.Time { return time.Now().Add(24 * time.Hour) }

func TestSweeperRefillsAFlushedBroker(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	wireDispatcher(t, st, opt)

	rows := []string{
		record(t, st, tasks.NewDeliverActivityTask("d1")).ID,
		record(t, st, tasks.NewProcessInboundTask("i1")).ID,
		record(t, st, testTask("a1", time.Time{})).ID,
	}
	if got := queueTotals(t, opt).Pending; got != 3 {
		t.Fatalf("broker holds %d pending, want 3", got)
	}
	flush(t, opt)
	if got := queueTotals(t, opt).Pending; got != 0 {
		t.Fatalf("broker holds %d pending after FLUSHDB", got)
	}

	runs := newExecutions()
	handler := func(ctx context.Context, task *asynq.Task) error {
		if id, _ := asynq.GetTaskID(ctx); task.Type() == tasks.TypeProcessInbound && rowGone(t, st, id) {
			// A second copy of finished work, which the real handler tells apart by itself (the
			// inbound activity is no longer pending) and durable does not check for it: a sweep that
			// read the row before the first copy completed may enqueue it again afterwards.
			return nil
		}
		runs.record(ctx)
		return nil
	}
	// Two worker processes sweep at start together; task ids keep each row queued once, and a copy
	// enqueued after the first completed does nothing.
	for range 2 {
		srv := newServer(t, st, opt, nil)
		for _, taskType := range []string{tasks.TypeDeliverActivity, tasks.TypeProcessInbound, typeTest} {
			srv.HandleFunc(taskType, handler)
		}
		start(t, srv)
	}

	for _, id := range rows {
		waitFor(t, "row "+id+" is deleted", func() bool { return rowGone(t, st, id) })
	}
	waitFor(t, "the broker is empty", func() bool {
		total := queueTotals(t, opt)
		return total.Pending+total.Active+total.Scheduled+total.Retry == 0
	})
	for _, id := range rows {
		if n := runs.count(id); n != 1 {
			t.Errorf("task %s ran %d times, want 1", id, n)
		}
	}
}

func TestSweeperHonoursTheLease(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	dispatcher := wireDispatcher(t, st, opt)
	sweeper := workers.NewSweeper(st, dispatcher, time.Minute, 10*time.Minute, testLogger())

	row := record(t, st, tasks.NewDeliverActivityTask("d1"))
	flush(t, opt)

	// Enqueued just now: within the lease, the periodic sweep leaves it.
	if n, err := sweeper.Sweep(context.Background(), time.Now().Add(-10*time.Minute)); err != nil || n != 0 {
		t.Fatalf("sweep within the lease enqueued %d (err %v), want 0", n, err)
	}
	// Lease ran out.
	old := time.Now().Add(-11 * time.Minute)
	if err := st.MarkTasksEnqueued(context.Background(), []string{row.ID}, old); err != nil {
		t.Fatal(err)
	}
	if n, err := sweeper.Sweep(context.Background(), time.Now().Add(-10*time.Minute)); err != nil || n != 1 {
		t.Fatalf("sweep after the lease enqueued %d (err %v), want 1", n, err)
	}
	if got := queueTotals(t, opt).Pending; got != 1 {
		t.Errorf("broker holds %d pending, want 1", got)
	}
	if got := findRow(t, st, row.ID).EnqueuedAt; got == nil || !got.After(old) {
		t.Errorf("enqueued_at %v not renewed", got)
	}
	// Sweeping again while the broker holds it is refused by task id and changes nothing.
	if n, err := sweeper.Sweep(context.Background(), farFuture()); err != nil || n != 1 {
		t.Fatalf("second sweep counted %d (err %v), want 1", n, err)
	}
	if got := queueTotals(t, opt).Pending; got != 1 {
		t.Errorf("broker holds %d pending after a second sweep, want 1", got)
	}
}

func TestSweeperPagesThroughManyRows(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	opt := testenv.Redis(t)
	const count = 1203 // more than two pages
	for i := range count {
		if _, err := st.RecordTask(context.Background(), testTask("a"+string(rune('0'+i%10)), time.Time{})); err != nil {
			t.Fatal(err)
		}
	}
	client := workers.NewClient(opt)
	defer client.Close()
	sweeper := workers.NewSweeper(st, workers.NewDispatcher(client, st, testLogger()), 0, 0, testLogger())
	if n, err := sweeper.Sweep(context.Background(), time.Now()); err != nil || n != count {
		t.Fatalf("swept %d (err %v), want %d", n, err, count)
	}
	if got := queueTotals(t, opt).Pending; got != count {
		t.Errorf("broker holds %d pending, want %d", got, count)
	}
}

func flush(t *testing.T, opt asynq.RedisClientOpt) {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: opt.Addr, Username: opt.Username, Password: opt.Password, DB: opt.DB})
	defer client.Close()
	if err := client.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("FLUSHDB: %v", err)
	}
}
