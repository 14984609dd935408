package events

import (
	"context"
	"errors"
	"fmt"
	"html"
	"maps"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// ParticipationFederator answers the Joins of event-aware servers (Mobilizon, Gancio, Gathio), inside
// the transaction that decides.
//
// When a Join is answered follows Mobilizon: its server shows a participant as confirmed on an Accept
// of her Join and as refused on a Reject, and keeps a Join it has no answer to as "waiting for
// approval". So a Join is accepted only once she holds a place (at once, on approval, or when she
// comes up from the waiting list), rejected when a moderator refuses or removes her or the event is
// cancelled, and left unanswered while she waits for a moderator or for a place: a Reject there
// would tell her app she is out while she is still on the list. The waiting list is told to her
// by a direct message from the group instead.
type ParticipationFederator interface {
	AnswerJoin(ctx context.Context, tx *store.Store, group model.Group, event model.Event, participant model.EventParticipant, actor model.RemoteActor, accept bool) error
}

// PollFederator publishes the group's RSVP poll for Mastodon-like apps: a Question with the options
// PollGoing, PollMaybe and PollCantCome, each counting its voters, that closes when the event starts.
type PollFederator interface {
	// PublishPoll sends the group's Create of the event's poll to its followers and returns the
	// poll's id.
	PublishPoll(ctx context.Context, tx *store.Store, group model.Group, event model.Event, counts Counts) (string, error)
	// UpdatePoll sends the Update of the poll with new counts.
	UpdatePoll(ctx context.Context, tx *store.Store, group model.Group, event model.Event, counts Counts) error
}

// The poll's options, as their names are sent and as votes come back.
const (
	PollGoing    = "Going"
	PollMaybe    = "Maybe"
	PollCantCome = "Can't come"
)

// PollOptions are the poll's options in the order it shows them.
var PollOptions = []string{PollGoing, PollMaybe, PollCantCome}

// PollVotes are the counts of each option of the poll: going holds the waiting list too (they
// answered Going), pending those awaiting approval.
func PollVotes(counts Counts) map[string]int {
	return map[string]int{
		PollGoing:    counts[model.ParticipantGoing] + counts[model.ParticipantWaiting] + counts[model.ParticipantPending],
		PollMaybe:    counts[model.ParticipantMaybe],
		PollCantCome: counts[model.ParticipantDeclined],
	}
}

// MaxJoinMessage bounds the message kept with a Join, in bytes of plain text.
const MaxJoinMessage = 2000

// WithParticipation returns the service answering Joins through f.
func (s *Service) WithParticipation(f ParticipationFederator) *Service {
	c := *s
	c.participation = f
	return &c
}

// WithPoll returns the service publishing RSVP polls through f.
func (s *Service) WithPoll(f PollFederator) *Service {
	c := *s
	c.polls = f
	return &c
}

// Outcome is what became of a participant's answer.
type Outcome string

const (
	// Going: she holds a place.
	Going Outcome = "going"
	// Waiting: the event is full; she is on the waiting list.
	Waiting Outcome = "waiting"
	// Pending: a moderator decides.
	Pending Outcome = "pending"
	// Answered: her answer (maybe, can't come, left) is recorded.
	Answered Outcome = "answered"
	// Unchanged: a redelivery, or an answer that changes nothing.
	Unchanged Outcome = "unchanged"
	// Refused: not taken (cancelled event, ban, suspended domain, rejected before, unknown option).
	Refused Outcome = "refused"
)

// Result is the outcome of one answer, with the reason of a refusal.
type Result struct {
	Outcome Outcome
	State   model.ParticipantState
	Reason  string
}

// ErrUnknownOption is a poll vote for an option the poll does not have.
var ErrUnknownOption = errors.New("unknown poll option")

// ReceiveJoin takes actor's Join (joinIRI, with her message) of the event whose id is eventID.
func (s *Service) ReceiveJoin(ctx context.Context, eventID string, actor model.RemoteActor, joinIRI, message string) (Result, error) {
	message = textinput.Clip(textinput.PlainText(message), MaxJoinMessage)
	// A cancelled event's Join is rejected, so her app does not show her waiting for an answer; a
	// banned member or a suspended domain hears nothing.
	refused := func(tx *store.Store, c *change, reason string) error {
		if reason != reasonCancelled {
			return nil
		}
		p := c.participant()
		p.JoinActivityIRI = joinIRI
		return s.answerJoin(ctx, tx, c, p, false)
	}
	return s.answer(ctx, eventID, actor, refused, func(tx *store.Store, c *change) (Result, error) {
		if c.existing != nil && c.existing.JoinActivityIRI == joinIRI {
			return Result{Outcome: Unchanged, State: c.existing.State}, nil // a redelivery
		}
		if c.existing != nil && c.existing.State == model.ParticipantRejected {
			// Refused or removed by a moderator: her new Join is refused too.
			p := *c.existing
			p.JoinActivityIRI, p.Via = joinIRI, model.ViaJoin
			saved, err := tx.SaveParticipant(ctx, p)
			if err != nil {
				return Result{}, err
			}
			return Result{Outcome: Refused, State: saved.State, Reason: "rejected by a moderator"}, s.answerJoin(ctx, tx, c, saved, false)
		}
		return s.wantPlace(ctx, tx, c, model.ViaJoin, joinIRI, "", message)
	})
}

// ReceiveLeave takes actor's Leave of the event (or Undo of her Join): she no longer comes.
func (s *Service) ReceiveLeave(ctx context.Context, eventID string, actor model.RemoteActor) (Result, error) {
	return s.answer(ctx, eventID, actor, nil, func(tx *store.Store, c *change) (Result, error) {
		if c.existing == nil || c.existing.State == model.ParticipantDeclined || c.existing.State == model.ParticipantRejected {
			state := model.ParticipantState("")
			if c.existing != nil {
				state = c.existing.State
			}
			return Result{Outcome: Unchanged, State: state}, nil
		}
		p := *c.existing
		p.State = model.ParticipantDeclined
		return s.settle(ctx, tx, c, p, Answered)
	})
}

// ReceiveVote takes actor's vote (the Note voteIRI, option one of PollOptions) in the event's poll
// as her answer; a later vote replaces an earlier one. An unknown option is ErrUnknownOption and
// changes nothing.
func (s *Service) ReceiveVote(ctx context.Context, eventID string, actor model.RemoteActor, voteIRI, option string) (Result, error) {
	var state model.ParticipantState
	switch option {
	case PollGoing:
		state = model.ParticipantGoing
	case PollMaybe:
		state = model.ParticipantMaybe
	case PollCantCome:
		state = model.ParticipantDeclined
	default:
		return Result{Outcome: Refused, Reason: "unknown option"}, fmt.Errorf("vote %s for %q: %w", voteIRI, textinput.Clip(option, 64), ErrUnknownOption)
	}
	return s.answer(ctx, eventID, actor, nil, func(tx *store.Store, c *change) (Result, error) {
		if c.existing != nil && c.existing.VoteObjectIRI == voteIRI {
			return Result{Outcome: Unchanged, State: c.existing.State}, nil // a redelivery
		}
		if c.existing != nil && c.existing.State == model.ParticipantRejected {
			return Result{Outcome: Refused, State: c.existing.State, Reason: "rejected by a moderator"}, nil
		}
		if state == model.ParticipantGoing {
			return s.wantPlace(ctx, tx, c, model.ViaPoll, "", voteIRI, "")
		}
		p := c.participant()
		p.State, p.Via, p.VoteObjectIRI = state, model.ViaPoll, voteIRI
		return s.settle(ctx, tx, c, p, Answered)
	})
}

const reasonCancelled = "event cancelled"

// change is one answer being applied: the locked event, its group, the actor and her row so far.
type change struct {
	event    model.Event
	group    model.Group
	actor    model.RemoteActor
	existing *model.EventParticipant
	before   Counts
}

// participant is her row so far, or a new one.
func (c *change) participant() model.EventParticipant {
	if c.existing != nil {
		return *c.existing
	}
	return model.EventParticipant{EventID: c.event.ID, RemoteActorID: c.actor.ID}
}

// answer runs apply on the locked event, after the checks every answer passes (refused, when not
// nil, runs instead when one fails), and publishes the new counts when they changed.
func (s *Service) answer(ctx context.Context, eventID string, actor model.RemoteActor,
	refused func(tx *store.Store, c *change, reason string) error, apply func(tx *store.Store, c *change) (Result, error)) (Result, error) {
	var result Result
	err := s.store.TransactionHolding(ctx, nil, func(tx *store.Store) error {
		c, refusal, err := s.open(ctx, tx, eventID, actor)
		if err != nil {
			return err
		}
		if refusal != "" {
			result = Result{Outcome: Refused, Reason: refusal}
			if refused != nil {
				return refused(tx, c, refusal)
			}
			return nil
		}
		if result, err = apply(tx, c); err != nil {
			return err
		}
		return s.publishCounts(ctx, tx, c.group, c.event, c.before)
	})
	return result, err
}

// open locks the event and checks who may answer: not to a cancelled event or an archived group,
// not someone banned from the group or whose domain is suspended.
func (s *Service) open(ctx context.Context, tx *store.Store, eventID string, actor model.RemoteActor) (*change, string, error) {
	event, err := tx.LockEvent(ctx, eventID)
	if err != nil {
		return nil, "", err
	}
	group, err := tx.GroupByID(ctx, event.GroupID)
	if err != nil {
		return nil, "", err
	}
	c := &change{event: event, group: group, actor: actor}
	switch {
	case event.Status == model.EventCancelled:
		return c, reasonCancelled, nil
	case group.ArchivedAt != nil:
		return c, "group archived", nil
	}
	standing, err := tx.AuthorStandingIn(ctx, group, actor)
	switch {
	case err != nil:
		return nil, "", err
	case standing.Banned:
		return c, "banned from the group", nil
	case standing.Suspended:
		return c, "domain suspended", nil
	}
	existing, err := tx.ParticipantOf(ctx, event.ID, actor.ID)
	switch {
	case err == nil:
		c.existing = &existing
	case !errors.Is(err, store.ErrNotFound):
		return nil, "", err
	}
	if c.before, err = tx.CountParticipants(ctx, event.ID); err != nil {
		return nil, "", err
	}
	return c, "", nil
}

// wantPlace applies an answer asking for a place (a Join or a vote Going): pending when the event
// needs approval, going when a place is free, else waiting. Someone holding or awaiting a place
// keeps it; a new Join of hers is accepted when she holds one.
func (s *Service) wantPlace(ctx context.Context, tx *store.Store, c *change, via model.ParticipationVia, joinIRI, voteIRI, message string) (Result, error) {
	p := c.participant()
	p.Via = via
	if joinIRI != "" {
		p.JoinActivityIRI, p.Message = joinIRI, message
	}
	if voteIRI != "" {
		p.VoteObjectIRI = voteIRI
	}
	if c.existing != nil {
		switch c.existing.State {
		case model.ParticipantGoing, model.ParticipantWaiting, model.ParticipantPending:
			saved, err := tx.SaveParticipant(ctx, p)
			if err != nil {
				return Result{}, err
			}
			if saved.State == model.ParticipantGoing && joinIRI != "" {
				if err := s.answerJoin(ctx, tx, c, saved, true); err != nil {
					return Result{}, err
				}
			}
			return Result{Outcome: Unchanged, State: saved.State}, nil
		}
	}
	outcome := Going
	switch {
	case c.event.JoinMode == model.JoinApproval:
		p.State, outcome = model.ParticipantPending, Pending
	case placeFree(c.event, c.before):
		p.State = model.ParticipantGoing
	default:
		p.State, outcome = model.ParticipantWaiting, Waiting
	}
	return s.settle(ctx, tx, c, p, outcome)
}

func placeFree(event model.Event, counts Counts) bool {
	return event.Capacity == 0 || counts.Going() < event.Capacity
}

// settle saves her new row, tells her what it means, and gives a place she freed to the waiting
// list.
func (s *Service) settle(ctx context.Context, tx *store.Store, c *change, p model.EventParticipant, outcome Outcome) (Result, error) {
	wasGoing := c.existing != nil && c.existing.State == model.ParticipantGoing
	saved, err := tx.SaveParticipant(ctx, p)
	if err != nil {
		return Result{}, err
	}
	switch saved.State {
	case model.ParticipantGoing:
		if saved.Via == model.ViaJoin && saved.JoinActivityIRI != "" {
			err = s.answerJoin(ctx, tx, c, saved, true)
		}
	case model.ParticipantWaiting:
		err = s.tell(ctx, tx, c.group, c.actor, fmt.Sprintf("<p>%s is full for now: you are on its waiting list. "+
			"You will hear from us as soon as a place frees up.</p>", html.EscapeString(c.event.Title)))
	}
	if err != nil {
		return Result{}, err
	}
	if wasGoing && saved.State != model.ParticipantGoing {
		if err := s.fillPlaces(ctx, tx, c.group, c.event); err != nil {
			return Result{}, err
		}
	}
	return Result{Outcome: outcome, State: saved.State}, nil
}

// FillPlaces gives the event's free places to the waiting list, oldest first, in tx (which locked
// the event): each is told by a direct message and, when she came by Join, sent the Accept of it.
// Editing an event calls it after raising its capacity.
func (s *Service) FillPlaces(ctx context.Context, tx *store.Store, group model.Group, event model.Event) error {
	return s.fillPlaces(ctx, tx, group, event)
}

func (s *Service) fillPlaces(ctx context.Context, tx *store.Store, group model.Group, event model.Event) error {
	counts, err := tx.CountParticipants(ctx, event.ID)
	if err != nil {
		return err
	}
	free := event.Capacity - counts[model.ParticipantGoing]
	if event.Capacity == 0 {
		free = counts[model.ParticipantWaiting]
	}
	if free <= 0 || counts[model.ParticipantWaiting] == 0 {
		return nil
	}
	waiting, err := tx.Participants(ctx, event.ID, model.ParticipantWaiting)
	if err != nil {
		return err
	}
	for _, w := range waiting[:min(free, len(waiting))] {
		p := w.EventParticipant
		p.State = model.ParticipantGoing
		saved, err := tx.SaveParticipant(ctx, p)
		if err != nil {
			return err
		}
		actor, err := tx.RemoteActorByID(ctx, saved.RemoteActorID)
		if err != nil {
			return err
		}
		c := &change{event: event, group: group, actor: actor}
		if saved.Via == model.ViaJoin && saved.JoinActivityIRI != "" {
			if err := s.answerJoin(ctx, tx, c, saved, true); err != nil {
				return err
			}
		}
		if err := s.tell(ctx, tx, group, actor, fmt.Sprintf("<p>A place has freed up at %s: it is yours. See you there!</p>",
			html.EscapeString(event.Title))); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) answerJoin(ctx context.Context, tx *store.Store, c *change, p model.EventParticipant, accept bool) error {
	if s.participation == nil || p.JoinActivityIRI == "" {
		return nil
	}
	return s.participation.AnswerJoin(ctx, tx, c.group, c.event, p, c.actor, accept)
}

func (s *Service) tell(ctx context.Context, tx *store.Store, group model.Group, to model.RemoteActor, contentHTML string) error {
	if s.messenger == nil {
		return nil
	}
	return s.messenger.SendDirectHTML(ctx, tx, group, to, contentHTML)
}

// publishCounts sends the Update of the event and of its poll when its counts changed from before.
func (s *Service) publishCounts(ctx context.Context, tx *store.Store, group model.Group, event model.Event, before Counts) error {
	after, err := tx.CountParticipants(ctx, event.ID)
	if err != nil {
		return err
	}
	if maps.Equal(before, Counts(after)) {
		return nil
	}
	if s.federator != nil {
		if err := s.federator.UpdateEvent(ctx, tx, group, event, after); err != nil {
			return err
		}
	}
	if s.polls != nil && event.PollObjectIRI != nil {
		return s.polls.UpdatePoll(ctx, tx, group, event, after)
	}
	return nil
}

// OpenPoll publishes the event's RSVP poll to the group's followers and records its id, in the
// caller's transaction (creating the event calls it after publishing the Event). An event with a
// poll already keeps it.
func (s *Service) OpenPoll(ctx context.Context, tx *store.Store, group model.Group, event model.Event) (model.Event, error) {
	if s.polls == nil || event.PollObjectIRI != nil {
		return event, nil
	}
	counts, err := tx.CountParticipants(ctx, event.ID)
	if err != nil {
		return event, err
	}
	iri, err := s.polls.PublishPoll(ctx, tx, group, event, counts)
	if err != nil {
		return event, err
	}
	if err := tx.UpdateEvent(ctx, event.ID, store.EventChange{PollObjectIRI: store.To(&iri)}); err != nil {
		return event, err
	}
	event.PollObjectIRI = &iri
	return event, nil
}
