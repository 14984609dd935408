package activities

import (
	"net/url"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// DirectNote is a message a group sends one person, as Mastodon understands a direct message:
// addressed to her alone (no Public, no followers collection, no FEP-1b12 audience, so no server
// shows it in a timeline or a group's thread) and mentioning her with a Mention tag, so her app
// shows it as a private mention and notifies her.
type DirectNote struct {
	ActivityID, ObjectID string
	Group                string // the group actor
	Recipient            string // her actor id
	RecipientHandle      string // @name@host, the Mention's name
	ContentHTML          string
	InReplyTo            string // the Note it answers: her app threads the two
	At                   time.Time
}

// DirectCreate is the Create, from the group, carrying note.
func DirectCreate(note DirectNote) (vocab.Type, error) {
	objectIRI, err := parseIRI(note.ObjectID)
	if err != nil {
		return nil, err
	}
	groupIRI, err := parseIRI(note.Group)
	if err != nil {
		return nil, err
	}
	recipient, err := parseIRI(note.Recipient)
	if err != nil {
		return nil, err
	}
	object := streams.NewActivityStreamsNote()
	object.SetJSONLDId(IDProperty(objectIRI))
	attributedTo := streams.NewActivityStreamsAttributedToProperty()
	attributedTo.AppendIRI(groupIRI)
	object.SetActivityStreamsAttributedTo(attributedTo)
	object.SetActivityStreamsTo(toOnly(recipient))
	content := streams.NewActivityStreamsContentProperty()
	content.AppendXMLSchemaString(note.ContentHTML)
	object.SetActivityStreamsContent(content)
	object.SetActivityStreamsPublished(publishedProperty(note.At))
	if note.InReplyTo != "" {
		inReplyTo, err := inReplyToProperty(note.InReplyTo)
		if err != nil {
			return nil, err
		}
		object.SetActivityStreamsInReplyTo(inReplyTo)
	}
	mention := streams.NewActivityStreamsMention()
	href := streams.NewActivityStreamsHrefProperty()
	href.Set(recipient)
	mention.SetActivityStreamsHref(href)
	name := streams.NewActivityStreamsNameProperty()
	name.AppendXMLSchemaString(note.RecipientHandle)
	mention.SetActivityStreamsName(name)
	tag := streams.NewActivityStreamsTagProperty()
	tag.AppendActivityStreamsMention(mention)
	object.SetActivityStreamsTag(tag)

	activityIRI, err := parseIRI(note.ActivityID)
	if err != nil {
		return nil, err
	}
	create := streams.NewActivityStreamsCreate()
	create.SetJSONLDId(IDProperty(activityIRI))
	create.SetActivityStreamsActor(actorProperty(groupIRI))
	create.SetActivityStreamsPublished(publishedProperty(note.At))
	create.SetActivityStreamsTo(toOnly(recipient))
	embedded := streams.NewActivityStreamsObjectProperty()
	embedded.AppendActivityStreamsNote(object)
	create.SetActivityStreamsObject(embedded)
	return create, nil
}

// toOnly is a to property holding one recipient.
func toOnly(recipient *url.URL) vocab.ActivityStreamsToProperty {
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(recipient)
	return to
}
