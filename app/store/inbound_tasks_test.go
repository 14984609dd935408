package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
)

// recordingBroker stands for the broker: it keeps the tasks the store hands it.
type recordingBroker struct {
	mu     sync.Mutex
	handed []model.QueuedTask
}

func (b *recordingBroker) DispatchTasks(_ context.Context, tasks []model.QueuedTask) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handed = append(b.handed, tasks...)
}

func (b *recordingBroker) tasks() []model.QueuedTask {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.handed)
}

// dispatchTo makes st hand its committed tasks to a recordingBroker.
func dispatchTo(st *store.Store) *recordingBroker {
	broker := &recordingBroker{}
	st.SetTaskDispatcher(broker)
	return broker
}

func outboxRows(t *testing.T, st *store.Store) []model.QueuedTask {
	t.Helper()
	var rows []model.QueuedTask
	if err := st.DB().Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// acceptInbound accepts an activity with id n and returns its stored row and the task handed over.
func acceptInbound(t *testing.T, st *store.Store, broker *recordingBroker, n string) (model.InboundActivity, model.QueuedTask) {
	t.Helper()
	row := testenv.AcceptInbound(t, st, n)
	handed := broker.tasks()
	return row, handed[len(handed)-1]
}

// The sweep gives a row to the task of every activity still pending after the lease without one,
// and to no other: not to an activity received within the lease, settled, or whose task has a row.
func TestStaleInboundActivitiesGetTaskRows(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		broker := dispatchTo(st)
		stale, _ := acceptInbound(t, st, broker, "stale")
		settled, _ := acceptInbound(t, st, broker, "settled")
		failed, failedTask := acceptInbound(t, st, broker, "failed")
		if err := st.FinishInboundActivity(ctx, settled.ID, model.InboundProcessed, ""); err != nil {
			t.Fatal(err)
		}
		if err := st.RecordFailureOfTask(ctx, failedTask, errors.New("busy"), false); err != nil {
			t.Fatal(err)
		}
		lease := time.Now().Add(time.Second)
		recent, _ := acceptInbound(t, st, broker, "recent")
		if err := st.DB().Model(&model.InboundActivity{}).Where("id = ?", recent.ID).
			Update("received_at", time.Now().Add(time.Minute)).Error; err != nil {
			t.Fatal(err)
		}

		// Pages of one: the loop must go on past a full page.
		written, err := st.RecordStaleInboundTasks(ctx, time.Time{}, lease, tasks.NewProcessInboundTask, 1)
		if err != nil || written != 1 {
			t.Fatalf("stale tasks recorded: %d, %v; want 1", written, err)
		}
		rows := outboxRows(t, st)
		ids := []string{rows[0].ID, rows[len(rows)-1].ID}
		if len(rows) != 2 || !slices.Contains(ids, stale.ID) || !slices.Contains(ids, failed.ID) {
			t.Fatalf("outbox rows %+v; want the failed task's and the stale activity's", rows)
		}
		for _, row := range rows {
			if row.ID == stale.ID && (row.EnqueuedAt != nil || row.TaskType != tasks.TypeProcessInbound || row.Queue != tasks.QueueInbound) {
				t.Errorf("the stale activity's row %+v: want its task, not handed to the broker", row)
			}
		}
		swept, err := st.TasksToSweep(ctx, time.Now(), "", 10)
		if err != nil || !slices.ContainsFunc(swept, func(row model.QueuedTask) bool { return row.ID == stale.ID }) {
			t.Errorf("the sweep does not find the stale activity's new row: %+v, %v", swept, err)
		}
		if again, err := st.RecordStaleInboundTasks(ctx, time.Time{}, lease, tasks.NewProcessInboundTask, 1); err != nil || again != 0 {
			t.Errorf("a second pass recorded %d, %v; want none", again, err)
		}
	})
}

