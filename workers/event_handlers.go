package workers

import (
	"context"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/tasks"
)

// HandleEventReminders registers the sending of events' reminders to their participants.
func (s *Server) HandleEventReminders(service *events.Service) {
	s.HandleFunc(tasks.TypeEventReminder, func(ctx context.Context, task *asynq.Task) error {
		payload, err := DecodePayload[tasks.EventReminderPayload](task)
		if err != nil {
			return err
		}
		return service.SendReminder(ctx, payload.ReminderID, payload.DueAt)
	})
}
