// Package wiring builds the federation side of Kring's object graph: the fetch client signed with the
// instance actor's key, the actor and software caches, the delivery planner, the services whose
// outbound side is federation's outbox (membership, conversations, reports, groups' actor updates,
// members' bans and removals), and the inbox processor and deliverer the worker runs. Production
// (cmd/kring) and the tests and benches that stand up a whole Kring share it, so what they test is
// what is wired; they differ only by Config, which cmd/kring fills from the environment.
package wiring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"time"

	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/drafts"
	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/membership"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/notify"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/federation/inbox"
	"github.com/kring-social/kring/federation/outbox"
	"github.com/kring-social/kring/federation/signing"
)

// Config is what differs between one Kring and another; everything else is wired the same.
type Config struct {
	// PublicURL is where people and servers reach Kring (KRING_PUBLIC_URL); it names every local IRI.
	// Remote fetches may use plain http only when it is http itself (development and tests).
	PublicURL *url.URL
	// Version is Kring's, in the User-Agent of every outbound request.
	Version string
	// FetchAllow are private addresses remote requests may reach (KRING_FETCH_ALLOW; loopback in tests).
	FetchAllow []netip.Prefix
	// FetchTimeout bounds each remote request; fetch.DefaultTimeout when zero.
	FetchTimeout time.Duration
	// PostLimits are the posting rate limits; conversations.DefaultLimits when zero.
	PostLimits conversations.Limits
	// SigningKeys makes the instance actor's and new groups' keys; groups.GenerateSigningKey when nil.
	SigningKeys groups.KeyGenerator
	// Notifier e-mails staff about new reports, held posts and new support conversations; nil when
	// e-mail is off.
	Notifier *notify.Notifier
	// MediaDir is where uploaded pictures are kept (groups.MediaFiles): a group's post takes its
	// pictures from there, in the web server and, for scheduled posts, in the worker. Empty: posts
	// may not carry pictures.
	MediaDir string
	// SupportHolds tells the inboxes of every member a worker finds over a group's support limit
	// (community.HeldBack); nil in processes that do not process inbound activities.
	SupportHolds community.HeldBack
}

// Federation is the federation side of the object graph, built once per process.
type Federation struct {
	// DeliveryOutcomes, when set before Deliverer is called, is told what each delivery attempt came
	// to (the process's metrics).
	DeliveryOutcomes delivery.OutcomeObserver
	IRIs             federation.IRIs
	// Client makes every outbound request, its GETs signed with the instance actor's key.
	Client *fetch.Client
	// Actors resolves remote actors and their keys through the database cache.
	Actors *fetch.Actors
	// Software learns what remote servers run.
	Software *fetch.Software
	// Planner writes deliveries and their tasks in the caller's transaction, in batches.
	Planner delivery.Planner
	// Membership answers follow requests with Accepts and Rejects through the outbox, and has
	// Community greet every accepted follower.
	Membership *membership.Service
	// Community sends each new member the group's welcome as a direct message, once, and runs the
	// support inbox: members' direct messages to groups, answered by staff as the group.
	Community *community.Service
	// Conversations takes posts into groups and announces them through the outbox.
	Conversations *conversations.Service
	// Drafts keeps posts written before they go out: their review and their time.
	Drafts *drafts.Service
	// Reports files reports and forwards them as Flags through the outbox.
	Reports *reports.Service
	// Groups edits groups and sends the Update of a group's actor when it changes.
	Groups *groups.Service
	// Notifier e-mails staff (Config.Notifier); nil when e-mail is off.
	Notifier *notify.Notifier
	// Events publishes groups' events (Create, Update, Delete of the Event), takes participants'
	// Joins, Leaves and poll votes (answered through outbox.EventParticipation), and writes to
	// participants as the group: reminders, waiting lists, cancellations.
	Events *events.Service

	store  *store.Store
	logger *slog.Logger
}

