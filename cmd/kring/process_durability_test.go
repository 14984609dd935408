package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
)

// recordPendingTask writes an outbox row straight into the database, as a crashed process would have
// left it: committed, but never handed to any broker. It is scheduled an hour ahead so no worker
// runs it during the test; what matters is that it reaches the broker and stays there.
func recordPendingTask(t *testing.T, opts store.Options) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	row, err := st.RecordTask(ctx, store.NewTask{Type: "test:unhandled", Queue: tasks.QueueMaintenance, Payload: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Model(&row).Update("run_at", time.Now().Add(time.Hour).UTC()).Error; err != nil {
		t.Fatal(err)
	}
	return row.ID
}

// sweptOneTask matches the log line a worker writes when it hands one outbox row to the broker.
var sweptOneTask = regexp.MustCompile(`msg="outbox sweep enqueued tasks".* enqueued=1\b`)

// brokerHasTask reports whether asynq holds the task, in any state.
func brokerHasTask(t *testing.T, opt asynq.RedisClientOpt, id string) bool {
	t.Helper()
	inspector := asynq.NewInspector(opt)
	defer inspector.Close()
	_, err := inspector.GetTaskInfo(tasks.QueueMaintenance, id)
	return err == nil
}

// Production shape: serve and worker as separate processes on PostgreSQL and Redis. Both become ready,
// both stop cleanly on SIGTERM, and a task that was pending survives the worker's restart and a
// Redis that lost its data.
func TestServeAndWorkerOnPostgresAndRedis(t *testing.T) {
	t.Parallel()
	databaseURL := testenv.PostgresURL(t)
	redisOpt := testenv.Redis(t)
	env := map[string]string{
		"KRING_DATA_DIR":     t.TempDir(),
		"KRING_DATABASE_URL": databaseURL,
		"KRING_REDIS_URL":    testenv.RedisURL(redisOpt),
		"KRING_ADMIN_EMAIL":  "first@kring.example",
	}

	serve := testenv.StartKring(t, env, "serve")
	base := serve.WaitListening(t)
	if status := testenv.GetStatus(t, base+"/readyz"); status != http.StatusOK {
		t.Fatalf("/readyz = %d, want 200", status)
	}
	if !strings.Contains(serve.Stdout(), "first@kring.example") {
		t.Errorf("serve should print the first admin:\n%s", serve.Stdout())
	}

	taskID := recordPendingTask(t, store.Options{DatabaseURL: databaseURL})
	worker := testenv.StartKring(t, env, "worker")
	worker.WaitForLine(t, sweptOneTask, 30*time.Second)
	if !brokerHasTask(t, redisOpt, taskID) {
		t.Fatal("the worker did not hand the pending task to Redis")
	}
	if code := worker.Stop(t); code != 0 {
		t.Fatalf("worker exit code after SIGTERM = %d", code)
	}
	if !brokerHasTask(t, redisOpt, taskID) {
		t.Fatal("the task left Redis when the worker stopped")
	}

	// Redis loses everything; the next worker refills it from the database.
	flushRedis(t, redisOpt)
	if brokerHasTask(t, redisOpt, taskID) {
		t.Fatal("flush did not empty Redis")
	}
	again := testenv.StartKring(t, env, "worker")
	again.WaitForLine(t, sweptOneTask, 30*time.Second)
	if !brokerHasTask(t, redisOpt, taskID) {
		t.Fatal("the task was lost with Redis's data")
	}
	if code := again.Stop(t); code != 0 {
		t.Fatalf("second worker exit code = %d", code)
	}
	if code := serve.Stop(t); code != 0 {
		t.Fatalf("serve exit code after SIGTERM = %d", code)
	}
	if logs := serve.Stderr(); !strings.Contains(logs, "stopped cleanly") {
		t.Errorf("serve did not log a clean stop:\n%s", logs)
	}
}

// The embedded broker forgets everything when the process stops; the pending task comes back from
// the database on every start.
func TestEmbeddedDefaultKeepsPendingTasksAcrossRestarts(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	env := map[string]string{"KRING_DATA_DIR": dataDir}
	first := testenv.StartKring(t, env)
	first.WaitListening(t)
	if code := first.Stop(t); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	recordPendingTask(t, store.Options{DataDir: dataDir})
	for run := 1; run <= 2; run++ {
		k := testenv.StartKring(t, env)
		k.WaitListening(t)
		k.WaitForLine(t, sweptOneTask, 30*time.Second)
		if code := k.Stop(t); code != 0 {
			t.Fatalf("run %d: exit code %d", run, code)
		}
	}
}

func flushRedis(t *testing.T, opt asynq.RedisClientOpt) {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: opt.Addr, DB: opt.DB})
	defer client.Close()
	if err := client.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
}
