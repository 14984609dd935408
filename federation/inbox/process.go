package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/kring-social/kring/app/community"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/membership"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/activities"
)

// ActorResolver returns the cached document of a remote actor, fetching it when unknown or stale.
type ActorResolver interface {
	ResolveActor(ctx context.Context, iri string) (model.RemoteActor, error)
}

// ProcessorConfig is what a Processor needs.
type ProcessorConfig struct {
	Store      *store.Store
	Actors     ActorResolver
	Membership *membership.Service
	// Conversations takes posts, edits, deletions and likes into groups.
	Conversations *conversations.Service
	// Objects fetches objects given by id only; nil refuses them.
	Objects ObjectFetcher
	// Software learns what a new follower's server runs (the shape of Announces to it); nil skips.
	Software SoftwareLearner
	// Community takes members' direct messages to groups into the support inbox; nil ignores them.
	Community *community.Service
	// Reports files the reports other servers send as Flags; nil ignores them.
	Reports *reports.Service
	// Events takes Joins and Leaves of the groups' events and votes in their RSVP polls; nil
	// ignores them.
	Events *events.Service
	IRIs   federation.IRIs
	Logger *slog.Logger
}

// Processor applies stored inbound activities; it runs in the worker.
type Processor struct{ cfg ProcessorConfig }

// NewProcessor returns a Processor.
func NewProcessor(cfg ProcessorConfig) *Processor {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Processor{cfg: cfg}
}

// SoftwareLearner learns which software the server of an actor runs.
type SoftwareLearner interface {
	Learn(ctx context.Context, actorIRI string) error
}

// errIgnored marks an activity Kring understood and has nothing to do with, or refuses to apply.
type errIgnored struct{ reason string }

func (e errIgnored) Error() string { return e.reason }

func ignored(format string, args ...any) error { return errIgnored{fmt.Sprintf(format, args...)} }

// Process applies the stored activity with id inboundID. It returns an error only for failures that
// a retry may cure (a remote server down, the database busy); an activity that cannot be applied is
// recorded as ignored or failed and is done.
func (p *Processor) Process(ctx context.Context, inboundID string) error {
	// The actor's cached document and the group whose inbox took the activity come with it: the
	// first look at each below takes them without a round trip of its own.
	in, err := p.cfg.Store.InboundToProcessByID(ctx, inboundID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // pruned since; nothing left to do
	}
	if err != nil {
		return err
	}
	row := in.InboundActivity
	if row.State != model.InboundPending {
		return nil // processed before: asynq delivers at least once
	}
	ctx = store.WithPreread(ctx, in)
	activity, err := activities.Parse(ctx, row.RawBody)
	if err != nil {
		return p.finish(ctx, row, model.InboundFailed, err.Error())
	}
	err = p.apply(ctx, row, activity)
	var skip errIgnored
	switch {
	case errors.As(err, &skip):
		return p.finish(ctx, row, model.InboundIgnored, skip.reason)
	case err != nil:
		return err
	}
	return p.finish(ctx, row, model.InboundProcessed, "")
}

func (p *Processor) finish(ctx context.Context, row model.InboundActivity, state model.InboundState, reason string) error {
	if state != model.InboundProcessed {
		p.cfg.Logger.InfoContext(ctx, "inbound activity not applied", "activity", row.ActivityIRI,
			"type", row.ActivityType, "state", string(state), "reason", reason)
	}
	return p.cfg.Store.FinishInboundActivity(ctx, row.ID, state, reason)
}

// handledActivityTypes are the types apply does something with; the inbox stores only these.
var handledActivityTypes = map[string]bool{"Follow": true, "Undo": true, "Delete": true, "Create": true,
	"Update": true, "Like": true, "Flag": true, "Join": true, "Leave": true,
	"Accept": true, "TentativeAccept": true, "Reject": true, "Announce": true}

func (p *Processor) apply(ctx context.Context, row model.InboundActivity, activity vocab.Type) error {
	switch a := activity.(type) {
	case vocab.ActivityStreamsFollow:
		return p.applyFollow(ctx, row, a)
	case vocab.ActivityStreamsUndo:
		return p.applyUndo(ctx, row, a)
	case vocab.ActivityStreamsDelete:
		return p.applyDelete(ctx, row, a)
	case vocab.ActivityStreamsCreate:
		return p.applyCreate(ctx, row, a)
	case vocab.ActivityStreamsUpdate:
		return p.applyUpdate(ctx, row, a)
	case vocab.ActivityStreamsLike:
		return p.applyLike(ctx, row, a)
	case vocab.ActivityStreamsFlag:
		return p.applyFlag(ctx, row, a)
	case vocab.ActivityStreamsJoin:
		return p.applyJoin(ctx, row, a)
	case vocab.ActivityStreamsLeave:
		return p.applyLeave(ctx, row, a)
	case vocab.ActivityStreamsAccept:
		return p.applyEventAnswer(ctx, row, "Accept", a.GetActivityStreamsObject())
	case vocab.ActivityStreamsTentativeAccept:
		return p.applyEventAnswer(ctx, row, "TentativeAccept", a.GetActivityStreamsObject())
	case vocab.ActivityStreamsReject:
		return p.applyEventAnswer(ctx, row, "Reject", a.GetActivityStreamsObject())
	case vocab.ActivityStreamsAnnounce:
		return p.applyAnnounce(ctx, row, a)
	default:
		return ignored("%s activities are not handled", activity.GetTypeName())
	}
}

// objectIRIs lists the ids of an activity's objects, whether given as IRIs or embedded.
func objectIRIs(objects vocab.ActivityStreamsObjectProperty) []string {
	if objects == nil {
		return nil
	}
	var iris []string
	for it := objects.Begin(); it != objects.End(); it = it.Next() {
		if id := iteratorIRI(it); id != nil {
			iris = append(iris, id.String())
		}
	}
	return iris
}

// iteratorIRI is the IRI a property value stands for: the IRI itself or the embedded object's id.
func iteratorIRI(it interface {
	IsIRI() bool
	GetIRI() *url.URL
	GetType() vocab.Type
}) *url.URL {
	if it.IsIRI() {
		return it.GetIRI()
	}
	if t := it.GetType(); t != nil && t.GetJSONLDId() != nil {
		return t.GetJSONLDId().Get()
	}
	return nil
}
