package mail

import (
	"context"
	"errors"
	"fmt"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
)

// Queue stores msg and records the task that sends it, inside tx: the message goes out if and only
// if tx commits, even when the broker loses the task (the sweeper enqueues it again).
func Queue(ctx context.Context, tx *store.Store, msg Message) error {
	row, err := tx.CreateOutgoingEmail(ctx, msg.To, msg.Subject, msg.Text)
	if err != nil {
		return err
	}
	if _, err := tx.RecordTask(ctx, tasks.NewSendEmailTask(row.ID)); err != nil {
		return fmt.Errorf("queue e-mail to %s: %w", msg.To, err)
	}
	return nil
}

// Deliver sends the stored e-mail emailID through sender and deletes its row. A row already gone
// was sent before: nothing to do. When sending fails on the last attempt (lastAttempt), the row is
// deleted all the same, so no message (a reset link) outlives its tries in the database.
func Deliver(ctx context.Context, st *store.Store, sender Sender, emailID string, lastAttempt bool) error {
	row, err := st.OutgoingEmailByID(ctx, emailID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	sendErr := sender.Send(ctx, Message{To: row.ToAddress, Subject: row.Subject, Text: row.Body})
	if sendErr != nil && !lastAttempt {
		return sendErr
	}
	if err := st.DeleteOutgoingEmail(context.WithoutCancel(ctx), row.ID); err != nil {
		return errors.Join(sendErr, err)
	}
	return sendErr
}
