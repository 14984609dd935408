package activities

import (
	"fmt"
	"html"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/federation"
)

// JoinRef is a participant's Join of one of the group's events, as her server sent it.
type JoinRef struct {
	ID     string // the Join's id
	Actor  string // the participant
	Object string // the event
}

// AnswerJoin answers a Join of an event with an Accept (accept) or a Reject from the group, to the
// participant alone. The Join is embedded with its id, actor and object: Mobilizon matches the
// answer by the Join's id and reads the participant from the embedded actor.
func AnswerJoin(id, group string, join JoinRef, accept bool) (vocab.Type, error) {
	joinIRI, err := parseIRI(join.ID)
	if err != nil {
		return nil, err
	}
	actor, err := parseIRI(join.Actor)
	if err != nil {
		return nil, err
	}
	event, err := parseIRI(join.Object)
	if err != nil {
		return nil, err
	}
	embedded := streams.NewActivityStreamsJoin()
	embedded.SetJSONLDId(IDProperty(joinIRI))
	embedded.SetActivityStreamsActor(actorProperty(actor))
	embedded.SetActivityStreamsObject(objectIRIProperty(event))
	object := streams.NewActivityStreamsObjectProperty()
	object.AppendActivityStreamsJoin(embedded)
	if accept {
		a := streams.NewActivityStreamsAccept()
		if err := setCommon(a, id, group, join.Actor); err != nil {
			return nil, err
		}
		a.SetActivityStreamsObject(object)
		return a, nil
	}
	r := streams.NewActivityStreamsReject()
	if err := setCommon(r, id, group, join.Actor); err != nil {
		return nil, err
	}
	r.SetActivityStreamsObject(object)
	return r, nil
}

// PollOption is one answer of an RSVP poll and how many chose it.
type PollOption struct {
	Name  string
	Count int
}

// RSVPPoll is an event's poll as Mastodon-like apps show it: a Question by the group whose options
// (oneOf: one answer each) count their voters in replies.totalItems, closing when the event starts.
type RSVPPoll struct {
	ID         string // the Question's id
	Group      string // the group actor
	Audience   Audience
	EventIRI   string // the Event's id: the poll is a reply to it
	EventURL   string // where people read the event; EventIRI when empty
	EventTitle string
	StartsAt   time.Time
	TimeZone   string // IANA; UTC when empty or unknown
	Options    []PollOption
	Voters     int
	Published  time.Time
	Updated    time.Time // zero for the first version
	Now        time.Time // the poll is closed once StartsAt is past
}

// Question builds the poll.
func (p RSVPPoll) Question() (vocab.ActivityStreamsQuestion, error) {
	id, err := parseIRI(p.ID)
	if err != nil {
		return nil, err
	}
	group, err := parseIRI(p.Group)
	if err != nil {
		return nil, err
	}
	event, err := parseIRI(p.EventIRI)
	if err != nil {
		return nil, err
	}
	q := streams.NewActivityStreamsQuestion()
	q.SetJSONLDId(IDProperty(id))
	attributedTo := streams.NewActivityStreamsAttributedToProperty()
	attributedTo.AppendIRI(group)
	q.SetActivityStreamsAttributedTo(attributedTo)
	inReplyTo := streams.NewActivityStreamsInReplyToProperty()
	inReplyTo.AppendIRI(event)
	q.SetActivityStreamsInReplyTo(inReplyTo)
	content := streams.NewActivityStreamsContentProperty()
	content.AppendXMLSchemaString(p.content())
	q.SetActivityStreamsContent(content)
	q.SetActivityStreamsPublished(publishedProperty(p.Published))
	if !p.Updated.IsZero() {
		updated := streams.NewActivityStreamsUpdatedProperty()
		updated.Set(p.Updated.UTC().Truncate(time.Second))
		q.SetActivityStreamsUpdated(updated)
	}
	endTime := streams.NewActivityStreamsEndTimeProperty()
	endTime.Set(p.StartsAt.UTC().Truncate(time.Second))
	q.SetActivityStreamsEndTime(endTime)
	if !p.Now.IsZero() && !p.Now.Before(p.StartsAt) {
		closed := streams.NewActivityStreamsClosedProperty()
		closed.AppendXMLSchemaDateTime(p.StartsAt.UTC().Truncate(time.Second))
		q.SetActivityStreamsClosed(closed)
	}
	oneOf := streams.NewActivityStreamsOneOfProperty()
	for _, option := range p.Options {
		note := streams.NewActivityStreamsNote()
		name := streams.NewActivityStreamsNameProperty()
		name.AppendXMLSchemaString(option.Name)
		note.SetActivityStreamsName(name)
		replies := streams.NewActivityStreamsCollection()
		total := streams.NewActivityStreamsTotalItemsProperty()
		total.Set(option.Count)
		replies.SetActivityStreamsTotalItems(total)
		repliesProperty := streams.NewActivityStreamsRepliesProperty()
		repliesProperty.SetActivityStreamsCollection(replies)
		note.SetActivityStreamsReplies(repliesProperty)
		oneOf.AppendActivityStreamsNote(note)
	}
	q.SetActivityStreamsOneOf(oneOf)
	voters := streams.NewTootVotersCountProperty()
	voters.Set(p.Voters)
	q.SetTootVotersCount(voters)
	if err := p.Audience.apply(q); err != nil {
		return nil, err
	}
	return q, nil
}

// content names the event and its start, in its own time zone, with a link to it.
func (p RSVPPoll) content() string {
	zone, err := time.LoadLocation(p.TimeZone)
	if err != nil || p.TimeZone == "" {
		zone = time.UTC
	}
	link := p.EventURL
	if link == "" {
		link = p.EventIRI
	}
	return fmt.Sprintf(`<p>Are you coming to <a href="%s">%s</a> on %s? Answer in this poll.</p>`,
		html.EscapeString(link), html.EscapeString(p.EventTitle), html.EscapeString(p.StartsAt.In(zone).Format("Monday 2 January 2006, 15:04 MST")))
}

// PollActivity wraps the poll in the group's Create (kind "Create") or Update, addressed like it.
func PollActivity(kind, id string, poll RSVPPoll, at time.Time) (vocab.Type, error) {
	question, err := poll.Question()
	if err != nil {
		return nil, err
	}
	var activity wrapper = streams.NewActivityStreamsCreate()
	if kind == "Update" {
		activity = streams.NewActivityStreamsUpdate()
	}
	return wrap(activity, id, poll.Group, poll.Audience, question, at)
}

// EventPoll is the RSVP poll pollIRI of a group's event with its counts, as the group publishes it
// at now (and as Kring serves it).
func EventPoll(iris federation.IRIs, group model.Group, event model.Event, pollIRI string, counts events.Counts, now time.Time) RSVPPoll {
	votes := events.PollVotes(counts)
	groupIRI := iris.GroupActor(group.Slug)
	poll := RSVPPoll{ID: pollIRI, Group: groupIRI,
		Audience: Audience{Visibility: model.VisibilityPublic, Followers: iris.GroupFollowers(group.Slug), Group: groupIRI},
		EventIRI: event.ObjectIRI, EventTitle: event.Title, StartsAt: event.StartsAt, TimeZone: event.TimeZone,
		Published: event.PublishedAt, Now: now}
	if event.PublishedAt.IsZero() {
		poll.Published = now
	}
	for _, name := range events.PollOptions {
		poll.Options = append(poll.Options, PollOption{Name: name, Count: votes[name]})
		poll.Voters += votes[name]
	}
	// No updated: a change of counts is not an edit (Mastodon's own poll updates carry none, and an
	// updated time would show the poll as edited).
	return poll
}
