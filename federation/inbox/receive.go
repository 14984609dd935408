// Package inbox receives activities from other servers. The HTTP side (Receiver) refuses what it
// can cheaply, verifies the signature, stores the activity and acknowledges it; the worker side
// (Processor) parses it once and applies it. Nothing is acknowledged before it is stored.
package inbox

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/federation/memo"
	"github.com/kring-social/kring/federation/signing"
)

// SignatureVerifier checks a request's HTTP signature, made with a key on actorIRI's origin, and
// says whose key made it. A key on another origin is refused before it is fetched.
type SignatureVerifier interface {
	VerifyActor(ctx context.Context, req *http.Request, body []byte, actorIRI string) (signing.Verified, error)
}

// InboundQuota counts the activities an inbox stores per actor and per server. Take returns how long
// the sender must wait when a limit is reached, zero when the activity may be stored. Given the ids
// of the groups a direct message is for (heldIn), it says held, counting nothing, when the support
// inbox of every one of them holds its actor back (community.HeldBack): the worker would refuse it.
type InboundQuota interface {
	Take(ctx context.Context, actorIRI, host string, size int, heldIn []string) (wait time.Duration, held bool, err error)
}

// ReceiverConfig is what a Receiver needs.
type ReceiverConfig struct {
	Store    *store.Store
	Verifier SignatureVerifier
	IRIs     federation.IRIs
	Logger   *slog.Logger
	// Quota bounds what one actor and one server may have stored; nil stores without counting.
	Quota InboundQuota
	// KeyFetchTimeout bounds how long a request waits for its signer's key to be fetched
	// (DefaultKeyFetchTimeout when zero); the fetch itself goes on and is cached for the next request.
	KeyFetchTimeout time.Duration
	// MaxInFlight bounds the requests checking and storing activities at once; more are answered 503
	// with Retry-After. Zero means DefaultMaxInFlight of the store's connection pool.
	MaxInFlight int
	// Observer is told of every activity accepted or refused; nil tells no one.
	Observer Observer
}

// DefaultKeyFetchTimeout: a server that takes longer to serve its actor's key is retried by its own
// delivery queue, instead of holding one of Kring's requests open.
const DefaultKeyFetchTimeout = 5 * time.Second

// Receiver serves the inboxes: each group's and the shared one.
type Receiver struct {
	cfg         ReceiverConfig
	suspensions *suspensions
	// groups keeps the groups inboxes were asked for, briefly: each delivery to a group's inbox
	// would otherwise read the group first. An archived group is refused within groupTTL.
	groups    *memo.Cache[string, store.GroupInOrganisation]
	admission admission
}

const groupTTL = 10 * time.Second

// NewReceiver returns a Receiver.
func NewReceiver(cfg ReceiverConfig) *Receiver {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.KeyFetchTimeout <= 0 {
		cfg.KeyFetchTimeout = DefaultKeyFetchTimeout
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight(cfg.Store.PoolSize())
	}
	if cfg.Observer == nil {
		cfg.Observer = nobody{}
	}
	return &Receiver{cfg: cfg, suspensions: newSuspensions(cfg.Store),
		groups:    memo.New[string, store.GroupInOrganisation](groupTTL, 10000),
		admission: newAdmission(cfg.MaxInFlight, admissionWait)}
}

// Mount registers the inbox routes.
func (r *Receiver) Mount(router gin.IRouter) {
	router.POST("/inbox", r.receiveShared)
	router.POST("/actor/inbox", r.receiveShared)
	router.POST("/groups/:slug/inbox", r.receiveForGroup)
}

func (r *Receiver) receiveShared(c *gin.Context) { r.receive(c, nil) }

