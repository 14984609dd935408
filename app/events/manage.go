package events

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// Limits of what staff write about an event.
const (
	MaxTitle       = 200
	MaxDescription = 10_000
	MaxPlace       = 300
	MaxCapacity    = 100_000
)

// Draft is an event as staff write it. Start and End are wall-clock times in TimeZone (their own
// location is ignored): 19:30 in Europe/Amsterdam is 19:30 there, winter or summer.
type Draft struct {
	Title, Description      string
	Start                   time.Time
	End                     *time.Time
	TimeZone                string
	PlaceName, PlaceAddress string
	OnlineURL               string
	Capacity                int
	JoinMode                model.JoinMode
	// Reminders are how long before the start participants are reminded: nil for the defaults (a
	// day and an hour), empty for none.
	Reminders []time.Duration
	// CampaignID names the organisation's campaign the event belongs to; empty when none.
	CampaignID string
}

// MaxReminders bounds an event's reminders; MaxReminderLead how early one may come.
const (
	MaxReminders    = 5
	MaxReminderLead = 30 * 24 * time.Hour
)

// checked returns the event draft describes, or why it will not do.
func (d Draft) checked() (model.Event, error) {
	var e model.Event
	var err error
	if e.Title, err = textinput.Text("title", d.Title, MaxTitle); err != nil {
		return e, err
	}
	if e.Title == "" {
		return e, apperror.Invalid("title", "must not be empty")
	}
	if e.Description, err = textinput.Text("description", strings.ReplaceAll(d.Description, "\r\n", "\n"), MaxDescription); err != nil {
		return e, err
	}
	zone, err := time.LoadLocation(strings.TrimSpace(d.TimeZone))
	if err != nil || strings.TrimSpace(d.TimeZone) == "" || strings.EqualFold(d.TimeZone, "Local") {
		return e, apperror.Invalid("time_zone", "%q is not an IANA time zone such as Europe/Amsterdam", d.TimeZone)
	}
	e.TimeZone = zone.String()
	if d.Start.IsZero() {
		return e, apperror.Invalid("start", "must be given")
	}
	e.StartsAt = inZone(d.Start, zone)
	if d.End != nil {
		end := inZone(*d.End, zone)
		if !end.After(e.StartsAt) {
			return e, apperror.Invalid("end", "must be after the start")
		}
		e.EndsAt = &end
	}
	if e.PlaceName, err = textinput.Text("place_name", d.PlaceName, MaxPlace); err != nil {
		return e, err
	}
	if e.PlaceAddress, err = textinput.Text("place_address", d.PlaceAddress, MaxPlace); err != nil {
		return e, err
	}
	if e.OnlineURL, err = checkedLink(d.OnlineURL); err != nil {
		return e, err
	}
	if e.PlaceName == "" && e.PlaceAddress == "" && e.OnlineURL == "" {
		return e, apperror.Invalid("place_name", "give a place or an online link")
	}
	if d.Capacity < 0 || d.Capacity > MaxCapacity {
		return e, apperror.Invalid("capacity", "must be between 0 (no limit) and %d", MaxCapacity)
	}
	e.Capacity = d.Capacity
	if len(d.Reminders) > MaxReminders {
		return e, apperror.Invalid("reminders", "at most %d", MaxReminders)
	}
	for _, lead := range d.Reminders {
		if lead < time.Minute || lead > MaxReminderLead || lead%time.Minute != 0 {
			return e, apperror.Invalid("reminders", "each a whole number of minutes, between a minute and 30 days before the start")
		}
	}
	switch d.JoinMode {
	case model.JoinOpen, model.JoinApproval:
		e.JoinMode = d.JoinMode
	case "":
		e.JoinMode = model.JoinOpen
	default:
		return e, apperror.Invalid("join_mode", "must be open or approval")
	}
	return e, nil
}

// inZone is the instant the wall-clock time t shows in zone.
func inZone(t time.Time, zone *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, zone).UTC()
}

