package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// ParticipantOf loads one actor's answer to an event; ErrNotFound when she has none.
func (s *Store) ParticipantOf(ctx context.Context, eventID, remoteActorID string) (model.EventParticipant, error) {
	var p model.EventParticipant
	err := s.conn(ctx).Where("event_id = ? AND remote_actor_id = ?", eventID, remoteActorID).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return p, fmt.Errorf("participant %s of event %s: %w", remoteActorID, eventID, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("find participant %s of event %s: %w", remoteActorID, eventID, err)
	}
	return p, nil
}

// SaveParticipant writes one actor's answer to an event: a new row, or her existing row with the
// new state, way, Join, vote and message (one row per event and actor, however she answered).
func (s *Store) SaveParticipant(ctx context.Context, p model.EventParticipant) (model.EventParticipant, error) {
	now := s.now()
	existing, err := s.ParticipantOf(ctx, p.EventID, p.RemoteActorID)
	switch {
	case errors.Is(err, ErrNotFound):
		p.ID, p.CreatedAt, p.UpdatedAt = model.NewID(), now, now
		if err := s.conn(ctx).Create(&p).Error; err != nil {
			return p, fmt.Errorf("add participant %s to event %s: %w", p.RemoteActorID, p.EventID, classify(err))
		}
		return p, nil
	case err != nil:
		return p, err
	}
	p.ID, p.CreatedAt, p.UpdatedAt = existing.ID, existing.CreatedAt, now
	if existing.State == model.ParticipantWaiting && p.State == model.ParticipantWaiting {
		p.UpdatedAt = existing.UpdatedAt // her place on the waiting list stays hers
	}
	err = s.conn(ctx).Model(&model.EventParticipant{}).Where("id = ?", p.ID).Updates(map[string]any{
		"state": p.State, "via": p.Via, "join_activity_iri": p.JoinActivityIRI, "vote_object_iri": p.VoteObjectIRI,
		"message": p.Message, "updated_at": p.UpdatedAt}).Error
	if err != nil {
		return p, fmt.Errorf("update participant %s of event %s: %w", p.RemoteActorID, p.EventID, err)
	}
	return p, nil
}

// CountParticipants counts an event's participants in each state.
func (s *Store) CountParticipants(ctx context.Context, eventID string) (map[model.ParticipantState]int, error) {
	var rows []struct {
		State model.ParticipantState
		N     int
	}
	err := scan(s.conn(ctx).Model(&model.EventParticipant{}).Select("state, COUNT(*) AS n").
		Where("event_id = ?", eventID).Group("state"), &rows)
	if err != nil {
		return nil, fmt.Errorf("count participants of event %s: %w", eventID, err)
	}
	counts := map[model.ParticipantState]int{}
	for _, r := range rows {
		counts[r.State] = r.N
	}
	return counts, nil
}

// CountParticipantsOfEvents counts the participants of several events in each state, in one query
// (a page of events).
func (s *Store) CountParticipantsOfEvents(ctx context.Context, eventIDs []string) (map[string]map[model.ParticipantState]int, error) {
	counts := make(map[string]map[model.ParticipantState]int, len(eventIDs))
	if len(eventIDs) == 0 {
		return counts, nil
	}
	var rows []struct {
		EventID string
		State   model.ParticipantState
		N       int
	}
	err := scan(s.conn(ctx).Model(&model.EventParticipant{}).Select("event_id, state, COUNT(*) AS n").
		Where("event_id IN ?", eventIDs).Group("event_id, state"), &rows)
	if err != nil {
		return nil, fmt.Errorf("count participants of %d events: %w", len(eventIDs), err)
	}
	for _, r := range rows {
		if counts[r.EventID] == nil {
			counts[r.EventID] = map[model.ParticipantState]int{}
		}
		counts[r.EventID][r.State] = r.N
	}
	return counts, nil
}

// ParticipantListing is a participant with who she is.
type ParticipantListing struct {
	model.EventParticipant
	ActorIRI         string
	ActorURL         string
	ActorUsername    string
	ActorDisplayName string
	ActorHost        string
	ActorInbox       string
	ActorSharedInbox string
}

// Participants lists an event's participants in the given states (every state when none), in the
// order they answered: the waiting list's order.
func (s *Store) Participants(ctx context.Context, eventID string, states ...model.ParticipantState) ([]ParticipantListing, error) {
	query := s.conn(ctx).Table("event_participants").
		Select(`event_participants.*, remote_actors.iri AS actor_iri, remote_actors.url AS actor_url,
			remote_actors.preferred_username AS actor_username, remote_actors.display_name AS actor_display_name,
			remote_actors.host AS actor_host, remote_actors.inbox_url AS actor_inbox, remote_actors.shared_inbox_url AS actor_shared_inbox`).
		Joins("JOIN remote_actors ON remote_actors.id = event_participants.remote_actor_id").
		Where("event_participants.event_id = ?", eventID)
	if len(states) > 0 {
		query = query.Where("event_participants.state IN ?", states)
	}
	var rows []ParticipantListing
	err := scan(query.Order("event_participants.updated_at, event_participants.id"), &rows)
	if err != nil {
		return nil, fmt.Errorf("list participants of event %s: %w", eventID, err)
	}
	return rows, nil
}
