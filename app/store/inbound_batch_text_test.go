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
// stored what it should, and no outbox row (their tasks have none); the batches' rows are then read
// and settled, with the shared statements for each.
func TestInboxAcceptIsOneStatementWhateverItsBatchSize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	recorder := testenv.RecordStatements(t, st)
	at := time.Now().UTC().Truncate(time.Microsecond)
	batch := func(first, n int) (activities []model.InboundActivity, ids []string) {
		for i := first; i < first+n; i++ {
			a := model.InboundActivity{ID: model.NewID(), ActivityIRI: fmt.Sprintf("https://a.example/activities/%d", i),
				ActorIRI: "https://a.example/u/al", ActivityType: "Create", RawBody: fmt.Sprintf(`{"n":%d}`, i),
				State: model.InboundPending, ReceivedAt: at}
			activities, ids = append(activities, a), append(ids, a.ID)
		}
		return activities, ids
	}
	one, oneID := batch(0, 1)
	three, threeIDs := batch(1, 3)
	three[2].ActivityIRI = three[0].ActivityIRI // sent twice in one batch: stored once

	var sqls []string
	accept := func(activities []model.InboundActivity) (isNew []bool) {
		t.Helper()
		for _, s := range recorder.During(func() {
			var err error
			if isNew, err = st.AcceptBatchForTest(ctx, activities); err != nil {
				t.Fatalf("accept a batch of %d: %v", len(activities), err)
			}
		}) {
			sqls = append(sqls, s.SQL)
		}
		return isNew
	}
	accept(one)
	if isNew := accept(three); !slices.Equal(isNew, []bool{true, true, false}) {
		t.Errorf("a batch of three with one activity twice: new %v, want [true true false]", isNew)
	}
	if len(sqls) != 2 || sqls[0] != sqls[1] {
		t.Errorf("the accepts of one and of three ran %d statements, not one and the same:\n%s", len(sqls), sqls)
	}
	var rows int64
	if err := st.DB().Model(&model.QueuedTask{}).Count(&rows).Error; err != nil || rows != 0 {
		t.Errorf("the accepts wrote %d outbox rows, want none; %v", rows, err)
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
	if err := st.SettleBatchForTest(ctx, oneID, oneID, model.InboundProcessed); err != nil {
		t.Fatal(err)
	}
	if err := st.SettleBatchForTest(ctx, threeIDs[:2], threeIDs[:2], model.InboundIgnored); err != nil {
		t.Fatal(err)
	}

	var states []string
	if err := st.DB().Model(&model.InboundActivity{}).Order("activity_iri").Pluck("state", &states).Error; err != nil {
		t.Fatal(err)
	}
	if want := []string{"processed", "ignored", "ignored"}; !slices.Equal(states, want) {
		t.Errorf("states after the settles: %v, want %v", states, want)
	}
}