// checkedLink is an online event's link: empty, or an absolute http(s) URL.
func checkedLink(link string) (string, error) {
	link = strings.TrimSpace(link)
	if link == "" {
		return "", nil
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(link) > 2000 {
		return "", apperror.Invalid("online_url", "must be an http or https address")
	}
	return u.String(), nil
}

// Create publishes an event of the group: stored, then the group's Create of the Event goes to its
// followers in the same transaction; logged in staffID's name.
func (s *Service) Create(ctx context.Context, groupID string, staffID *string, draft Draft) (model.Event, error) {
	event, err := draft.checked()
	if err != nil {
		return model.Event{}, err
	}
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		group, err := tx.GroupByID(ctx, groupID)
		if err != nil {
			return asNotFound(err, "group %s", groupID)
		}
		if group.ArchivedAt != nil {
			return apperror.Conflict("group", "group %s is archived", group.Slug)
		}
		if event.CampaignID, err = campaignOf(ctx, tx, group, draft.CampaignID, nil); err != nil {
			return err
		}
		now := s.now()
		event.ID, event.GroupID, event.Status, event.CreatedByStaffID = model.NewID(), group.ID, model.EventConfirmed, staffID
		event.ObjectIRI, event.PublishedAt, event.UpdatedAt = s.federator.EventObjectIRI(group, event.ID), now, now
		if event, err = tx.CreateEvent(ctx, event); err != nil {
			return err
		}
		created, err := s.federator.PublishEvent(ctx, tx, group, event, Counts{})
		if err != nil {
			return err
		}
		event.CreateActivityIRI = created
		if err := tx.UpdateEvent(ctx, event.ID, store.EventChange{CreateActivityIRI: store.To(created)}); err != nil {
			return err
		}
		if event, err = s.afterPublish(ctx, tx, group, event, draft.Reminders); err != nil {
			return err
		}
		return logEvent(ctx, tx, group, staffID, model.ActionEventCreate, event)
	})
	if err != nil {
		return model.Event{}, fmt.Errorf("create event in group %s: %w", groupID, err)
	}
	return event, nil
}

// Edit changes an event and sends its Update; its iCalendar sequence rises, so calendars that
// imported it take the change.
func (s *Service) Edit(ctx context.Context, eventID string, staffID *string, draft Draft) (model.Event, error) {
	changed, err := draft.checked()
	if err != nil {
		return model.Event{}, err
	}
	return s.change(ctx, eventID, staffID, model.ActionEventEdit, func(tx *store.Store, group model.Group, event model.Event) (model.Event, error) {
		changed.ID, changed.GroupID, changed.ObjectIRI, changed.Status = event.ID, event.GroupID, event.ObjectIRI, event.Status
		changed.Sequence, changed.PollObjectIRI, changed.CreateActivityIRI = event.Sequence+1, event.PollObjectIRI, event.CreateActivityIRI
		changed.ImagePath, changed.ImageAlt, changed.CreatedByStaffID = event.ImagePath, event.ImageAlt, event.CreatedByStaffID
		changed.PublishedAt, changed.CancelledAt, changed.CreatedAt, changed.UpdatedAt = event.PublishedAt, event.CancelledAt, event.CreatedAt, s.now()
		var err error
		if changed.CampaignID, err = campaignOf(ctx, tx, group, draft.CampaignID, event.CampaignID); err != nil {
			return changed, err
		}
		err = tx.UpdateEvent(ctx, event.ID, store.EventChange{Title: store.To(changed.Title), Description: store.To(changed.Description),
			StartsAt: store.To(changed.StartsAt), EndsAt: store.To(changed.EndsAt), TimeZone: store.To(changed.TimeZone),
			PlaceName: store.To(changed.PlaceName), PlaceAddress: store.To(changed.PlaceAddress), OnlineURL: store.To(changed.OnlineURL),
			Capacity: store.To(changed.Capacity), JoinMode: store.To(changed.JoinMode), Sequence: store.To(changed.Sequence),
			CampaignID: store.To(changed.CampaignID)})
		if err != nil {
			return changed, err
		}
		if err := s.afterEdit(ctx, tx, group, changed, draft.Reminders); err != nil {
			return changed, err
		}
		return changed, s.federateUpdate(ctx, tx, group, changed)
	})
}

