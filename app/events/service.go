// Package events holds the rules of a group's events: staff create, edit, cancel and delete them;
// members answer from any fediverse app (a Join from event-aware servers, a vote in the group's poll
// from Mastodon-like apps); places are counted against the capacity with a waiting list; reminders
// go to participants before the start. It decides; federation carries the group's activities
// through the interfaces the command wires in.
package events

import (
	"context"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Federator sends what the group does with its events to its followers' servers. Every method runs
// inside the transaction that changes the event, so an activity is queued if and only if the change
// commits.
type Federator interface {
	// EventObjectIRI is the id of one of the group's events.
	EventObjectIRI(group model.Group, eventID string) string
	// PublishEvent sends the group's Create of the event to its followers and returns the Create's id.
	PublishEvent(ctx context.Context, tx *store.Store, group model.Group, event model.Event, counts Counts) (string, error)
	// UpdateEvent sends an Update of the event (edited, cancelled, or its participant count changed).
	UpdateEvent(ctx context.Context, tx *store.Store, group model.Group, event model.Event, counts Counts) error
	// DeleteEvent sends a Delete of the event.
	DeleteEvent(ctx context.Context, tx *store.Store, group model.Group, event model.Event) error
}

// Messenger sends a participant a direct message from the group (addressed to her alone, with a
// Mention of her), inside the caller's transaction.
type Messenger interface {
	SendDirectHTML(ctx context.Context, tx *store.Store, group model.Group, to model.RemoteActor, contentHTML string) error
}

// Counts are an event's participants by state, as the Event and its poll show them.
type Counts map[model.ParticipantState]int

// Going is how many hold a place.
func (c Counts) Going() int { return c[model.ParticipantGoing] }

// Maybe is how many answered the poll with Maybe.
func (c Counts) Maybe() int { return c[model.ParticipantMaybe] }

// Waiting is how many wait for a place to free up.
func (c Counts) Waiting() int { return c[model.ParticipantWaiting] }

// Pending is how many wait for a moderator's approval.
func (c Counts) Pending() int { return c[model.ParticipantPending] }

// Service applies the events' rules.
type Service struct {
	store     *store.Store
	federator Federator
	// messenger sends participants direct messages from the group (waiting list, reminders,
	// cancellation), as community's welcomes and support replies go.
	messenger Messenger
	// pages names events' public pages, linked from reminders.
	pages Pages
	// participation answers Joins and polls publishes the RSVP poll (participation.go); nil skips.
	participation ParticipationFederator
	polls         PollFederator
	now           func() time.Time
}

// NewService returns a Service federating through federator and writing to participants through
// messenger.
func NewService(st *store.Store, federator Federator, messenger Messenger) *Service {
	return &Service{store: st, federator: federator, messenger: messenger, now: time.Now}
}

// WithClock returns the service reading the time from now (tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}