func (r *Receiver) receiveForGroup(c *gin.Context) {
	group, err := r.group(c.Request.Context(), c.Param("slug"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		r.refuse(c, RefusedUnknownGroup, http.StatusNotFound, "no such group")
		return
	case err != nil:
		r.fail(c, err)
		return
	case group.ArchivedAt != nil:
		r.refuse(c, RefusedUnknownGroup, http.StatusGone, "group archived")
		return
	}
	r.receive(c, &group.Group)
}

func (r *Receiver) group(ctx context.Context, slug string) (store.GroupInOrganisation, error) {
	if group, ok := r.groups.Get(slug); ok {
		return group, nil
	}
	group, err := r.cfg.Store.GroupBySlug(ctx, slug)
	if err == nil {
		r.groups.Put(slug, group)
	}
	return group, err
}

// receive runs the inbox checks in order of cost: media type, size and shape of the body, domain
// blocks, origins, then the signature (which may fetch a key), then one insert. What needs the
// database runs only within admission: a full inbox answers 503 before it starts, and an inbox
// whose wait queue is full too answers it before reading the body, so refusing the excess of an
// overload costs next to nothing.
func (r *Receiver) receive(c *gin.Context, group *model.Group) {
	ctx := c.Request.Context()
	if r.admission.full() {
		r.cfg.Observer.InboxRefused(RefusedOverloaded)
		refuseOverloaded(c)
		return
	}
	if !isActivityMediaType(c.GetHeader("Content-Type")) {
		r.refuse(c, RefusedMediaType, http.StatusUnsupportedMediaType, "content type must be application/activity+json or application/ld+json")
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		r.refuse(c, RefusedTooLarge, http.StatusRequestEntityTooLarge, "request body too large")
		return
	}
	if err != nil {
		r.refuse(c, RefusedMalformed, http.StatusBadRequest, "could not read the body")
		return
	}
	env, err := readEnvelope(body) // jsonguard's checks first
	if err != nil {
		r.refuse(c, RefusedMalformed, http.StatusBadRequest, err.Error())
		return
	}
	if !r.admission.enter(ctx) {
		r.cfg.Observer.InboxRefused(RefusedOverloaded)
		refuseOverloaded(c)
		return
	}
	defer r.admission.leave()
	if status, reason := r.checkOrigins(ctx, env, group, body); status != 0 {
		r.refuse(c, originRefusalReason(status), status, reason)
		return
	}
	verified, err := r.verify(ctx, c.Request, body, env.Actor)
	if err != nil {
		status, reason := http.StatusUnauthorized, RefusedSignature
		if errors.Is(err, ErrBlockedDomain) {
			status, reason = http.StatusForbidden, RefusedBlocked
		}
		// The details (a fetch error names addresses and resolvers) go to the log only.
		r.cfg.Logger.InfoContext(ctx, "inbox signature not verified", "actor", env.Actor, "activity", env.ID, "error", err)
		// 401, never 2xx: a peer trying RFC 9421 first falls back to draft-cavage on a 4xx.
		r.refuse(c, reason, status, "signature not verified: "+signatureRefusal(err))
		return
	}
	if verified.OwnerIRI != env.Actor {
		// The signer must be the activity's actor; anything else is a forgery or a forward that
		// Kring would have to refetch from its origin (CVE-2024-37903).
		r.refuse(c, RefusedWrongSigner, http.StatusUnauthorized, "signed by "+verified.OwnerIRI+", not by the activity's actor")
		return
	}
	if !handledActivityTypes[env.Type] {
		// Verified, but nothing the worker would do anything with: acknowledged, not kept, so a
		// sender cannot fill the database with activities Kring ignores.
		r.cfg.Logger.DebugContext(ctx, "inbound activity of an unhandled type acknowledged, not stored", "type", env.Type, "activity", env.ID)
		r.cfg.Observer.InboxAccepted(false)
		c.Status(http.StatusAccepted)
		return
	}
	if r.quotaAnswered(c, env, len(body)) {
		return
	}
	if err := r.store(ctx, env, group, body); err != nil {
		r.fail(c, err)
		return
	}
	r.cfg.Observer.InboxAccepted(true)
	c.Status(http.StatusAccepted)
}

// quotaAnswered counts the activity against its actor's and server's quota and, past either, answers
// 429 with the seconds until the window ends. A direct message from an actor every group it is for
// holds back is acknowledged instead, and not stored: it would be refused by the worker anyway.
func (r *Receiver) quotaAnswered(c *gin.Context, env envelope, size int) bool {
	if r.cfg.Quota == nil {
		return false
	}
	ctx := c.Request.Context()
	wait, held, err := r.cfg.Quota.Take(ctx, env.Actor, fetch.HostOf(env.Actor), size, r.heldInGroups(ctx, env))
	if err != nil {
		r.fail(c, err)
		return true
	}
	if held {
		r.cfg.Logger.InfoContext(ctx, "direct message acknowledged, not stored: its author is over the support limit of every group it is for",
			"actor", env.Actor, "activity", env.ID)
		r.cfg.Observer.InboxAccepted(false)
		c.Status(http.StatusAccepted)
		return true
	}
	if wait <= 0 {
		return false
	}
	c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	r.refuse(c, RefusedQuota, http.StatusTooManyRequests, "too many activities from this actor or server: try again later")
	return true
}

// verify checks the request's signature within the key fetch deadline.
func (r *Receiver) verify(ctx context.Context, req *http.Request, body []byte, actorIRI string) (signing.Verified, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.KeyFetchTimeout)
	defer cancel()
	return r.cfg.Verifier.VerifyActor(ctx, req, body, actorIRI)
}

