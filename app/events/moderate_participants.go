package events

import (
	"context"
	"fmt"
	"html"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// ApproveParticipant lets in the participant actorIRI who asked to join the event (pending): she
// goes when a place is free (her Join accepted), else she waits for one. staffID is logged.
func (s *Service) ApproveParticipant(ctx context.Context, eventID, actorIRI string, staffID *string) (model.ParticipantState, error) {
	return s.decide(ctx, eventID, actorIRI, staffID, model.ActionEventApprove, func(tx *store.Store, c *change, p model.EventParticipant) (model.EventParticipant, error) {
		if p.State != model.ParticipantPending {
			return p, apperror.Invalid("participant", "is not waiting for approval")
		}
		if placeFree(c.event, c.before) {
			p.State = model.ParticipantGoing
		} else {
			p.State = model.ParticipantWaiting
		}
		return p, nil
	})
}

// RejectParticipant refuses the participant actorIRI who asked to join the event; her Join is
// rejected.
func (s *Service) RejectParticipant(ctx context.Context, eventID, actorIRI string, staffID *string) (model.ParticipantState, error) {
	return s.decide(ctx, eventID, actorIRI, staffID, model.ActionEventReject, func(tx *store.Store, c *change, p model.EventParticipant) (model.EventParticipant, error) {
		if p.State != model.ParticipantPending {
			return p, apperror.Invalid("participant", "is not waiting for approval")
		}
		p.State = model.ParticipantRejected
		return p, nil
	})
}

// RemoveParticipant takes the participant actorIRI off the event, whatever she answered; her Join
// is rejected, her place goes to the waiting list, and she cannot answer again.
func (s *Service) RemoveParticipant(ctx context.Context, eventID, actorIRI string, staffID *string) (model.ParticipantState, error) {
	return s.decide(ctx, eventID, actorIRI, staffID, model.ActionEventRemove, func(tx *store.Store, c *change, p model.EventParticipant) (model.EventParticipant, error) {
		if p.State == model.ParticipantRejected {
			return p, apperror.Invalid("participant", "was removed already")
		}
		p.State = model.ParticipantRejected
		return p, nil
	})
}

// decide applies a moderator's decision about one participant in the event's lock, answers her Join,
// fills a freed place, logs it and publishes the new counts.
func (s *Service) decide(ctx context.Context, eventID, actorIRI string, staffID *string, action model.LogAction,
	apply func(tx *store.Store, c *change, p model.EventParticipant) (model.EventParticipant, error)) (model.ParticipantState, error) {
	var state model.ParticipantState
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		actor, err := tx.RemoteActorByIRI(ctx, actorIRI)
		if err != nil {
			return err
		}
		event, err := tx.LockEvent(ctx, eventID)
		if err != nil {
			return err
		}
		group, err := tx.GroupByID(ctx, event.GroupID)
		if err != nil {
			return err
		}
		existing, err := tx.ParticipantOf(ctx, event.ID, actor.ID)
		if err != nil {
			return err
		}
		before, err := tx.CountParticipants(ctx, event.ID)
		if err != nil {
			return err
		}
		c := &change{event: event, group: group, actor: actor, existing: &existing, before: before}
		decided, err := apply(tx, c, existing)
		if err != nil {
			return err
		}
		saved, err := tx.SaveParticipant(ctx, decided)
		if err != nil {
			return err
		}
		state = saved.State
		switch saved.State {
		case model.ParticipantGoing:
			err = s.answerJoin(ctx, tx, c, saved, true)
		case model.ParticipantRejected:
			err = s.answerJoin(ctx, tx, c, saved, false)
		case model.ParticipantWaiting:
			err = s.tell(ctx, tx, group, actor, fmt.Sprintf("<p>You are in for %s, which is full for now: you are on its waiting list. "+
				"You will hear from us as soon as a place frees up.</p>", html.EscapeString(event.Title)))
		}
		if err != nil {
			return err
		}
		if existing.State == model.ParticipantGoing && saved.State != model.ParticipantGoing {
			if err := s.fillPlaces(ctx, tx, group, event); err != nil {
				return err
			}
		}
		if err := tx.RecordMemberDecision(ctx, group, staffID, action, "", actor,
			map[string]any{"event": event.ID, "event_title": event.Title, "state": string(saved.State)}); err != nil {
			return err
		}
		return s.publishCounts(ctx, tx, group, event, before)
	})
	return state, err
}
