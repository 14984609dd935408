package workers

import (
	"context"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/mail"
	"github.com/kring-social/kring/app/notify"
	"github.com/kring-social/kring/app/tasks"
)

// HandleMail registers the sending of stored e-mails through sender; the last attempt deletes the
// message even when it fails, so nothing it carries (a reset link) stays behind.
func (s *Server) HandleMail(sender mail.Sender) {
	s.HandleFunc(tasks.TypeSendEmail, func(ctx context.Context, task *asynq.Task) error {
		payload, err := DecodePayload[tasks.SendEmailPayload](task)
		if err != nil {
			return err
		}
		retried, _ := asynq.GetRetryCount(ctx)
		maxRetry, ok := asynq.GetMaxRetry(ctx)
		return mail.Deliver(ctx, s.store, sender, payload.EmailID, ok && retried >= maxRetry)
	})
}

// HandleDigests registers staff's daily notification digests.
func (s *Server) HandleDigests(notifier *notify.Notifier) {
	s.HandleFunc(tasks.TypeStaffDigest, func(ctx context.Context, task *asynq.Task) error {
		payload, err := DecodePayload[tasks.StaffDigestPayload](task)
		if err != nil {
			return err
		}
		return notifier.SendDigest(ctx, payload.StaffAccountID)
	})
}