// Cancel marks an event cancelled: its Update carries the status CANCELLED, each participant is told
// by a direct message from the group, and no reminder goes out any more.
func (s *Service) Cancel(ctx context.Context, eventID string, staffID *string, reason string) (model.Event, error) {
	reason, err := textinput.Text("reason", reason, 1000)
	if err != nil {
		return model.Event{}, err
	}
	return s.change(ctx, eventID, staffID, model.ActionEventCancel, func(tx *store.Store, group model.Group, event model.Event) (model.Event, error) {
		if event.Status == model.EventCancelled {
			return event, apperror.Conflict("event", "event %s is cancelled already", event.ID)
		}
		now := s.now()
		event.Status, event.CancelledAt, event.Sequence, event.UpdatedAt = model.EventCancelled, &now, event.Sequence+1, now
		err := tx.UpdateEvent(ctx, event.ID, store.EventChange{Status: store.To(event.Status), CancelledAt: store.To(event.CancelledAt),
			Sequence: store.To(event.Sequence)})
		if err != nil {
			return event, err
		}
		if err := s.federateUpdate(ctx, tx, group, event); err != nil {
			return event, err
		}
		return event, s.tellParticipants(ctx, tx, group, event, cancellationText(event, reason))
	})
}

// Delete removes an event and sends its Delete; participants who still expected it are told.
func (s *Service) Delete(ctx context.Context, eventID string, staffID *string) error {
	_, err := s.change(ctx, eventID, staffID, model.ActionEventDelete, func(tx *store.Store, group model.Group, event model.Event) (model.Event, error) {
		if event.Status != model.EventCancelled && event.StartsAt.After(s.now()) {
			if err := s.tellParticipants(ctx, tx, group, event, cancellationText(event, "")); err != nil {
				return event, err
			}
		}
		if err := s.federator.DeleteEvent(ctx, tx, group, event); err != nil {
			return event, err
		}
		return event, tx.DeleteEvent(ctx, event.ID)
	})
	return err
}

// change runs decide on an event locked in a transaction, then logs the action.
func (s *Service) change(ctx context.Context, eventID string, staffID *string, action model.LogAction,
	decide func(tx *store.Store, group model.Group, event model.Event) (model.Event, error)) (model.Event, error) {
	var event model.Event
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		var err error
		if event, err = tx.LockEvent(ctx, eventID); err != nil {
			return asNotFound(err, "event %s", eventID)
		}
		group, err := tx.GroupByID(ctx, event.GroupID)
		if err != nil {
			return err
		}
		if event, err = decide(tx, group, event); err != nil {
			return err
		}
		return logEvent(ctx, tx, group, staffID, action, event)
	})
	if err != nil {
		return model.Event{}, fmt.Errorf("%s %s: %w", action, eventID, err)
	}
	return event, nil
}

// federateUpdate sends the event's Update with its current participant counts.
func (s *Service) federateUpdate(ctx context.Context, tx *store.Store, group model.Group, event model.Event) error {
	counts, err := tx.CountParticipants(ctx, event.ID)
	if err != nil {
		return err
	}
	return s.federator.UpdateEvent(ctx, tx, group, event, counts)
}

// tellParticipants sends everyone who answered the event, but not those who said they cannot come
// or were refused, a direct message from the group.
func (s *Service) tellParticipants(ctx context.Context, tx *store.Store, group model.Group, event model.Event, contentHTML string) error {
	if s.messenger == nil {
		return nil
	}
	participants, err := tx.Participants(ctx, event.ID, model.ParticipantGoing, model.ParticipantMaybe, model.ParticipantWaiting, model.ParticipantPending)
	if err != nil {
		return err
	}
	for _, p := range participants {
		actor, err := tx.RemoteActorByID(ctx, p.RemoteActorID)
		if err != nil {
			return err
		}
		if err := s.messenger.SendDirectHTML(ctx, tx, group, actor, contentHTML); err != nil {
			return fmt.Errorf("tell %s about event %s: %w", actor.IRI, event.ID, err)
		}
	}
	return nil
}

// cancellationText is what participants of a cancelled event read.
func cancellationText(event model.Event, reason string) string {
	text := "<p>" + html.EscapeString(event.Title) + " (" + html.EscapeString(When(event)) + ") is cancelled.</p>"
	if reason != "" {
		text += textinput.TextToHTML(reason)
	}
	return text + `<p><a href="` + html.EscapeString(event.ObjectIRI) + `">` + html.EscapeString(event.ObjectIRI) + `</a></p>`
}

// logEvent records an action on an event in the moderation log.
func logEvent(ctx context.Context, tx *store.Store, group model.Group, staffID *string, action model.LogAction, event model.Event) error {
	_, err := tx.RecordModerationAction(ctx, store.LogEntry{OrganisationID: &group.OrganisationID, GroupID: &group.ID,
		StaffAccountID: staffID, Action: action, TargetKind: model.TargetEvent, TargetID: event.ID,
		Metadata: map[string]any{"object": event.ObjectIRI, "title": event.Title}})
	return err
}
