package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// A member's message continuing her conversation is added and moves the conversation's last
// message time; a redelivered message is not added twice; her word reopens a conversation that
// waited for her, and a conversation that is not there is reported.
func TestContinueSupportConversation(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		ann := newActorOn(t, st, "ok.example", "ann")
		started := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		conversation, err := st.CreateSupportConversation(ctx, model.SupportConversation{GroupID: group.ID, RemoteActorID: ann.ID,
			Status: model.SupportWaiting, LastMessageAt: started})
		if err != nil {
			t.Fatal(err)
		}
		message := func(n string, at time.Time) model.SupportMessage {
			object, activity := ann.IRI+"/statuses/"+n, ann.IRI+"/statuses/"+n+"/activity"
			return model.SupportMessage{ConversationID: conversation.ID, GroupID: group.ID, Kind: model.SupportFromMember,
				ObjectIRI: &object, ActivityIRI: &activity, ContentHTML: "<p>message " + n + "</p>", CreatedAt: at}
		}
		open := model.SupportOpen
		first := started.Add(10 * time.Minute)
		if err := st.ContinueSupportConversation(ctx, message("1", first), &open); err != nil {
			t.Fatal(err)
		}
		second := started.Add(20 * time.Minute)
		for range 2 { // the second time, a redelivery
			if err := st.ContinueSupportConversation(ctx, message("2", second), nil); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.SupportConversationByID(ctx, conversation.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != model.SupportOpen || !got.LastMessageAt.Equal(second) || got.ClosedAt != nil {
			t.Errorf("conversation after her messages: %s, last message %s, closed %v; want open, %s", got.Status, got.LastMessageAt, got.ClosedAt, second)
		}
		messages, err := st.SupportMessages(ctx, conversation.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(messages) != 2 || messages[0].ContentHTML != "<p>message 1</p>" || messages[1].ContentHTML != "<p>message 2</p>" ||
			*messages[1].ActivityIRI != ann.IRI+"/statuses/2/activity" || !messages[1].CreatedAt.Equal(second) {
			t.Errorf("messages %+v; want her two, in order, each once", messages)
		}

		gone := message("3", second)
		gone.ConversationID = model.NewID()
		err = st.Transaction(ctx, func(tx *store.Store) error { return tx.ContinueSupportConversation(ctx, gone, nil) })
		if err == nil {
			t.Error("a message to a conversation that is not there was taken")
		}
		closed := model.SupportClosed
		if err := st.ContinueSupportConversation(ctx, message("4", second), &closed); err == nil {
			t.Error("her message closed the conversation")
		}
		if messages, _ := st.SupportMessages(ctx, conversation.ID); len(messages) != 2 {
			t.Errorf("%d messages after the refused ones, want 2", len(messages))
		}
	})
}

// Continuing a conversation moves its last message time without a new entry in any of the table's
// indexes: a heap-only (HOT) update, which PostgreSQL counts in the table's statistics (migration
// 27: last_message_at was in two indexes, so every message wrote five index entries). The update is
// its transaction's final write, made as it commits; the writing backend is asked to publish its
// counts as soon as it is idle, and they are read until they show.
func TestContinuingAConversationIsAHeapOnlyUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	group := newLobby(t, st)
	ann := newActorOn(t, st, "ok.example", "ann")
	started := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	conversation, err := st.CreateSupportConversation(ctx, model.SupportConversation{GroupID: group.ID, RemoteActorID: ann.ID,
		Status: model.SupportOpen, LastMessageAt: started})
	if err != nil {
		t.Fatal(err)
	}
	updates := func() (updated, heapOnly int64) {
		err := st.DB().WithContext(ctx).Raw(`SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables
			WHERE relid = CAST('support_conversations' AS regclass)`).Row().Scan(&updated, &heapOnly)
		if err != nil {
			t.Fatal(err)
		}
		return updated, heapOnly
	}
	updatedBefore, heapOnlyBefore := updates()
	err = st.Transaction(ctx, func(tx *store.Store) error {
		if err := tx.DB().WithContext(ctx).Exec("SELECT pg_stat_force_next_flush()").Error; err != nil {
			return err
		}
		object, activity := ann.IRI+"/statuses/1", ann.IRI+"/statuses/1/activity"
		return tx.ContinueSupportConversation(ctx, model.SupportMessage{ConversationID: conversation.ID, GroupID: group.ID,
			Kind: model.SupportFromMember, ObjectIRI: &object, ActivityIRI: &activity, ContentHTML: "<p>again</p>",
			CreatedAt: started.Add(time.Minute)}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	var updated, heapOnly int64
	for deadline := time.Now().Add(10 * time.Second); updated == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		updated, heapOnly = updates()
		updated, heapOnly = updated-updatedBefore, heapOnly-heapOnlyBefore
	}
	if updated != 1 || heapOnly != 1 {
		t.Errorf("continuing the conversation: %d updates, %d of them heap-only; want 1 and 1", updated, heapOnly)
	}
}
