package workers_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

// The embedded default: SQLite and the in-process broker, as `kring` with no settings runs.
func TestEmbeddedBroker(t *testing.T) {
	t.Parallel()
	broker, err := workers.StartEmbeddedBroker()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	opt := broker.RedisConnOpt()
	st := testenv.SQLite(t)
	wireDispatcher(t, st, opt)

	pinger, err := workers.NewBrokerPinger(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer pinger.Close()
	if err := pinger.Ping(context.Background()); err != nil {
		t.Fatalf("ping embedded broker: %v", err)
	}

	runs := newExecutions()
	var mu sync.Mutex
	ranAt := map[string]time.Time{}
	handler := func(ctx context.Context, task *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		mu.Lock()
		ranAt[id] = time.Now()
		mu.Unlock()
		if task.Type() == tasks.TypeProcessInbound && runs.record(ctx) == 1 {
			return errors.New("first attempt fails")
		}
		if task.Type() != tasks.TypeProcessInbound {
			runs.record(ctx)
		}
		return nil
	}
	srv := newServer(t, st, opt, nil)
	for _, taskType := range []string{tasks.TypeDeliverActivity, tasks.TypeProcessInbound, typeTest} {
		srv.HandleFunc(taskType, handler)
	}
	start(t, srv)

	publishAt := time.Now().Add(1500 * time.Millisecond)
	delivery := record(t, st, tasks.NewDeliverActivityTask("d1"))
	inbound := record(t, st, tasks.NewProcessInboundTask("i1"))
	scheduled := record(t, st, testTask("p1", publishAt))

	for _, id := range []string{delivery.ID, inbound.ID, scheduled.ID} {
		waitFor(t, "row "+id+" is deleted", func() bool { return rowGone(t, st, id) })
	}
	for id, want := range map[string]int{delivery.ID: 1, inbound.ID: 2, scheduled.ID: 1} {
		if n := runs.count(id); n != want {
			t.Errorf("task %s ran %d times, want %d", id, n, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if ran := ranAt[scheduled.ID]; ran.Before(publishAt) {
		t.Errorf("task due later ran at %s, before its time %s", ran.Format(time.StampMilli), publishAt.Format(time.StampMilli))
	}
}

// The embedded broker forgets everything when the process stops; the outbox fills a new one.
func TestEmbeddedBrokerRestartLosesNothing(t *testing.T) {
	t.Parallel()
	st := testenv.SQLite(t)
	first, err := workers.StartEmbeddedBroker()
	if err != nil {
		t.Fatal(err)
	}
	client := workers.NewClient(first.RedisConnOpt())
	st.SetTaskDispatcher(workers.NewDispatcher(client, st, testLogger()))
	row := record(t, st, tasks.NewDeliverActivityTask("before-restart"))
	_ = client.Close()
	first.Close()

	second, err := workers.StartEmbeddedBroker()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(second.Close)
	runs := newExecutions()
	srv := newServer(t, st, second.RedisConnOpt(), nil)
	srv.HandleFunc(tasks.TypeDeliverActivity, func(ctx context.Context, task *asynq.Task) error {
		runs.record(ctx)
		return nil
	})
	start(t, srv)
	waitFor(t, "the task runs on the new broker", func() bool { return rowGone(t, st, row.ID) })
	if n := runs.count(row.ID); n != 1 {
		t.Errorf("task ran %d times, want 1", n)
	}
}
