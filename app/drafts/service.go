// Package drafts holds the rules of posts written before they go out: a draft is written once for
// one or more groups of an organisation, may need a second staff member's approval (when the
// organisation requires review), and goes out now or at a chosen time, once. What a draft says is
// the writer's form as JSON, opaque here: the Publisher (the conversations service) checks it,
// prepares it and publishes it as each group.
package drafts

import (
	"context"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Prepared is a draft's content checked and made ready to publish (mentions resolved), as the
// Publisher returns it.
type Prepared = any

// Publisher publishes a draft's content as each of its groups.
type Publisher interface {
	// Prepare checks content and does what needs the network (resolving mentions), before any
	// transaction is opened.
	Prepare(ctx context.Context, content string) (Prepared, error)
	// PublishIn publishes prepared in each of the groups inside tx: each group's post goes to its
	// own followers, and the posts carry publicationID, so they read as one piece of work.
	PublishIn(ctx context.Context, tx *store.Store, groupIDs []string, staffID *string, prepared Prepared, publicationID string) error
}

// ReviewNotifier tells the staff who may approve a draft that it waits for them, inside the
// transaction that submits it.
type ReviewNotifier interface {
	DraftSubmitted(ctx context.Context, tx *store.Store, draft model.PostDraft, groupIDs []string) error
}

// Service applies the drafts' rules.
type Service struct {
	store     *store.Store
	publisher Publisher
	notifier  ReviewNotifier // nil: nobody is told
	now       func() time.Time
}

// NewService returns a Service publishing through publisher.
func NewService(st *store.Store, publisher Publisher) *Service {
	return &Service{store: st, publisher: publisher, now: time.Now}
}

// WithReviewNotifier returns the service telling reviewers through notifier.
func (s *Service) WithReviewNotifier(notifier ReviewNotifier) *Service {
	c := *s
	c.notifier = notifier
	return &c
}

// WithClock returns the service reading the time from now (tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}
