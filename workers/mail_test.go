package workers_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/app/mail"
	"github.com/kring-social/kring/app/mail/mailtest"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// flakySender fails the first `failures` sends, then sends through next.
type flakySender struct {
	failures int32
	calls    atomic.Int32
	next     mail.Sender
}

func (f *flakySender) Send(ctx context.Context, msg mail.Message) error {
	if f.calls.Add(1) <= f.failures {
		return errors.New("451 try again later")
	}
	return f.next.Send(ctx, msg)
}

func queueMail(t *testing.T, st *store.Store, to string) {
	t.Helper()
	err := st.Transaction(context.Background(), func(tx *store.Store) error {
		return mail.Queue(context.Background(), tx, mail.Message{To: to, Subject: "Hello", Text: "A line.\n"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func storedMail(t *testing.T, st *store.Store) int64 {
	t.Helper()
	var n int64
	if err := st.DB().Model(&model.OutgoingEmail{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMailIsSentAndRetried: an e-mail queued in a transaction reaches the SMTP server through a
// running worker, after failed attempts are retried; once sent, neither it nor its task is kept.
func TestMailIsSentAndRetried(t *testing.T) {
	t.Parallel()
	st, opt := testenv.Postgres(t), testenv.Redis(t)
	server := mailtest.Start(t)
	sender := &flakySender{failures: 2, next: server.Sender()}
	srv := newServer(t, st, opt, nil)
	srv.HandleMail(sender)
	wireDispatcher(t, st, opt)
	start(t, srv)

	queueMail(t, st, "mod@acme.test")
	got := server.WaitFor(t, "mod@acme.test", 1, 20*time.Second)
	if got.Subject != "Hello" || got.Text != "A line.\n" {
		t.Errorf("received %q %q", got.Subject, got.Text)
	}
	if calls := sender.calls.Load(); calls != 3 {
		t.Errorf("%d attempts, want 3", calls)
	}
	waitFor(t, "the sent e-mail and its task are gone", func() bool {
		var tasks int64
		if err := st.DB().Model(&model.QueuedTask{}).Count(&tasks).Error; err != nil {
			t.Fatal(err)
		}
		return tasks == 0 && storedMail(t, st) == 0
	})
}

// TestMailGivenUpIsForgotten: an e-mail the server refuses on every attempt is dropped after the
// last one, so what it carried (a reset link) does not stay in the database.
func TestMailGivenUpIsForgotten(t *testing.T) {
	t.Parallel()
	st, opt := testenv.Postgres(t), testenv.Redis(t)
	sender := &flakySender{failures: 1 << 30}
	srv := newServer(t, st, opt, nil)
	srv.HandleMail(sender)
	wireDispatcher(t, st, opt)
	start(t, srv)

	queueMail(t, st, "mod@acme.test")
	waitFor(t, "the e-mail is given up and forgotten", func() bool {
		var dead int64
		if err := st.DB().Model(&model.QueuedTask{}).Where("dead_at IS NOT NULL").Count(&dead).Error; err != nil {
			t.Fatal(err)
		}
		return dead == 1 && storedMail(t, st) == 0
	})
	if calls := sender.calls.Load(); calls != 11 {
		t.Errorf("%d attempts, want 11 (the first and 10 retries)", calls)
	}
}
