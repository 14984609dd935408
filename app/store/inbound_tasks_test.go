package store_test

import (
	"context"
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
