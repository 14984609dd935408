package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/test/testenv"
)

// The worker takes whatever was stored, even what today's inbox would refuse (stored by an older
// version, or a case the inbox misses): an embedded Like whose id is no IRI is ignored, not a crash.
func TestWorkerIgnoresAnUndoOfALikeWithoutAUsableID(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	k := newKring(t, st)
	peer := newRemotePeer(t)
	peer.addUser("alice")
	alice := peer.actor("alice")
	body := `{"@context":"https://www.w3.org/ns/activitystreams","id":"` + alice + `/undos/1","type":"Undo","actor":"` + alice +
		`","object":{"id":"likes/1","type":"Like","actor":"` + alice + `","object":"` + alice + `/notes/1"}}`
	if _, err := st.AcceptInboundActivity(context.Background(), model.InboundActivity{ActivityIRI: alice + "/undos/1",
		ActorIRI: alice, ActivityType: "Undo", RawBody: body}, tasks.NewProcessInboundTasks); err != nil {
		t.Fatal(err)
	}
	k.processInbound(t)
	var row model.InboundActivity
	if err := st.DB().Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.State != model.InboundIgnored {
		t.Fatalf("the Undo ended %s (%s), want ignored", row.State, row.Error)
	}
}

// An activity named by a batch task that has a task of its own (the sweeper gave it an outbox row,
// or a failure was handed to one) is left to that task: the batch does nothing with it, its own
// task processes it and closes the row.
func TestBatchLeavesAnActivityWithATaskOfItsOwnToThatTask(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	k := newKring(t, st)
	activity := testenv.AcceptInbound(t, st, "own-task")
	if n, err := st.RecordStaleInboundTasks(ctx, time.Time{}, time.Now().Add(time.Minute), tasks.NewProcessInboundTask, 10); err != nil || n != 1 {
		t.Fatalf("rows given: %d, %v", n, err)
	}
	if err := k.processor.ProcessInBatch(ctx, activity.ID); err != nil {
		t.Fatal(err)
	}
	if row, err := st.InboundActivityByIRI(ctx, activity.ActivityIRI); err != nil || row.State != model.InboundPending {
		t.Fatalf("after the batch: %s, %v; want it left pending for its own task", row.State, err)
	}
	inHandCtx, inHand := store.WithTaskInHand(ctx, activity.ID)
	if err := k.processor.Process(inHandCtx, activity.ID); err != nil {
		t.Fatal(err)
	}
	if row, err := st.InboundActivityByIRI(ctx, activity.ActivityIRI); err != nil || row.State == model.InboundPending || !inHand.Completed() {
		t.Errorf("after its own task: %s, task closed %t, %v", row.State, inHand.Completed(), err)
	}
}
