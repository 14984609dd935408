// Package conversations holds the rules of a group's conversations: which posts a group takes in
// (its posting policy, bans, domain blocks, rate limits, the author's consent), which it announces
// to every member and which stay in their thread, the pre-moderation queue, the author's edits,
// deletions and likes, and the posts a group writes itself. It decides; federation carries the
// group's activities to the members' servers through the Federator the command wires in.
package conversations

import (
	"context"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Federator sends what the group does to its followers' servers. Every method runs inside the
// transaction that changes the post, so an activity is queued if and only if the change commits.
type Federator interface {
	// AnnounceIDs makes new ids for the Announces AnnouncePost will send of post: the Announce of
	// the object (microblogging servers boost it; only for ReachFollowers posts) and the FEP-1b12
	// Announce of the Create (servers that understand groups; only when the post has its author's
	// activity). Either is empty when that Announce is not sent. Known before the Announces are
	// stored, they go into a new post's row as it is inserted.
	AnnounceIDs(post model.Post) Announced
	// AnnouncePost announces post to the group's followers under ids, from AnnounceIDs.
	AnnouncePost(ctx context.Context, tx *store.Store, group model.Group, post model.Post, ids Announced) error
	// ForwardActivity announces an author's activity about a group post (Update, Delete, Like,
	// Undo), as received and signed by its author, to the followers' servers that understand groups.
	ForwardActivity(ctx context.Context, tx *store.Store, group model.Group, activityJSON string) error
	// WithdrawPost takes post out of followers' timelines: microblogging servers are sent an Undo of
	// the group's Announce of the object. Servers that understand groups are sent the author's own
	// Delete, announced, when authorDelete is set (the author deleted it), or else an Undo of the
	// group's Announce of the Create (a moderator removed it).
	WithdrawPost(ctx context.Context, tx *store.Store, group model.Group, post model.Post, authorDelete string) error
	// DeclinePost tells the author that the group refused their post: a Reject of their Create.
	DeclinePost(ctx context.Context, tx *store.Store, group model.Group, post model.Post, author model.RemoteActor, reason string) error
	// GroupObjectIRI is the id of a post the group writes itself.
	GroupObjectIRI(group model.Group, postID string) string
	// GroupTagURL is the page listing the group's posts with a hashtag (tag in lower case), where
	// the hashtags of its own posts lead.
	GroupTagURL(group model.Group, tag string) string
	// PublishGroupPost sends the group's own Create of post, with the pictures, hashtags and
	// mentions stored with it in tx, to its followers and the accounts it mentions, and returns the
	// Create as sent.
	PublishGroupPost(ctx context.Context, tx *store.Store, group model.Group, post model.Post) (Created, error)
	// UpdateGroupPost sends an Update of the group's own post to its followers and the accounts it
	// mentions.
	UpdateGroupPost(ctx context.Context, tx *store.Store, group model.Group, post model.Post) error
	// DeleteGroupPost sends a Delete of the group's own post to its followers.
	DeleteGroupPost(ctx context.Context, tx *store.Store, group model.Group, post model.Post) error
	// UpdateGroupActor sends an Update of the group's actor, so followers' servers refetch its
	// featured collection after a pin or an unpin.
	UpdateGroupActor(ctx context.Context, tx *store.Store, group model.Group) error
}

// HoldNotifier tells the staff of a group that a post waits in its queue, inside the transaction
// that holds it (the notify service, when e-mail is on).
type HoldNotifier interface {
	PostHeld(ctx context.Context, tx *store.Store, group model.Group, post model.Post) error
}

// Announced names the Announces of one post; an empty id means that shape was not sent.
type Announced struct {
	ObjectAnnounceIRI   string
	ActivityAnnounceIRI string
}

// Created is the group's Create of its own post, as sent.
type Created struct {
	ActivityIRI  string
	ActivityJSON string
}

// Limits bound how fast one actor, and all actors of one server, may post into this instance's
// groups. A post over a limit is dropped before it is stored.
type Limits struct {
	Window   time.Duration
	PerActor int
	PerHost  int
}

// DefaultLimits allow a busy human and a large server plenty, and a spam run little.
func DefaultLimits() Limits {
	return Limits{Window: 10 * time.Minute, PerActor: 20, PerHost: 300}
}

// Service applies the conversation rules.
type Service struct {
	store     *store.Store
	federator Federator
	limits    Limits
	notifier  HoldNotifier
	mentions  MentionResolver // nil: posts may not mention accounts
	images    PostImages      // nil: posts may not carry pictures
	now       func() time.Time
}

// NewService returns a Service that federates through federator.
func NewService(st *store.Store, federator Federator, limits Limits) *Service {
	if limits.Window <= 0 {
		limits = DefaultLimits()
	}
	return &Service{store: st, federator: federator, limits: limits, now: time.Now}
}

// WithHoldNotifier returns the service telling staff about posts held in a queue through notifier.
func (s *Service) WithHoldNotifier(notifier HoldNotifier) *Service {
	c := *s
	c.notifier = notifier
	return &c
}

// notifyHeld tells staff about a post held in tx, when a notifier is wired.
func (s *Service) notifyHeld(ctx context.Context, tx *store.Store, group model.Group, post model.Post) error {
	if s.notifier == nil {
		return nil
	}
	return s.notifier.PostHeld(ctx, tx, group, post)
}

// Posts lists a group's posts in one state (every state when empty), newest first, at most limit.
func (s *Service) Posts(ctx context.Context, groupSlug string, state model.PostState, limit int) ([]model.Post, error) {
	group, err := s.store.GroupBySlug(ctx, groupSlug)
	if err != nil {
		return nil, asNotFound(err, "group %q", groupSlug)
	}
	filter := store.PostFilter{GroupID: group.ID, Limit: limit}
	if state != "" {
		filter.States = []model.PostState{state}
	}
	return s.store.ListPosts(ctx, filter)
}