// signatureReasons are the refusals a sender is told, each the text of its error kind: what was wrong
// with its request, never what Kring's fetch of its key ran into.
var signatureReasons = []error{ErrBlockedDomain, signing.ErrKeyOffOrigin, signing.ErrKeyUnavailable, signing.ErrUnsigned,
	signing.ErrMalformed, signing.ErrAlgorithm, signing.ErrHeadersNotSigned, signing.ErrExpired, signing.ErrDigestMismatch,
	signing.ErrBadSignature}

func signatureRefusal(err error) string {
	for _, reason := range signatureReasons {
		if errors.Is(err, reason) {
			return reason.Error()
		}
	}
	return "signature does not verify"
}

// checkOrigins refuses activities whose id is on another server than their actor's, that claim to be
// Kring's own, or that come from a blocked domain: suspended by the instance, by the organisation of
// the group whose inbox it came to, or, at the shared inbox, by the organisations of every group it
// names.
func (r *Receiver) checkOrigins(ctx context.Context, env envelope, group *model.Group, body []byte) (int, string) {
	if r.cfg.IRIs.IsLocal(env.Actor) || r.cfg.IRIs.IsLocal(env.ID) {
		return http.StatusBadRequest, "activity claims to come from this server"
	}
	if origin(env.ID) != origin(env.Actor) {
		return http.StatusBadRequest, "activity id and actor are on different servers"
	}
	if reason := checkObjectOrigin(env); reason != "" {
		return http.StatusBadRequest, reason
	}
	organisationID := ""
	if group != nil {
		organisationID = group.OrganisationID
	}
	blocked, err := r.suspensions.covers(ctx, fetch.HostOf(env.Actor), organisationID)
	if err != nil {
		r.cfg.Logger.ErrorContext(ctx, "check domain blocks", "error", err)
		return http.StatusServiceUnavailable, "try again later"
	}
	if !blocked && group == nil {
		blocked, err = r.sharedInboxSuspended(ctx, env.Actor, body)
		if err != nil {
			r.cfg.Logger.ErrorContext(ctx, "check domain blocks at the shared inbox", "error", err)
			return http.StatusServiceUnavailable, "try again later"
		}
	}
	if blocked {
		return http.StatusForbidden, "domain blocked"
	}
	return 0, ""
}

// authoredActivities create, change or delete an object, which only its author may do
// (CVE-2024-23832): the object must be on the actor's server and attributed to the actor.
var authoredActivities = map[string]bool{"Create": true, "Update": true, "Delete": true}

// checkObjectOrigin refuses a Create, Update or Delete of an object on another server than its
// actor's, or attributed to anyone but its actor: a spoofed post or an edit of someone else's. Every
// attributedTo counts (the worker and other servers may take any of them as the author); the actor
// updating or deleting itself is its own object.
func checkObjectOrigin(env envelope) string {
	if !authoredActivities[env.Type] || env.Object == "" {
		return ""
	}
	if origin(env.Object) != origin(env.Actor) {
		return "the object of a " + env.Type + " must be on its actor's server"
	}
	if env.Object == env.Actor {
		return ""
	}
	for _, author := range env.ObjectAuthors {
		if author != env.Actor {
			return "the object of a " + env.Type + " is attributed to someone else than its actor"
		}
	}
	return ""
}

// store keeps the activity and its processing task; a redelivery is acknowledged again and changes
// nothing.
func (r *Receiver) store(ctx context.Context, env envelope, group *model.Group, body []byte) error {
	row := model.InboundActivity{ActivityIRI: env.ID, ActorIRI: env.Actor, ActivityType: env.Type, RawBody: string(body)}
	if group != nil {
		row.GroupID = &group.ID
	}
	_, err := r.cfg.Store.AcceptInboundActivity(ctx, row, tasks.NewProcessInboundTask)
	return err
}

func (r *Receiver) fail(c *gin.Context, err error) {
	r.cfg.Logger.ErrorContext(c.Request.Context(), "inbox failed", "path", c.Request.URL.Path, "error", err)
	r.cfg.Observer.InboxRefused(RefusedError)
	refusal.Respond(c, http.StatusInternalServerError, "internal error")
}

// isActivityMediaType accepts the types peers post activities with: application/activity+json and
// application/ld+json (with or without the ActivityStreams profile, which servers quote differently).
func isActivityMediaType(header string) bool {
	mediaType, _, err := mime.ParseMediaType(header)
	if err != nil {
		return false
	}
	mediaType = strings.ToLower(mediaType)
	return mediaType == "application/activity+json" || mediaType == "application/ld+json"
}

// originRefusalReason names a refusal of checkOrigins by its status: 403 a blocked domain, 503 a
// failed block check, anything else an origin the activity may not claim.
func originRefusalReason(status int) string {
	switch status {
	case http.StatusForbidden:
		return RefusedBlocked
	case http.StatusServiceUnavailable:
		return RefusedError
	}
	return RefusedOrigin
}
