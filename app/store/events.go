package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// CreateEvent inserts event, giving it an id (unless set) and timestamps.
func (s *Store) CreateEvent(ctx context.Context, event model.Event) (model.Event, error) {
	now := s.now()
	if event.ID == "" {
		event.ID = model.NewID()
	}
	event.CreatedAt, event.UpdatedAt = now, now
	event.StartsAt, event.EndsAt = dbTime(event.StartsAt), dbTimePtr(event.EndsAt)
	event.PublishedAt, event.CancelledAt = dbTime(event.PublishedAt), dbTimePtr(event.CancelledAt)
	if err := s.conn(ctx).Create(&event).Error; err != nil {
		return model.Event{}, fmt.Errorf("create event %q in group %s: %w", event.Title, event.GroupID, classify(err))
	}
	return event, nil
}

// EventByID loads an event.
func (s *Store) EventByID(ctx context.Context, id string) (model.Event, error) {
	return s.eventWhere(ctx, "id = ?", id)
}

// EventByObject loads the event whose ActivityStreams id is iri.
func (s *Store) EventByObject(ctx context.Context, iri string) (model.Event, error) {
	return s.eventWhere(ctx, "object_iri = ?", iri)
}

// EventByPoll loads the event whose RSVP poll (the group's Question) is iri.
func (s *Store) EventByPoll(ctx context.Context, iri string) (model.Event, error) {
	return s.eventWhere(ctx, "poll_object_iri = ?", iri)
}

func (s *Store) eventWhere(ctx context.Context, condition string, value string) (model.Event, error) {
	var event model.Event
	if err := s.conn(ctx).Where(condition, value).Take(&event).Error; err != nil {
		return model.Event{}, fmt.Errorf("find event %s: %w", value, classify(err))
	}
	return event, nil
}

// LockEvent loads an event and, on PostgreSQL, locks its row until the transaction ends: joins,
// leaves, votes and approvals of one event count its places one after the other.
func (s *Store) LockEvent(ctx context.Context, id string) (model.Event, error) {
	return lockRow[model.Event](ctx, s, "event", id)
}

// EventChange says which columns of an event UpdateEvent writes; a field left zero keeps its column.
type EventChange struct {
	Title             Set[string]
	Description       Set[string]
	StartsAt          Set[time.Time]
	EndsAt            Set[*time.Time]
	TimeZone          Set[string]
	PlaceName         Set[string]
	PlaceAddress      Set[string]
	OnlineURL         Set[string]
	Capacity          Set[int]
	JoinMode          Set[model.JoinMode]
	ImagePath         Set[string]
	ImageAlt          Set[string]
	Status            Set[model.EventStatus]
	Sequence          Set[int]
	PollObjectIRI     Set[*string]
	CreateActivityIRI Set[string]
	CancelledAt       Set[*time.Time]
	CampaignID        Set[*string]
}

func (c EventChange) columns() columns {
	out := columns{}
	put(out, "title", c.Title)
	put(out, "description", c.Description)
	put(out, "starts_at", c.StartsAt)
	put(out, "ends_at", c.EndsAt)
	put(out, "time_zone", c.TimeZone)
	put(out, "place_name", c.PlaceName)
	put(out, "place_address", c.PlaceAddress)
	put(out, "online_url", c.OnlineURL)
	put(out, "capacity", c.Capacity)
	put(out, "join_mode", c.JoinMode)
	put(out, "image_path", c.ImagePath)
	put(out, "image_alt", c.ImageAlt)
	put(out, "status", c.Status)
	put(out, "sequence", c.Sequence)
	put(out, "poll_object_iri", c.PollObjectIRI)
	put(out, "create_activity_iri", c.CreateActivityIRI)
	put(out, "cancelled_at", c.CancelledAt)
	put(out, "campaign_id", c.CampaignID)
	return out
}

// UpdateEvent writes the columns change sets and bumps updated_at.
func (s *Store) UpdateEvent(ctx context.Context, id string, change EventChange) error {
	return s.updateRow(ctx, &model.Event{}, "event", id, change.columns())
}

// DeleteEvent removes an event with its participants and reminders.
func (s *Store) DeleteEvent(ctx context.Context, id string) error {
	if err := s.conn(ctx).Where("id = ?", id).Delete(&model.Event{}).Error; err != nil {
		return fmt.Errorf("delete event %s: %w", id, err)
	}
	return nil
}

// EventFilter selects a group's events: upcoming ones (not yet ended) soonest first, or past ones
// latest first.
type EventFilter struct {
	GroupID string
	Past    bool
	Now     time.Time
	// After continues a list after the event with this id.
	After string
	Limit int // 0 means 50
}

// Events lists the events filter selects (events_group_starts serves both orders).
func (s *Store) Events(ctx context.Context, filter EventFilter) ([]model.Event, error) {
	now := dbTime(filter.Now)
	query := s.conn(ctx).Where("group_id = ?", filter.GroupID)
	// An event without an end is over when it starts.
	ended := "(COALESCE(ends_at, starts_at) < ?)"
	if filter.Past {
		query = query.Where(ended, now).Order("starts_at DESC, id DESC")
	} else {
		query = query.Where("NOT "+ended, now).Order("starts_at, id")
	}
	if filter.After != "" {
		after, err := s.EventByID(ctx, filter.After)
		if err != nil {
			return nil, err
		}
		if filter.Past {
			query = query.Where("(starts_at < ? OR (starts_at = ? AND id < ?))", dbTime(after.StartsAt), dbTime(after.StartsAt), after.ID)
		} else {
			query = query.Where("(starts_at > ? OR (starts_at = ? AND id > ?))", dbTime(after.StartsAt), dbTime(after.StartsAt), after.ID)
		}
	}
	limit := filter.Limit
	if limit <= 0 {
		limit = 50
	}
	var events []model.Event
	if err := query.Limit(limit).Find(&events).Error; err != nil {
		return nil, fmt.Errorf("list events of group %s: %w", filter.GroupID, err)
	}
	return events, nil
}

// PublishedEvents lists a group's events newest published first, up to limit, with how many it has:
// the group's outbox lists their Creates beside its posts.
func (s *Store) PublishedEvents(ctx context.Context, groupID string, limit int) ([]model.Event, int64, error) {
	var total int64
	if err := s.conn(ctx).Model(&model.Event{}).Where("group_id = ?", groupID).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count events of group %s: %w", groupID, err)
	}
	var events []model.Event
	err := s.conn(ctx).Where("group_id = ?", groupID).Order("published_at DESC, id DESC").Limit(limit).Find(&events).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list events of group %s: %w", groupID, err)
	}
	return events, total, nil
}
