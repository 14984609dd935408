// Package community is the community manager's side of a group: the welcome a new member receives,
// and the support inbox where members' direct messages to the group reach staff, who answer as the
// group. It decides and records; federation carries the messages through the Messenger the command
// wires in.
package community

import (
	"context"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Messenger sends one member a direct message from the group, queued in the delivery outbox of tx so
// it goes out if and only if tx commits.
type Messenger interface {
	// NewMessage names a message the group is about to send, before it is sent.
	NewMessage(group model.Group) Message
	SendDirect(ctx context.Context, tx *store.Store, group model.Group, to model.RemoteActor, message Message) error
}

// Message is a direct message from a group: the Create that carries it, its Note, its content.
type Message struct {
	ActivityIRI, ObjectIRI, ContentHTML string
	InReplyTo                           string // the Note it answers, if any
}

// Pages gives the addresses a welcome links to.
type Pages interface {
	// GroupRules is where the group's rules are read: its public page.
	GroupRules(slug string) string
	// GroupPost is the address of one of the group's own posts, such as its introductions prompt.
	GroupPost(slug, postID string) string
	// GroupActor is the group's address, its public page in a browser.
	GroupActor(slug string) string
}

// Service runs a group's welcomes and its support inbox.
type Service struct {
	store     *store.Store
	messenger Messenger
	pages     Pages
	// replies sends staff's answers in the support inbox (at once, where welcomes wait for the Accept).
	replies  Messenger
	reporter Reporter
	notifier StaffNotifier
	// overLimit is shared by the copies With* makes: they are one service.
	overLimit *limitMemory
	// heldBack tells the inboxes whom overLimit holds back; nil tells no one.
	heldBack HeldBack
	now      func() time.Time
}

// NewService returns a Service that sends through messenger.
func NewService(st *store.Store, messenger Messenger, pages Pages) *Service {
	return &Service{store: st, messenger: messenger, pages: pages, replies: messenger, overLimit: newLimitMemory(), now: time.Now}
}

// WithSupport returns the service answering the support inbox through replies and turning its
// conversations into reports with reporter.
func (s *Service) WithSupport(replies Messenger, reporter Reporter) *Service {
	c := *s
	c.replies, c.reporter = replies, reporter
	return &c
}

// WithNotifier returns the service telling staff about new support conversations through notifier.
func (s *Service) WithNotifier(notifier StaffNotifier) *Service {
	c := *s
	c.notifier = notifier
	return &c
}

// WithHeldBack returns the service telling the inboxes, through heldBack, of every member it finds
// over a group's support limit.
func (s *Service) WithHeldBack(heldBack HeldBack) *Service {
	c := *s
	c.heldBack = heldBack
	return &c
}

// WithClock returns the service reading the time from now (tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// Reporter files a staff member's report about an account of a group inside the caller's
// transaction (the reports service).
type Reporter interface {
	FileAboutAccount(ctx context.Context, tx *store.Store, group model.Group, staffID, accountIRI, note string) (model.Report, error)
}

// StaffNotifier tells the staff of a group that a member opened a support conversation, inside the
// transaction that opens it.
type StaffNotifier interface {
	SupportConversationOpened(ctx context.Context, tx *store.Store, groupID, conversationID string) error
}
