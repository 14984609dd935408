package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/test/testenv"
)

// The inbox's shared accept is one statement text whatever its batch's size (pg_arrays.go): a text
// that changed with the size would be parsed and planned anew by every connection for each size it
// met. It is run with one call and with three, both must be the same SQL, and each batch must have
// stored what it should; the batches' rows are then read and settled, with the shared statements
// for each, and every task is closed.
func TestInboxAcceptIsOneStatementWhateverItsBatchSize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	recorder := testenv.RecordStatements(t, st)
	at := time.Now().UTC().Truncate(time.Microsecond)
	batch := func(first, n int) (activities []model.InboundActivity, tasks []model.QueuedTask, ids, taskIDs []string) {
		for i := first; i < first+n; i++ {
			a := model.InboundActivity{ID: model.NewID(), ActivityIRI: fmt.Sprintf("https://a.example/activities/%d", i),
				ActorIRI: "https://a.example/u/al", ActivityType: "Create", RawBody: fmt.Sprintf(`{"n":%d}`, i),
				State: model.InboundPending, ReceivedAt: at}
			task := model.QueuedTask{ID: model.NewID(), TaskType: "process_inbound", Queue: "inbox",
				Payload: fmt.Sprintf(`{"inbound_activity_id":%q}`, a.ID), RunAt: at, CreatedAt: at}
			activities, tasks = append(activities, a), append(tasks, task)
			ids, taskIDs = append(ids, a.ID), append(taskIDs, task.ID)
		}
		return activities, tasks, ids, taskIDs
	}
	one, oneTask, oneID, oneTaskID := batch(0, 1)
	three, threeTasks, threeIDs, threeTaskIDs := batch(1, 3)
	three[2].ActivityIRI = three[0].ActivityIRI // sent twice in one batch: stored once

	var sqls []string
	accept := func(activities []model.InboundActivity, tasks []model.QueuedTask) (isNew []bool) {
		t.Helper()
		for _, s := range recorder.During(func() {
			var err error
			if isNew, err = st.AcceptBatchForTest(ctx, activities, tasks); err != nil {
				t.Fatalf("accept a batch of %d: %v", len(activities), err)
			}
		}) {
			sqls = append(sqls, s.SQL)
		}
		return isNew
	}
	accept(one, oneTask)
	if isNew := accept(three, threeTasks); !slices.Equal(isNew, []bool{true, true, false}) {
		t.Errorf("a batch of three with one activity twice: new %v, want [true true false]", isNew)
	}
	if len(sqls) != 2 || sqls[0] != sqls[1] {
		t.Errorf("the accepts of one and of three ran %d statements, not one and the same:\n%s", len(sqls), sqls)
	}
	if _, err := st.PrereadBatchForTest(ctx, oneID); err != nil {
		t.Fatal(err)
	}
	read, err := st.PrereadBatchForTest(ctx, threeIDs)
	if err != nil {
		t.Fatal(err)
	}
	if read[0] == nil || read[0].RawBody != `{"n":1}` || read[1] == nil || read[2] != nil {
		t.Errorf("a batch of three reads: %v, want the first two and nil for the copy not stored", read)
	}
	if err := st.SettleBatchForTest(ctx, oneID, oneTaskID, model.InboundProcessed); err != nil {
		t.Fatal(err)
	}
	if err := st.SettleBatchForTest(ctx, threeIDs[:2], threeTaskIDs[:2], model.InboundIgnored); err != nil {
		t.Fatal(err)
	}

	var left int64
	if err := st.DB().Model(&model.QueuedTask{}).Count(&left).Error; err != nil || left != 0 {
		t.Errorf("%d tasks left after every settle, %v", left, err)
	}
	var states []string
	if err := st.DB().Model(&model.InboundActivity{}).Order("activity_iri").Pluck("state", &states).Error; err != nil {
		t.Fatal(err)
	}
	if want := []string{"processed", "ignored", "ignored"}; !slices.Equal(states, want) {
		t.Errorf("states after the settles: %v, want %v", states, want)
	}
}
