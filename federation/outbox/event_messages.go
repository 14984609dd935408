package outbox

import (
	"context"

	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// EventMessages is the events service's Messenger: its reminders go out as the group's direct
// messages, through DirectMessages.
type EventMessages struct{ DirectMessages }

var _ events.Messenger = EventMessages{}

// SendDirectHTML queues a direct message with contentHTML from group to to, in tx.
func (e EventMessages) SendDirectHTML(ctx context.Context, tx *store.Store, group model.Group, to model.RemoteActor, contentHTML string) error {
	message := e.NewMessage(group)
	message.ContentHTML = contentHTML
	return e.SendDirect(ctx, tx, group, to, message)
}
