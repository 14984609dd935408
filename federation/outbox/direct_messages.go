package outbox

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/federation/delivery"
)

// WelcomeDelay holds a welcome back a few seconds after the Accept queued with it. Mastodon files a
// private mention from an account its user does not follow under filtered notifications; once the
// Accept has arrived she follows the group, and the welcome reaches her notifications.
const WelcomeDelay = 5 * time.Second

// DirectMessages sends a group's direct messages: a Create of a Note addressed to one person and
// mentioning her, delivered to her own inbox (never a shared inbox's fan-out, never followers). It is
// the community service's Messenger.
type DirectMessages struct {
	IRIs    federation.IRIs
	Planner delivery.Planner
	Delay   time.Duration // how long each message waits before it is delivered
	Now     func() time.Time
}

var _ community.Messenger = DirectMessages{}

// NewMessage names a message of group's: a new activity id and a Note id under the group.
func (d DirectMessages) NewMessage(group model.Group) community.Message {
	return community.Message{ActivityIRI: d.IRIs.NewActivity(),
		ObjectIRI: d.IRIs.GroupActor(group.Slug) + "/messages/" + uuid.Must(uuid.NewV7()).String()}
}

// SendDirect queues message to the member in tx.
func (d DirectMessages) SendDirect(ctx context.Context, tx *store.Store, group model.Group, to model.RemoteActor, message community.Message) error {
	now := nowFrom(d.Now)
	create, err := activities.DirectCreate(activities.DirectNote{ActivityID: message.ActivityIRI, ObjectID: message.ObjectIRI,
		Group: d.IRIs.GroupActor(group.Slug), Recipient: to.IRI, RecipientHandle: to.Handle(), ContentHTML: message.ContentHTML, InReplyTo: message.InReplyTo, At: now})
	if err != nil {
		return err
	}
	body, err := activities.Marshal(create)
	if err != nil {
		return err
	}
	return d.Planner.ToInbox(ctx, tx, delivery.Activity{IRI: message.ActivityIRI, Type: "Create", GroupID: group.ID, Body: body,
		NotBefore: now.Add(d.Delay)}, to.InboxURL, to.Host)
}

// SendDirectHTML queues a direct message whose content is contentHTML to the member in tx: the
// events service's Messenger (waiting lists, reminders, cancellations).
func (d DirectMessages) SendDirectHTML(ctx context.Context, tx *store.Store, group model.Group, to model.RemoteActor, contentHTML string) error {
	message := d.NewMessage(group)
	message.ContentHTML = contentHTML
	return d.SendDirect(ctx, tx, group, to, message)
}
