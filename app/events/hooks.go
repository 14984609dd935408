package events

import (
	"context"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// afterPublish runs in the transaction that publishes an event: the RSVP poll goes out for members
// on Mastodon-like apps and the reminders are scheduled. It returns the event with its poll.
func (s *Service) afterPublish(ctx context.Context, tx *store.Store, group model.Group, event model.Event, reminders []time.Duration) (model.Event, error) {
	event, err := s.OpenPoll(ctx, tx, group, event)
	if err != nil {
		return event, err
	}
	return event, s.ScheduleReminders(ctx, tx, event, reminders)
}

// afterEdit runs in the transaction that edits an event, with the event as edited: its
// reminders move with its start, more places go to the waiting list, and the poll (which names the
// event and closes when it starts) is sent again.
func (s *Service) afterEdit(ctx context.Context, tx *store.Store, group model.Group, after model.Event, reminders []time.Duration) error {
	if err := s.ScheduleReminders(ctx, tx, after, reminders); err != nil {
		return err
	}
	if err := s.FillPlaces(ctx, tx, group, after); err != nil { // does nothing unless places are free
		return err
	}
	if s.polls == nil || after.PollObjectIRI == nil {
		return nil
	}
	counts, err := tx.CountParticipants(ctx, after.ID)
	if err != nil {
		return err
	}
	return s.polls.UpdatePoll(ctx, tx, group, after, counts)
}