// An inbound task's first failure writes its row, handed to the broker; the next counts on it; the
// last marks it dead. Discarding it then settles its activity as failed, so that no sweep gives the
// activity a task again; pruning does the same.
func TestInboundTaskFailuresAreRecordedOnARowOfTheirOwn(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		broker := dispatchTo(st)
		for _, end := range []string{"discarded", "pruned"} {
			activity, task := acceptInbound(t, st, broker, end)
			for attempt, dead := range []bool{false, true} {
				if err := st.RecordFailureOfTask(ctx, task, errors.New("remote down"), dead); err != nil {
					t.Fatal(err)
				}
				row, err := st.FindTask(ctx, task.ID)
				if err != nil || row.Attempts != attempt+1 || row.LastError != "remote down" || row.EnqueuedAt == nil ||
					(row.DeadAt != nil) != dead || row.Payload != task.Payload {
					t.Fatalf("%s, after failure %d: %+v, %v", end, attempt+1, row, err)
				}
			}
			if end == "discarded" {
				if _, err := st.DiscardDeadTask(ctx, task.ID); err != nil {
					t.Fatal(err)
				}
			} else if pruned, err := st.PruneDeadTasks(ctx, time.Now().Add(time.Minute)); err != nil || pruned != 1 {
				t.Fatalf("pruned %d, %v", pruned, err)
			}
			settled, err := st.InboundToProcessByID(ctx, activity.ID)
			if err != nil || settled.State != model.InboundFailed || settled.Error == "" {
				t.Errorf("%s task's activity: %s %q, %v; want failed, saying why", end, settled.State, settled.Error, err)
			}
			if stale, err := st.RecordStaleInboundTasks(ctx, time.Time{}, time.Now().Add(time.Minute), tasks.NewProcessInboundTask, 10); err != nil || stale != 0 {
				t.Errorf("after the %s task, the sweep gave %d activities a task, %v", end, stale, err)
			}
		}
	})
}

// The backlog of the inbound queue counts the activities pending without a row as due since they
// arrived, with the rows the queue has.
func TestInboundBacklogCountsActivitiesWithoutRows(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		broker := dispatchTo(st)
		first, _ := acceptInbound(t, st, broker, "1")
		_, failing := acceptInbound(t, st, broker, "2")
		if err := st.RecordFailureOfTask(ctx, failing, errors.New("busy"), true); err != nil {
			t.Fatal(err)
		}
		backlogs, err := st.QueueBacklogs(ctx, tasks.QueueInbound)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(backlogs, func(b store.QueueBacklog) bool { return b.Queue == tasks.QueueInbound })
		if i < 0 {
			t.Fatalf("no inbound queue in %+v", backlogs)
		}
		inbound := backlogs[i]
		if inbound.Due != 1 || inbound.Dead != 1 || inbound.OldestDueAt == nil ||
			inbound.OldestDueAt.Sub(first.ReceivedAt).Abs() > time.Millisecond {
			t.Errorf("inbound backlog %+v; want 1 due since %s and 1 dead", inbound, first.ReceivedAt)
		}
	})
}

// The sweep's look for stale inbound activities and the backlog's count of pending ones, which run
// every few seconds whatever the history's size, are served by indexes.
func TestInboundTaskSweepsUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	broker := dispatchTo(st)
	acceptInbound(t, st, broker, "1")
	recorder := testenv.RecordStatements(t, st)
	statements := recorder.During(func() {
		if _, err := st.RecordStaleInboundTasks(ctx, time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour), tasks.NewProcessInboundTask, 10); err != nil {
			t.Fatal(err)
		}
		if _, err := st.QueueBacklogs(ctx, tasks.QueueInbound); err != nil {
			t.Fatal(err)
		}
	})
	conn := testenv.Conn(t, st)
	if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	for _, s := range statements {
		for _, table := range testenv.SeqScans(testenv.Explain(t, conn, s, false)) {
			if table == "inbound_activities" {
				t.Errorf("no index serves this statement, it reads all of %s:\n%s", table, s.SQL)
			}
		}
	}
	if len(statements) < 3 {
		t.Errorf("recorded %d statements, want the sweep's and the backlog's", len(statements))
	}
}

