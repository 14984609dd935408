package outbox

import (
	"context"
	"fmt"
	"net/url"

	"github.com/go-fed/activity/streams"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/activities"
	"github.com/kring-social/kring/federation/delivery"
)

// Flags forwards reports to the reported account's server, shaped as Mastodon sends them: a Flag
// from the instance actor (the reporter stays anonymous, as a forward should), object the account
// and its posts, the reason as content, and no audience: it is for the server's moderators only.
type Flags struct {
	IRIs    federation.IRIs
	Planner delivery.Planner
}

var _ reports.Forwarder = Flags{}

// ForwardFlag queues the Flag to target's shared inbox, or its own inbox when its server has none:
// a server's moderators read reports, not the account, so the server-wide inbox is the right door.
func (f Flags) ForwardFlag(ctx context.Context, tx *store.Store, target model.RemoteActor, postIRIs []string, comment string) error {
	id := f.IRIs.NewActivity()
	flag := streams.NewActivityStreamsFlag()
	idIRI, err := url.Parse(id)
	if err != nil {
		return err
	}
	flag.SetJSONLDId(activities.IDProperty(idIRI))
	instance, err := url.Parse(f.IRIs.InstanceActor())
	if err != nil {
		return err
	}
	actor := streams.NewActivityStreamsActorProperty()
	actor.AppendIRI(instance)
	flag.SetActivityStreamsActor(actor)
	objects := streams.NewActivityStreamsObjectProperty()
	for _, iri := range append([]string{target.IRI}, postIRIs...) {
		u, err := url.Parse(iri)
		if err != nil {
			return fmt.Errorf("forward report: object %q: %w", iri, err)
		}
		objects.AppendIRI(u)
	}
	flag.SetActivityStreamsObject(objects)
	content := streams.NewActivityStreamsContentProperty()
	content.AppendXMLSchemaString(comment)
	flag.SetActivityStreamsContent(content)
	body, err := activities.Marshal(flag)
	if err != nil {
		return err
	}
	inbox := target.SharedInboxURL
	if inbox == "" {
		inbox = target.InboxURL
	}
	return f.Planner.ToInbox(ctx, tx, delivery.Activity{IRI: id, Type: "Flag", Body: body}, inbox, target.Host)
}
