package events

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
)

// Pages names where people read an event: its public page on this server.
type Pages interface {
	GroupEvent(slug, eventID string) string
}

// WithPages returns the service linking reminders to events' public pages at pages; without it a
// reminder links to the event's ActivityStreams id.
func (s *Service) WithPages(pages Pages) *Service {
	c := *s
	c.pages = pages
	return &c
}

// ScheduleReminders sets event's reminders, lead before it starts for each of leads
// (model.DefaultReminderLeads when nil), and records in tx one task for each reminder not yet sent
// that is still ahead, run when it is due. Call it in the transaction that creates or edits the
// event: a reminder whose time moved gets a new task, and the task recorded before, now stale, sends
// nothing. A cancelled event keeps its reminders' rows but gets no tasks.
func (s *Service) ScheduleReminders(ctx context.Context, tx *store.Store, event model.Event, leads []time.Duration) error {
	if leads == nil {
		leads = model.DefaultReminderLeads
	}
	reminders, err := tx.SetEventReminders(ctx, event, leads)
	if err != nil {
		return fmt.Errorf("schedule reminders of event %s: %w", event.ID, err)
	}
	if event.Status == model.EventCancelled {
		return nil
	}
	now := s.now()
	var queued []store.NewTask
	for _, r := range reminders {
		if r.SentAt == nil && r.DueAt.After(now) {
			queued = append(queued, tasks.NewEventReminderTask(r.ID, r.DueAt))
		}
	}
	if err := tx.RecordTasks(ctx, queued); err != nil {
		return fmt.Errorf("schedule reminders of event %s: %w", event.ID, err)
	}
	return nil
}

// SendReminder sends a reminder to the event's participants who are going or may come: one direct
// message from the group to each, in one transaction with the mark that it was sent, so it goes
// once however often its task runs. dueAt is the due time the task was recorded with; it sends
// nothing when the reminder has moved since (a newer task carries it), when the event was deleted or
// cancelled, or when the event has already started.
func (s *Service) SendReminder(ctx context.Context, reminderID string, dueAt time.Time) error {
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		reminder, err := tx.EventReminderByID(ctx, reminderID)
		if errors.Is(err, store.ErrNotFound) {
			return nil // the event was deleted, or its reminders changed lead
		}
		if err != nil {
			return err
		}
		event, err := tx.LockEvent(ctx, reminder.EventID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		// Read again under the event's lock: an edit that moved it has committed or waits for us.
		reminder, err = tx.EventReminderByID(ctx, reminderID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		now := s.now()
		switch {
		case event.Status == model.EventCancelled,
			!reminder.DueAt.UTC().Truncate(time.Second).Equal(dueAt.UTC().Truncate(time.Second)),
			!now.Before(event.StartsAt):
			return nil
		}
		sent, err := tx.MarkReminderSent(ctx, reminder.ID, now)
		if err != nil || !sent {
			return err
		}
		group, err := tx.GroupByID(ctx, event.GroupID)
		if err != nil {
			return err
		}
		participants, err := tx.Participants(ctx, event.ID, model.ParticipantGoing, model.ParticipantMaybe)
		if err != nil {
			return err
		}
		if len(participants) > 0 && s.messenger == nil {
			return errors.New("send event reminder: no messenger wired")
		}
		message := ReminderHTML(event, s.eventURL(group, event))
		for _, p := range participants {
			actor, err := tx.RemoteActorByID(ctx, p.RemoteActorID)
			if err != nil {
				return err
			}
			if err := s.messenger.SendDirectHTML(ctx, tx, group, actor, message); err != nil {
				return fmt.Errorf("remind %s of event %s: %w", actor.IRI, event.ID, err)
			}
		}
		return nil
	})
}

func (s *Service) eventURL(group model.Group, event model.Event) string {
	if s.pages != nil {
		return s.pages.GroupEvent(group.Slug, event.ID)
	}
	return event.ObjectIRI
}

// StartLayout shows when an event starts in its own zone, such as
// "Saturday 12 December 2026, 19:30 CET (Europe/Amsterdam)" once the zone's name is added.
const StartLayout = "Monday 2 January 2006, 15:04 MST"

// LocalStart is when event starts, written in its own time zone with the zone's name; UTC when the
// zone is unknown.
func LocalStart(event model.Event) string {
	zone, err := time.LoadLocation(event.TimeZone)
	if err != nil || event.TimeZone == "" {
		return event.StartsAt.UTC().Format(StartLayout)
	}
	return event.StartsAt.In(zone).Format(StartLayout) + " (" + event.TimeZone + ")"
}

// ReminderHTML is the reminder's message: the title, the start in the event's zone, where, and the
// link to the event.
func ReminderHTML(event model.Event, link string) string {
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, "<p>Reminder: <strong>%s</strong> starts %s.</p>", esc(event.Title), esc(LocalStart(event)))
	if place := strings.TrimSpace(strings.Join(nonEmpty(event.PlaceName, event.PlaceAddress), ", ")); place != "" {
		fmt.Fprintf(&b, "<p>Where: %s</p>", esc(place))
	}
	if strings.HasPrefix(event.OnlineURL, "https://") || strings.HasPrefix(event.OnlineURL, "http://") {
		fmt.Fprintf(&b, `<p>Online: <a href="%s">%s</a></p>`, esc(event.OnlineURL), esc(event.OnlineURL))
	}
	if link != "" {
		fmt.Fprintf(&b, `<p><a href="%s">%s</a></p>`, esc(link), esc(link))
	}
	return b.String()
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