// Build wires federation on st: the instance actor's key (made on first start) signs fetches, one
// fetch client serves every remote request, and what groups send goes out through the outbox.
// logger may be nil (slog.Default).
func Build(ctx context.Context, cfg Config, st *store.Store, logger *slog.Logger) (*Federation, error) {
	if cfg.PublicURL == nil {
		return nil, errors.New("wiring: no public URL")
	}
	if logger == nil {
		logger = slog.Default()
	}
	iris := federation.NewIRIs(cfg.PublicURL)
	groupService := groups.NewService(st)
	if cfg.SigningKeys != nil {
		groupService = groupService.WithKeyGenerator(cfg.SigningKeys)
	}
	instanceKey, err := groupService.EnsureInstanceKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare the instance actor's key: %w", err)
	}
	privateKey, err := delivery.ParsePrivateKey(instanceKey.PrivatePEM)
	if err != nil {
		return nil, fmt.Errorf("read the instance actor's key: %w", err)
	}
	client := fetch.NewClient(fetch.Options{
		UserAgent: fmt.Sprintf("Kring/%s (+%s)", cfg.Version, cfg.PublicURL),
		Allow:     cfg.FetchAllow,
		AllowHTTP: cfg.PublicURL.Scheme == "http", // development and tests; production is https only
		Timeout:   cfg.FetchTimeout,
		Signer:    signing.Signer{KeyID: iris.InstanceActor() + "#" + instanceKey.KeySuffix, Key: privateKey},
	})
	planner := delivery.Planner{Batch: true}
	conversationFederator := outbox.Federator{IRIs: iris, Planner: planner}
	actors := fetch.NewActors(client, st, logger)
	talk := conversations.NewService(st, conversationFederator, cfg.PostLimits).WithMentionResolver(fetch.NewMentions(client, actors))
	if cfg.MediaDir != "" {
		talk = talk.WithPostImages(groups.MediaFiles{Dir: cfg.MediaDir})
	}
	reportService := reports.NewService(st, outbox.Flags{IRIs: iris, Planner: planner})
	if cfg.Notifier != nil {
		talk = talk.WithHoldNotifier(cfg.Notifier)
		reportService = reportService.WithNotifier(cfg.Notifier)
	}
	communityService := community.NewService(st, outbox.DirectMessages{IRIs: iris, Planner: planner, Delay: outbox.WelcomeDelay}, iris).
		WithSupport(outbox.DirectMessages{IRIs: iris, Planner: planner}, reportService)
	if cfg.Notifier != nil {
		communityService = communityService.WithNotifier(cfg.Notifier)
	}
	if cfg.SupportHolds != nil {
		communityService = communityService.WithHeldBack(cfg.SupportHolds)
	}
	draftService := drafts.NewService(st, conversations.DraftPublisher{Service: talk})
	if cfg.Notifier != nil {
		draftService = draftService.WithReviewNotifier(cfg.Notifier)
	}
	participation := outbox.EventParticipation{IRIs: iris, Planner: planner}
	eventService := events.NewService(st, outbox.Events{IRIs: iris, Planner: planner}, outbox.DirectMessages{IRIs: iris, Planner: planner}).
		WithPages(iris).WithParticipation(participation).WithPoll(participation)
	return &Federation{
		IRIs:     iris,
		Client:   client,
		Actors:   actors,
		Software: fetch.NewSoftware(client, st, logger),
		Planner:  planner,
		Membership: membership.NewService(st, outbox.FollowResponder{IRIs: iris, Planner: planner}).
			WithWelcomer(communityService),
		Community:     communityService,
		Conversations: talk,
		Reports:       reportService,
		Notifier:      cfg.Notifier,
		Groups:        groupService.WithActorPublisher(conversationFederator).WithRulesPost(talk),
		Events:        eventService,
		Drafts:        draftService,
		store:         st,
		logger:        logger,
	}, nil
}

// Members removes, bans and unbans groups' members: Rejects, Blocks and their Undo go out through
// the outbox, and a ban's post removals through the conversations service.
func (f *Federation) Members() *moderation.Members {
	return moderation.NewMembers(f.store, outbox.Bans{IRIs: f.IRIs, Planner: f.Planner}, f.Conversations)
}

// FetchObject fetches an object from its origin with a signed GET (servers with authorized fetch
// answer nothing else), checking that its id is the URL it came from.
func (f *Federation) FetchObject(ctx context.Context, iri string) ([]byte, error) {
	doc, err := f.Client.GetActivityJSON(ctx, iri)
	return doc.Body, err
}

// KeyResolver finds the keys that sign inbound requests, refusing those of blocked domains and
// actors before anything is fetched; the inbox's signature verifier uses it.
func (f *Federation) KeyResolver() signing.PublicKeyResolver {
	return inbox.RefuseBlockedKeys(f.store, f.Actors)
}

// Processor applies stored inbound activities, in the worker.
func (f *Federation) Processor() *inbox.Processor {
	return inbox.NewProcessor(inbox.ProcessorConfig{Store: f.store, Actors: f.Actors, Membership: f.Membership,
		Conversations: f.Conversations, Community: f.Community, Software: f.Software, Reports: f.Reports, Events: f.Events, IRIs: f.IRIs, Logger: f.logger,
		Objects: inbox.ObjectsThrough(f.FetchObject)})
}

// Deliverer signs and posts planned deliveries, in the worker. It bounds the requests in flight to
// each host, so a process makes one.
func (f *Federation) Deliverer() *delivery.Deliverer {
	return delivery.NewDeliverer(delivery.DeliverConfig{Store: f.store, Poster: f.Client,
		Signers: delivery.NewKeyRing(f.store, f.IRIs), Logger: f.logger, Outcomes: f.DeliveryOutcomes})
}
