package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// SetEventReminders makes an event's reminders due lead before it starts, for each lead: reminders
// of other leads go, those not yet sent move with the event, those sent stay sent.
func (s *Store) SetEventReminders(ctx context.Context, event model.Event, leads []time.Duration) ([]model.EventReminder, error) {
	minutes := make([]int, len(leads))
	for i, lead := range leads {
		minutes[i] = int(lead / time.Minute)
	}
	drop := s.conn(ctx).Where("event_id = ?", event.ID)
	if len(minutes) > 0 {
		drop = drop.Where("lead_minutes NOT IN ?", minutes)
	}
	if err := drop.Delete(&model.EventReminder{}).Error; err != nil {
		return nil, fmt.Errorf("drop reminders of event %s: %w", event.ID, err)
	}
	var kept []model.EventReminder
	for _, m := range minutes {
		due := dbTime(event.StartsAt.Add(-time.Duration(m) * time.Minute))
		var existing []model.EventReminder
		if err := s.conn(ctx).Where("event_id = ? AND lead_minutes = ?", event.ID, m).Limit(1).Find(&existing).Error; err != nil {
			return nil, fmt.Errorf("find reminder of event %s: %w", event.ID, err)
		}
		if len(existing) == 1 {
			r := existing[0]
			if r.SentAt == nil && !r.DueAt.Equal(due) {
				if err := s.conn(ctx).Model(&r).Update("due_at", due).Error; err != nil {
					return nil, fmt.Errorf("move reminder %s: %w", r.ID, err)
				}
				r.DueAt = due
			}
			kept = append(kept, r)
			continue
		}
		r := model.EventReminder{ID: model.NewID(), EventID: event.ID, LeadMinutes: m, DueAt: due, CreatedAt: s.now()}
		if err := s.conn(ctx).Create(&r).Error; err != nil {
			return nil, fmt.Errorf("add reminder of event %s: %w", event.ID, classify(err))
		}
		kept = append(kept, r)
	}
	return kept, nil
}

// EventReminderByID loads a reminder.
func (s *Store) EventReminderByID(ctx context.Context, id string) (model.EventReminder, error) {
	var r model.EventReminder
	if err := s.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return r, fmt.Errorf("find reminder %s: %w", id, classify(err))
	}
	return r, nil
}

// MarkReminderSent records that a reminder went out, unless it had: it reports whether this call
// did, so a reminder whose task runs twice is sent once.
func (s *Store) MarkReminderSent(ctx context.Context, id string, at time.Time) (bool, error) {
	result := s.conn(ctx).Model(&model.EventReminder{}).Where("id = ? AND sent_at IS NULL", id).Update("sent_at", dbTime(at))
	if result.Error != nil {
		return false, fmt.Errorf("mark reminder %s sent: %w", id, result.Error)
	}
	return result.RowsAffected == 1, nil
}

// EventReminders lists an event's reminders, the earliest lead first.
func (s *Store) EventReminders(ctx context.Context, eventID string) ([]model.EventReminder, error) {
	var rows []model.EventReminder
	if err := s.conn(ctx).Where("event_id = ?", eventID).Order("lead_minutes DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list reminders of event %s: %w", eventID, err)
	}
	return rows, nil
}
