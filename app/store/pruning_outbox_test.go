package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// Pruning loops over batches until nothing old and settled is left: seven deliveries and five
// activities go, three rows a statement, and a pending delivery keeps its activity.
func TestPruneOutboxInBatches(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		old := time.Now().Add(-100 * 24 * time.Hour).UTC()
		for i := range 6 {
			activity := model.OutboundActivity{ID: testenv.IDAt(old), ActivityIRI: fmt.Sprintf("https://kring.test/activities/%d", i),
				ActorKind: model.OwnerInstance, ActivityType: "Accept", Body: "{}", CreatedAt: old}
			if err := st.DB().Create(&activity).Error; err != nil {
				t.Fatal(err)
			}
			deliveries := map[int]int{0: 7, 5: 1}[i] // the first has seven settled, the last one pending
			for j := range deliveries {
				state := model.DeliveryDelivered
				if i == 5 {
					state = model.DeliveryPending
				}
				d := model.Delivery{ID: testenv.IDAt(old), OutboundActivityID: activity.ID, InboxURL: fmt.Sprintf("https://%d.example/inbox", j),
					Host: fmt.Sprintf("%d.example", j), State: state, NextAttemptAt: old, CreatedAt: old, UpdatedAt: old}
				if err := st.DB().Create(&d).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		deliveries, activities, err := st.PruneOutboxForTest(ctx, time.Now().Add(-90*24*time.Hour), 3)
		if err != nil {
			t.Fatal(err)
		}
		if deliveries != 7 || activities != 5 {
			t.Errorf("pruned %d deliveries and %d activities, want 7 and 5", deliveries, activities)
		}
		var left []model.Delivery
		if err := st.DB().Find(&left).Error; err != nil {
			t.Fatal(err)
		}
		if len(left) != 1 || left[0].State != model.DeliveryPending {
			t.Errorf("deliveries left: %+v, want the pending one", left)
		}
	})
}

// Each pruning statement walks an index (the primary key up to the cutoff's id, the deliveries of an
// activity), never the whole outbox, which is the largest table a long-running Kring has: with only
// recent rows in it, pruning reads none of them.
func TestPruneOutboxUsesIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	recent := time.Now().Add(-time.Hour).UTC()
	activity := model.OutboundActivity{ID: testenv.IDAt(recent), ActivityIRI: "https://kring.test/activities/recent",
		ActorKind: model.OwnerInstance, ActivityType: "Accept", Body: "{}", CreatedAt: recent}
	if err := st.DB().Create(&activity).Error; err != nil {
		t.Fatal(err)
	}
	for j := range 20 {
		d := model.Delivery{ID: testenv.IDAt(recent), OutboundActivityID: activity.ID, InboxURL: fmt.Sprintf("https://%d.example/inbox", j),
			Host: fmt.Sprintf("%d.example", j), State: model.DeliveryDelivered, NextAttemptAt: recent, CreatedAt: recent, UpdatedAt: recent}
		if err := st.DB().Create(&d).Error; err != nil {
			t.Fatal(err)
		}
	}
	recorder := testenv.RecordStatements(t, st)
	cutoff := time.Now().Add(-90 * 24 * time.Hour)
	statements := recorder.During(func() {
		if _, err := st.PruneSettledDeliveries(ctx, cutoff); err != nil {
			t.Fatal(err)
		}
		if _, err := st.PruneFinishedOutboundActivities(ctx, cutoff); err != nil {
			t.Fatal(err)
		}
	})
	if len(statements) != 2 {
		t.Fatalf("%d statements, want one per table with nothing to prune", len(statements))
	}
	conn := testenv.Conn(t, st)
	if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	for _, s := range statements {
		testenv.Explain(t, conn, s, true).Walk(func(n testenv.PlanNode) {
			if n.NodeType == "Seq Scan" || n.ActualRows+n.RowsRemovedByFilter > 0 && n.RelationName != "" {
				t.Errorf("%s on %s read %v rows for nothing:\n%s", n.NodeType, n.RelationName, n.ActualRows+n.RowsRemovedByFilter, s.SQL)
			}
		})
	}
}
