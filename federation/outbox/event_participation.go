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
)

// EventParticipation sends what a group says to its events' participants: the Accept or Reject of
// a participant's Join (to her inbox alone) and the event's RSVP poll, a Question created and
// updated like the group's own posts (to every follower). It is the events service's
// ParticipationFederator and PollFederator.
type EventParticipation struct {
	IRIs    federation.IRIs
	Planner delivery.Planner
	Now     func() time.Time // time.Now when nil
}

var (
	_ events.ParticipationFederator = EventParticipation{}
	_ events.PollFederator          = EventParticipation{}
)

// AnswerJoin queues the group's Accept (accept) or Reject of the participant's Join.
func (e EventParticipation) AnswerJoin(ctx context.Context, tx *store.Store, group model.Group, event model.Event,
	participant model.EventParticipant, actor model.RemoteActor, accept bool) error {
	id := e.IRIs.NewActivity()
	answer, err := activities.AnswerJoin(id, e.IRIs.GroupActor(group.Slug),
		activities.JoinRef{ID: participant.JoinActivityIRI, Actor: actor.IRI, Object: event.ObjectIRI}, accept)
	if err != nil {
		return err
	}
	body, err := activities.Marshal(answer)
	if err != nil {
		return err
	}
	return e.Planner.ToInbox(ctx, tx, delivery.Activity{IRI: id, Type: answer.GetTypeName(), GroupID: group.ID, Body: body},
		actor.InboxURL, actor.Host)
}

// PublishPoll queues the group's Create of the event's poll and returns the poll's id.
func (e EventParticipation) PublishPoll(ctx context.Context, tx *store.Store, group model.Group, event model.Event, counts events.Counts) (string, error) {
	pollIRI := e.IRIs.GroupEventPoll(group.Slug, event.ID)
	return pollIRI, e.sendPoll(ctx, tx, "Create", group, event, pollIRI, counts)
}

// UpdatePoll queues the Update of the event's poll with counts.
func (e EventParticipation) UpdatePoll(ctx context.Context, tx *store.Store, group model.Group, event model.Event, counts events.Counts) error {
	if event.PollObjectIRI == nil {
		return nil
	}
	return e.sendPoll(ctx, tx, "Update", group, event, *event.PollObjectIRI, counts)
}

func (e EventParticipation) sendPoll(ctx context.Context, tx *store.Store, kind string, group model.Group, event model.Event, pollIRI string, counts events.Counts) error {
	now := nowFrom(e.Now)
	built, err := activities.PollActivity(kind, e.IRIs.NewActivity(), activities.EventPoll(e.IRIs, group, event, pollIRI, counts, now), now)
	if err != nil {
		return err
	}
	activity, err := Federator{}.serialize(group, built)
	if err != nil {
		return err
	}
	_, err = e.Planner.ToFollowers(ctx, tx, group, activity)
	return err
}

var _ events.Messenger = DirectMessages{}