// activitiesTasks maps each activity to the task of its own that processes it, from the tasks the
// store handed over: a task is an activity's own, or a batch covering several, whose covers are
// theirs in the order of its payload. It fails the test on a task the store should not have made.
func activitiesTasks(t *testing.T, handed []model.QueuedTask) map[string]model.QueuedTask {
	t.Helper()
	own := map[string]model.QueuedTask{}
	add := func(task model.QueuedTask) {
		var payload tasks.ProcessInboundPayload
		if err := json.Unmarshal([]byte(task.Payload), &payload); err != nil || task.TaskType != tasks.TypeProcessInbound ||
			!task.Unrecorded || len(task.Covers) > 0 {
			t.Fatalf("not an activity's own unrecorded task: %+v, %v", task, err)
		}
		if _, twice := own[payload.InboundActivityID]; twice {
			t.Fatalf("activity %s has two tasks", payload.InboundActivityID)
		}
		own[payload.InboundActivityID] = task
	}
	for _, task := range handed {
		if task.TaskType != tasks.TypeProcessInboundBatch {
			add(task)
			continue
		}
		var payload tasks.ProcessInboundBatchPayload
		if err := json.Unmarshal([]byte(task.Payload), &payload); err != nil || !task.Unrecorded ||
			task.Queue != tasks.QueueInbound || len(payload.InboundActivityIDs) < 2 || len(task.Covers) != len(payload.InboundActivityIDs) {
			t.Fatalf("not a batch of activities: %+v, %v", task, err)
		}
		for i, cover := range task.Covers {
			if cover.ID != payload.InboundActivityIDs[i] {
				t.Fatalf("the batch's cover %d is %s, its payload names %s", i, cover.ID, payload.InboundActivityIDs[i])
			}
			add(cover)
		}
	}
	return own
}

// The activities one shared accept stores are handed to the broker as one task: the task of the
// one activity when it stored one, else a batch naming the new ones (not the one stored before, nor
// the second copy of one sent twice), covering each with its own task, for the rows the dispatcher
// writes if the broker refuses the batch.
func TestActivitiesAcceptedTogetherGetOneTask(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	broker := dispatchTo(st)
	before := testenv.AcceptInbound(t, st, "before")
	at := time.Now().UTC().Truncate(time.Microsecond)
	activity := func(n string) model.InboundActivity {
		return model.InboundActivity{ID: model.NewID(), ActivityIRI: "https://a.example/activities/" + n,
			ActorIRI: "https://a.example/u/al", ActivityType: "Create", RawBody: `{}`, State: model.InboundPending, ReceivedAt: at}
	}
	one, two, again := activity("one"), activity("two"), activity("one")
	stale := activity("before")
	handedBefore := len(broker.tasks())
	isNew, err := st.AcceptBatchForTest(ctx, []model.InboundActivity{one, stale, two, again}, tasks.NewProcessInboundTasks)
	if err != nil || !slices.Equal(isNew, []bool{true, false, true, false}) {
		t.Fatalf("accept: new %v, %v", isNew, err)
	}
	handed := broker.tasks()[handedBefore:]
	if len(handed) != 1 || handed[0].TaskType != tasks.TypeProcessInboundBatch {
		t.Fatalf("handed %+v; want one batch task", handed)
	}
	own := activitiesTasks(t, handed)
	if len(own) != 2 || own[one.ID].ID != one.ID || own[two.ID].ID != two.ID || handed[0].ID == one.ID || handed[0].ID == two.ID {
		t.Errorf("the batch %s covers %+v; want the tasks of %s and %s", handed[0].ID, own, one.ID, two.ID)
	}
	if _, ok := own[before.ID]; ok {
		t.Error("the batch covers an activity stored before it")
	}

	three := activity("three")
	if isNew, err := st.AcceptBatchForTest(ctx, []model.InboundActivity{three, activity("two")}, tasks.NewProcessInboundTasks); err != nil || !slices.Equal(isNew, []bool{true, false}) {
		t.Fatalf("accept: new %v, %v", isNew, err)
	}
	handed = broker.tasks()[handedBefore+1:]
	if len(handed) != 1 || handed[0].ID != three.ID || handed[0].TaskType != tasks.TypeProcessInbound {
		t.Errorf("one new activity: handed %+v, want its own task", handed)
	}
	if isNew, err := st.AcceptBatchForTest(ctx, []model.InboundActivity{activity("three")}, tasks.NewProcessInboundTasks); err != nil || isNew[0] {
		t.Fatalf("accept again: new %v, %v", isNew, err)
	}
	if len(broker.tasks()) != handedBefore+2 {
		t.Errorf("a batch with nothing new handed a task: %+v", broker.tasks()[handedBefore+2:])
	}
	if rows := outboxRows(t, st); len(rows) != 0 {
		t.Errorf("outbox rows %+v; want none", rows)
	}
}
