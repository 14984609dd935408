package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// applyJoin takes a Join of one of the groups' events (Mobilizon, Gancio, Gathio): the participant
// is the actor who signed it (the inbox checked that), and the event must be one of Kring's.
func (p *Processor) applyJoin(ctx context.Context, row model.InboundActivity, join vocab.ActivityStreamsJoin) error {
	event, err := p.localEvent(ctx, objectIRIs(join.GetActivityStreamsObject()))
	if err != nil {
		return err
	}
	actor, err := p.cfg.Actors.ResolveActor(ctx, row.ActorIRI)
	if err != nil {
		return fmt.Errorf("resolve participant %s: %w", row.ActorIRI, err)
	}
	message := joinMessage(row.RawBody)
	if message == "" {
		if c := join.GetActivityStreamsContent(); c != nil {
			message = textOf(collect[vocab.ActivityStreamsContentPropertyIterator](c))
		}
	}
	result, err := p.cfg.Events.ReceiveJoin(ctx, event.ID, actor, row.ActivityIRI, message)
	return p.participationResult(ctx, "join", event, actor, result, err)
}

// applyLeave takes a Leave of one of the groups' events: the actor no longer comes.
func (p *Processor) applyLeave(ctx context.Context, row model.InboundActivity, leave vocab.ActivityStreamsLeave) error {
	event, err := p.localEvent(ctx, objectIRIs(leave.GetActivityStreamsObject()))
	if err != nil {
		return err
	}
	return p.leave(ctx, row, event)
}

// undoJoin takes an Undo of the actor's own Join, embedded (naming the event) or by id.
func (p *Processor) undoJoin(ctx context.Context, row model.InboundActivity, join vocab.ActivityStreamsJoin) error {
	if actorOf(join.GetActivityStreamsActor()) != row.ActorIRI {
		return ignored("Undo of a Join made by someone else")
	}
	event, err := p.localEvent(ctx, objectIRIs(join.GetActivityStreamsObject()))
	if err != nil {
		return err
	}
	return p.leave(ctx, row, event)
}

// undoJoinByID looks for the actor's participation by its Join's id; found says whether there was one.
func (p *Processor) undoJoinByID(ctx context.Context, row model.InboundActivity, actor model.RemoteActor, joinIRI string) (found bool, err error) {
	if p.cfg.Events == nil {
		return false, nil
	}
	participant, err := p.cfg.Store.ParticipantByJoin(ctx, joinIRI, actor.ID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	event, err := p.cfg.Store.EventByID(ctx, participant.EventID)
	if err != nil {
		return true, err
	}
	return true, p.leave(ctx, row, event)
}

func (p *Processor) leave(ctx context.Context, row model.InboundActivity, event model.Event) error {
	actor, err := p.cfg.Actors.ResolveActor(ctx, row.ActorIRI)
	if err != nil {
		return fmt.Errorf("resolve participant %s: %w", row.ActorIRI, err)
	}
	result, err := p.cfg.Events.ReceiveLeave(ctx, event.ID, actor)
	return p.participationResult(ctx, "leave", event, actor, result, err)
}

// eventAnswers are how Friendica answers an event it shows in its calendar (Gathio documents the
// same): Accept, TentativeAccept or Reject of the Event itself, read as the poll's Going, Maybe and
// Can't come. Kring's groups follow nobody, so an Accept or Reject sent to one is about nothing else.
var eventAnswers = map[string]string{"Accept": events.PollGoing, "TentativeAccept": events.PollMaybe, "Reject": events.PollCantCome}

// applyEventAnswer takes an Accept, TentativeAccept or Reject of one of the groups' events as the
// signer's answer; a later answer replaces an earlier one, as a changed vote does.
func (p *Processor) applyEventAnswer(ctx context.Context, row model.InboundActivity, kind string, objects vocab.ActivityStreamsObjectProperty) error {
	event, err := p.localEvent(ctx, objectIRIs(objects))
	if err != nil {
		return err
	}
	actor, err := p.cfg.Actors.ResolveActor(ctx, row.ActorIRI)
	if err != nil {
		return fmt.Errorf("resolve participant %s: %w", row.ActorIRI, err)
	}
	result, err := p.cfg.Events.ReceiveVote(ctx, event.ID, actor, row.ActivityIRI, eventAnswers[kind])
	return p.participationResult(ctx, kind, event, actor, result, err)
}

// pollVote reports whether a post is a vote in one of the groups' RSVP polls: a Note with a name (the
// option) and no content, in reply to the poll (Mastodon's shape, addressed to the group alone). It
// is recognised before the post could be taken for a direct message.
func (p *Processor) pollVote(ctx context.Context, read readPost) (model.Event, bool, error) {
	if p.cfg.Events == nil || read.Type != "Note" || read.Name == "" || read.ContentHTML != "" ||
		read.InReplyTo == "" || !p.cfg.IRIs.IsLocal(read.InReplyTo) {
		return model.Event{}, false, nil
	}
	event, err := p.cfg.Store.EventByPoll(ctx, read.InReplyTo)
	if errors.Is(err, store.ErrNotFound) {
		return model.Event{}, false, nil
	}
	return event, err == nil, err
}

// applyVote counts the author's vote as her answer to the event.
func (p *Processor) applyVote(ctx context.Context, event model.Event, read readPost, author model.RemoteActor) error {
	result, err := p.cfg.Events.ReceiveVote(ctx, event.ID, author, read.ID, read.Name)
	if errors.Is(err, events.ErrUnknownOption) {
		p.cfg.Logger.InfoContext(ctx, "poll vote refused", "event", event.ID, "voter", author.IRI, "error", err)
		return ignored("vote for an option the poll does not have")
	}
	return p.participationResult(ctx, "vote", event, author, result, err)
}

func (p *Processor) participationResult(ctx context.Context, kind string, event model.Event, actor model.RemoteActor, result events.Result, err error) error {
	if err != nil {
		return err
	}
	p.cfg.Logger.InfoContext(ctx, "event answer", "kind", kind, "event", event.ID, "actor", actor.IRI,
		"outcome", string(result.Outcome), "state", string(result.State), "reason", result.Reason)
	if result.Outcome == events.Refused {
		return ignored("%s refused: %s", kind, result.Reason)
	}
	return nil
}

// localEvent is the one event of Kring's that iris names.
func (p *Processor) localEvent(ctx context.Context, iris []string) (model.Event, error) {
	if p.cfg.Events == nil {
		return model.Event{}, ignored("events are not handled on this server")
	}
	if len(iris) != 1 || !p.cfg.IRIs.IsLocal(iris[0]) {
		return model.Event{}, ignored("the activity must name exactly one event of this server")
	}
	event, err := p.cfg.Store.EventByObject(ctx, iris[0])
	if errors.Is(err, store.ErrNotFound) {
		return model.Event{}, ignored("no such event")
	}
	return event, err
}

// joinMessage reads Mobilizon's participationMessage, which go-fed's vocabulary does not know.
func joinMessage(body string) string {
	var doc struct {
		ParticipationMessage json.RawMessage `json:"participationMessage"`
	}
	if json.Unmarshal([]byte(body), &doc) != nil {
		return ""
	}
	var message string
	if json.Unmarshal(doc.ParticipationMessage, &message) != nil {
		return ""
	}
	return message
}
