package outbox

import (
	"context"
	"time"

	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/documents"
)

// Events sends what a group does with its events: the Create, Update and Delete of the Event, to
// its followers, queued in the caller's transaction.
type Events struct {
	IRIs    federation.IRIs
	Planner delivery.Planner
	Now     func() time.Time // time.Now when nil
}

var _ events.Federator = Events{}

// EventObjectIRI is the id of one of the group's events.
func (e Events) EventObjectIRI(group model.Group, eventID string) string {
	return e.IRIs.GroupEvent(group.Slug, eventID)
}

// PublishEvent sends the Create of the event and returns its id.
func (e Events) PublishEvent(ctx context.Context, tx *store.Store, group model.Group, event model.Event, counts events.Counts) (string, error) {
	return e.send(ctx, tx, "Create", group, event, counts)
}

// UpdateEvent sends the Update of the event.
func (e Events) UpdateEvent(ctx context.Context, tx *store.Store, group model.Group, event model.Event, counts events.Counts) error {
	_, err := e.send(ctx, tx, "Update", group, event, counts)
	return err
}

// DeleteEvent sends the Delete of the event.
func (e Events) DeleteEvent(ctx context.Context, tx *store.Store, group model.Group, event model.Event) error {
	_, err := e.send(ctx, tx, "Delete", group, event, nil)
	return err
}

func (e Events) send(ctx context.Context, tx *store.Store, kind string, group model.Group, event model.Event, counts events.Counts) (string, error) {
	id := e.IRIs.NewActivity()
	body, _, err := activities.EventActivity(kind, id, documents.EventDocument(e.IRIs, group, event, counts.Going()), nowFrom(e.Now))
	if err != nil {
		return "", err
	}
	_, err = e.Planner.ToFollowers(ctx, tx, group, delivery.Activity{IRI: id, Type: kind, GroupID: group.ID, Body: body})
	return id, err
}
