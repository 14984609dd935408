package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
)

// acceptForLastWrite stores an inbound activity with its task and returns both.
func acceptForLastWrite(t *testing.T, st *store.Store, n string) (model.InboundActivity, model.QueuedTask) {
	t.Helper()
	ctx := context.Background()
	iri := "https://a.example/activities/last-write-" + n
	if created, err := st.AcceptInboundActivity(ctx, model.InboundActivity{ActivityIRI: iri, ActorIRI: "https://a.example/u/al",
		ActivityType: "Create", RawBody: `{}`}, tasks.NewProcessInboundTask); err != nil || !created {
		t.Fatalf("accept: created %t, %v", created, err)
	}
	row, err := st.InboundActivityByIRI(ctx, iri)
	if err != nil {
		t.Fatal(err)
	}
	var task model.QueuedTask
	if err := st.DB().Where("payload LIKE ?", "%"+row.ID+"%").Take(&task).Error; err != nil {
		t.Fatal(err)
	}
	return row, task
}

// A transaction named as the processing's last write settles the activity and closes the task in
// hand when it commits, and only then: a failed one leaves both for the retry, a later transaction
// settles nothing again, and the settle that follows the processing costs no statement.
func TestLastWriteSettlesTheInboundActivityWhenItCommits(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		row, task := acceptForLastWrite(t, st, "1")
		inHandCtx, inHand := store.WithTaskInHand(ctx, task.ID)
		lastCtx := store.WithSettleInLastWrite(inHandCtx, row.ID)
		failure := errors.New("the database went away")
		if err := st.Transaction(lastCtx, func(tx *store.Store) error { return failure }); !errors.Is(err, failure) {
			t.Fatalf("a failing transaction: %v", err)
		}
		if inHand.Completed() {
			t.Error("a transaction that rolled back closed the task in hand")
		}
		if _, err := st.FindTask(ctx, task.ID); err != nil {
			t.Errorf("a transaction that rolled back deleted the task's row: %v", err)
		}
		if pending, err := st.InboundToProcessByID(ctx, row.ID); err != nil || pending.State != model.InboundPending {
			t.Errorf("after a rollback: %s, %v", pending.State, err)
		}

		if err := st.Transaction(lastCtx, func(tx *store.Store) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if !inHand.Completed() {
			t.Error("the last write did not close the task in hand")
		}
		if _, err := st.FindTask(ctx, task.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the task's row outlived the last write: %v", err)
		}
		done, err := st.InboundToProcessByID(ctx, row.ID)
		if err != nil || done.State != model.InboundProcessed || done.Attempts != 1 || done.ProcessedAt == nil {
			t.Errorf("after the last write: %s, %d attempts, processed at %v, %v", done.State, done.Attempts, done.ProcessedAt, err)
		}

		recorder := testenv.RecordStatements(t, st)
		statements := recorder.During(func() {
			if err := st.Transaction(lastCtx, func(tx *store.Store) error { return nil }); err != nil {
				t.Fatal(err)
			}
			if err := st.FinishInboundActivity(lastCtx, row.ID, model.InboundProcessed, ""); err != nil {
				t.Fatal(err)
			}
		})
		if len(statements) != 0 {
			t.Errorf("a second transaction and the settle after the last write ran %d statements, want none: %v", len(statements), statements)
		}
		if again, err := st.InboundToProcessByID(ctx, row.ID); err != nil || again.Attempts != 1 {
			t.Errorf("attempts after a second transaction: %d, %v", again.Attempts, err)
		}
	})
}

// What the processing finds after its last write corrects the outcome it recorded (a direct message
// its group refused is ignored, not processed), counting the attempt once; without a task in hand
// a last write settles nothing.
func TestOutcomeAfterTheLastWriteCorrectsIt(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		row, task := acceptForLastWrite(t, st, "refused")
		inHandCtx, _ := store.WithTaskInHand(ctx, task.ID)
		lastCtx := store.WithSettleInLastWrite(inHandCtx, row.ID)
		if err := st.Transaction(lastCtx, func(tx *store.Store) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if err := st.FinishInboundActivity(lastCtx, row.ID, model.InboundIgnored, "author banned from the group"); err != nil {
			t.Fatal(err)
		}
		done, err := st.InboundToProcessByID(ctx, row.ID)
		if err != nil || done.State != model.InboundIgnored || done.Error != "author banned from the group" || done.Attempts != 1 {
			t.Errorf("after the correction: %s %q, %d attempts, %v", done.State, done.Error, done.Attempts, err)
		}

		row, task = acceptForLastWrite(t, st, "no task in hand")
		if err := st.Transaction(store.WithSettleInLastWrite(ctx, row.ID), func(tx *store.Store) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if pending, err := st.InboundToProcessByID(ctx, row.ID); err != nil || pending.State != model.InboundPending {
			t.Errorf("a last write without a task in hand settled the activity: %s, %v", pending.State, err)
		}
		if _, err := st.FindTask(ctx, task.ID); err != nil {
			t.Errorf("a last write without a task in hand deleted a task's row: %v", err)
		}
	})
}
