package workers_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

// scriptedProcessor settles the activities it is given as processed, except those it is told to
// fail (with an error, or a panic), and counts its runs per activity.
type scriptedProcessor struct {
	st   *store.Store
	fail map[string]string // activity id -> "error" or "panic"
	mu   sync.Mutex
	runs map[string]int
}

func (p *scriptedProcessor) Process(ctx context.Context, id string) error {
	p.mu.Lock()
	p.runs[id]++
	p.mu.Unlock()
	switch p.fail[id] {
	case "error":
		return errors.New("the object's server is down")
	case "panic":
		panic("a malformed object")
	}
	return p.st.FinishInboundActivity(ctx, id, model.InboundProcessed, "")
}

// ProcessInBatch is Process: leaving alone an activity with a task of its own is the inbox's part,
// tested there.
func (p *scriptedProcessor) ProcessInBatch(ctx context.Context, id string) error {
	return p.Process(ctx, id)
}

func (p *scriptedProcessor) runsOf(id string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.runs[id]
}

// batchTask is the unrecorded task that processes activities together, as the inbox's accept makes it.
func batchTask(t *testing.T, activities ...model.InboundActivity) model.QueuedTask {
	t.Helper()
	ids := make([]string, len(activities))
	covers := make([]model.QueuedTask, len(activities))
	for i, activity := range activities {
		ids[i] = activity.ID
		payload, _ := json.Marshal(tasks.ProcessInboundPayload{InboundActivityID: activity.ID})
		covers[i] = model.QueuedTask{ID: activity.ID, TaskType: tasks.TypeProcessInbound, Queue: tasks.QueueInbound,
			Payload: string(payload), RunAt: time.Now(), CreatedAt: time.Now(), Unrecorded: true}
	}
	payload, err := json.Marshal(tasks.ProcessInboundBatchPayload{InboundActivityIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	return model.QueuedTask{ID: model.NewID(), TaskType: tasks.TypeProcessInboundBatch, Queue: tasks.QueueInbound,
		Payload: string(payload), RunAt: time.Now(), CreatedAt: time.Now(), Unrecorded: true, Covers: covers}
}

// A batch task runs each of its activities once. One that fails, by an error or a panic, is handed
// to a task of its own under its id: a row counts the failed attempt and says why, and the broker
// holds the task for its retry. The others settle with no row; the batch leaves nothing behind.
func TestInboundBatchHandsItsFailuresToTasksOfTheirOwn(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	opt := testenv.Redis(t)
	// Accepted before the dispatcher is wired, so that only the batch below is handed over.
	ok1, failing, panicking, ok2 := testenv.AcceptInbound(t, st, "ok-1"), testenv.AcceptInbound(t, st, "failing"),
		testenv.AcceptInbound(t, st, "panicking"), testenv.AcceptInbound(t, st, "ok-2")
	for _, activity := range []model.InboundActivity{ok1, failing, panicking, ok2} {
		// Out of reach of the worker's first sweep, which gives every activity pending before it a
		// task of its own.
		if err := st.DB().Model(&model.InboundActivity{}).Where("id = ?", activity.ID).
			Update("received_at", time.Now().Add(time.Hour)).Error; err != nil {
			t.Fatal(err)
		}
	}
	batch := batchTask(t, ok1, failing, panicking, ok2)
	dispatcher := wireDispatcher(t, st, opt)
	processor := &scriptedProcessor{st: st, runs: map[string]int{},
		fail: map[string]string{failing.ID: "error", panicking.ID: "panic"}}
	srv := newServer(t, st, opt, nil)
	srv.HandleInbound(processor)
	start(t, srv)

	dispatcher.DispatchTasks(context.Background(), []model.QueuedTask{batch})
	waitFor(t, "the failures are handed over", func() bool {
		totals := queueTotals(t, opt)
		return totals.Scheduled == 2 && totals.Pending == 0 && totals.Active == 0
	})
	for _, activity := range []model.InboundActivity{ok1, failing, panicking, ok2} {
		if runs := processor.runsOf(activity.ID); runs != 1 {
			t.Errorf("activity %s ran %d times, want once", activity.ActivityIRI, runs)
		}
	}
	for _, settled := range []model.InboundActivity{ok1, ok2} {
		if !rowGone(t, st, settled.ID) {
			t.Errorf("the settled activity %s has a task row", settled.ActivityIRI)
		}
	}
	for _, failed := range []model.InboundActivity{failing, panicking} {
		row := findRow(t, st, failed.ID)
		if row.TaskType != tasks.TypeProcessInbound || row.Attempts != 1 || row.LastError == "" || row.EnqueuedAt == nil || row.DeadAt != nil {
			t.Errorf("the failed activity %s's row %+v: want its own task, one attempt, why, handed to the broker", failed.ActivityIRI, row)
		}
		info, err := asynq.NewInspector(opt).GetTaskInfo(tasks.QueueInbound, failed.ID)
		if err != nil || info.State != asynq.TaskStateScheduled || info.Type != tasks.TypeProcessInbound ||
			info.MaxRetry != workers.RetryPolicyFor(tasks.TypeProcessInbound).MaxRetry-1 {
			t.Errorf("the failed activity %s's retry in the broker: %+v, %v", failed.ActivityIRI, info, err)
		}
	}
	var rows int64
	if err := st.DB().Model(&model.QueuedTask{}).Count(&rows).Error; err != nil || rows != 2 {
		t.Errorf("%d outbox rows, %v; want the two failed activities' only", rows, err)
	}
}

// A batch the broker refused leaves a row for each activity it covers, keyed by the activity and
// not handed over (so the next sweep enqueues them), and none for itself.
func TestRefusedInboundBatchGivesEachActivityARow(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	one, two := testenv.AcceptInbound(t, st, "one"), testenv.AcceptInbound(t, st, "two")
	dispatcher := wireDispatcher(t, st, asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: time.Second})
	batch := batchTask(t, one, two)
	dispatcher.DispatchTasks(context.Background(), []model.QueuedTask{batch})
	for _, activity := range []model.InboundActivity{one, two} {
		if row := findRow(t, st, activity.ID); row.TaskType != tasks.TypeProcessInbound || row.EnqueuedAt != nil {
			t.Errorf("the refused batch's activity %s: row %+v, want its own task, not handed over", activity.ActivityIRI, row)
		}
	}
	if !rowGone(t, st, batch.ID) {
		t.Error("the refused batch has a row of its own")
	}
}
