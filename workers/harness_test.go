package workers_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// testRetryDelay keeps retries quick in tests.
const testRetryDelay = 200 * time.Millisecond

// newServer builds a worker server with fast polling and retries; adjust changes the config.
func newServer(t *testing.T, st *store.Store, opt asynq.RedisConnOpt, adjust func(*workers.Config)) *workers.Server {
	t.Helper()
	cfg := workers.Config{
		RedisConnOpt:    opt,
		Store:           st,
		Logger:          testLogger(),
		Concurrency:     4,
		ShutdownTimeout: 2 * time.Second,
		SweepInterval:   time.Hour, // tests sweep at start, or explicitly
		RetryDelayFunc:  func(int, error, *asynq.Task) time.Duration { return testRetryDelay },
		PollInterval:    100 * time.Millisecond,
	}
	if adjust != nil {
		adjust(&cfg)
	}
	srv, err := workers.NewServer(cfg)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	t.Cleanup(srv.Shutdown)
	return srv
}

func start(t *testing.T, srv *workers.Server) {
	t.Helper()
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("start server: %v", err)
	}
}

// wireDispatcher makes st hand committed tasks to the broker at opt, as cmd does.
func wireDispatcher(t *testing.T, st *store.Store, opt asynq.RedisConnOpt) *workers.Dispatcher {
	t.Helper()
	client := workers.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })
	dispatcher := workers.NewDispatcher(client, st, testLogger())
	st.SetTaskDispatcher(dispatcher)
	return dispatcher
}

// executions counts handler runs per task id.
type executions struct {
	mu   sync.Mutex
	byID map[string]int
}

func newExecutions() *executions { return &executions{byID: map[string]int{}} }

// record counts a run of the task in ctx and returns which run this is (1 for the first).
func (e *executions) record(ctx context.Context) int {
	id, _ := asynq.GetTaskID(ctx)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.byID[id]++
	return e.byID[id]
}

func (e *executions) count(id string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.byID[id]
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rowGone reports whether the task's outbox row has been deleted.
func rowGone(t *testing.T, st *store.Store, id string) bool {
	t.Helper()
	_, err := st.FindTask(context.Background(), id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("find task: %v", err)
	}
	return errors.Is(err, store.ErrNotFound)
}

func findRow(t *testing.T, st *store.Store, id string) model.QueuedTask {
	t.Helper()
	row, err := st.FindTask(context.Background(), id)
	if err != nil {
		t.Fatalf("find task %s: %v", id, err)
	}
	return row
}

// typeTest is a task type production does not have, for tests that need any task, one nobody handles,
// or one with a run time ahead; like any unknown type it runs on the maintenance queue.
const typeTest = "test:task"

// testTask describes a task of typeTest, due at runAt (zero: at once).
func testTask(id string, runAt time.Time) store.NewTask {
	return store.NewTask{Type: typeTest, Queue: tasks.QueueFor(typeTest), Payload: map[string]string{"id": id}, RunAt: runAt}
}

// record writes task in its own transaction and returns its row.
func record(t *testing.T, st *store.Store, task store.NewTask) model.QueuedTask {
	t.Helper()
	var row model.QueuedTask
	err := st.Transaction(context.Background(), func(tx *store.Store) error {
		var err error
		row, err = tx.RecordTask(context.Background(), task)
		return err
	})
	if err != nil {
		t.Fatalf("record task: %v", err)
	}
	return row
}

// queueTotals counts what the broker holds across Kring's queues, reading asynq's keys directly: the
// Inspector lists only queues a client has announced, and a long-lived client does not announce a
// queue again after FLUSHDB.
func queueTotals(t *testing.T, opt asynq.RedisClientOpt) workers.QueueStats {
	t.Helper()
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: opt.Addr, Username: opt.Username, Password: opt.Password, DB: opt.DB})
	defer client.Close()
	var total workers.QueueStats
	for queue := range workers.QueuePriorities() {
		key := func(kind string) string { return "asynq:{" + queue + "}:" + kind }
		counts := []struct {
			into *int
			n    *redis.IntCmd
		}{
			{&total.Pending, client.LLen(ctx, key("pending"))},
			{&total.Active, client.LLen(ctx, key("active"))},
			{&total.Scheduled, client.ZCard(ctx, key("scheduled"))},
			{&total.Retry, client.ZCard(ctx, key("retry"))},
			{&total.Archived, client.ZCard(ctx, key("archived"))},
		}
		for _, c := range counts {
			n, err := c.n.Result()
			if err != nil {
				t.Fatalf("count tasks in %s: %v", queue, err)
			}
			*c.into += int(n)
		}
	}
	return total
}

// onBothBrokers runs test on a real Redis and on the embedded broker, which must behave alike.
func onBothBrokers(t *testing.T, test func(t *testing.T, opt asynq.RedisConnOpt)) {
	t.Helper()
	embedded, err := workers.StartEmbeddedBroker()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(embedded.Close)
	for name, opt := range map[string]asynq.RedisConnOpt{"redis": testenv.Redis(t), "embedded": embedded.RedisConnOpt()} {
		t.Run(name, func(t *testing.T) { test(t, opt) })
	}
}
