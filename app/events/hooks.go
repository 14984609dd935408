package events

import (
	"context"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// afterPublish runs in the transaction that publishes an event: its reminders are scheduled.
func (s *Service) afterPublish(ctx context.Context, tx *store.Store, group model.Group, event model.Event) error {
	return s.ScheduleReminders(ctx, tx, event, nil)
}

// afterEdit runs in the transaction that edits an event, with the event before and after: its
// reminders move with its start.
func (s *Service) afterEdit(ctx context.Context, tx *store.Store, group model.Group, before, after model.Event) error {
	return s.ScheduleReminders(ctx, tx, after, nil)
}
