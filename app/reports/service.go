// Package reports holds complaints about remote accounts and their posts: Flags other servers send
// and reports staff file, in one queue per organisation and group, each with an assignee, notes and
// a status (open, resolved, dismissed), and the forward of a report to the author's server. Every
// decision on a report is written to the moderation log.
package reports

import (
	"context"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Forwarder sends a report to the server of the account reported.
type Forwarder interface {
	// ForwardFlag queues, inside tx, a Flag from the instance actor to target's server: object the
	// account and postIRIs, content the comment.
	ForwardFlag(ctx context.Context, tx *store.Store, target model.RemoteActor, postIRIs []string, comment string) error
}

// StaffNotifier tells the staff of a report's group that a report was filed, inside the transaction
// that files it (the notify service, when e-mail is on).
type StaffNotifier interface {
	ReportFiled(ctx context.Context, tx *store.Store, report model.Report) error
}

// TargetReport is the target kind of the moderation log's entries about reports (the
// model.ActionReport actions).
const TargetReport = "report"

// Limits on what a report keeps. Mastodon's report comments stop at 1,000 characters; a Flag naming
// more posts than maxObjects is cut, not refused (the first ones are what the reporter picked).
const (
	maxReason  = 2000
	maxNote    = 5000
	maxObjects = 50
)

// Service files, lists and decides reports.
type Service struct {
	store     *store.Store
	forwarder Forwarder
	notifier  StaffNotifier
	now       func() time.Time
}

// NewService returns a Service that forwards reports through forwarder.
func NewService(st *store.Store, forwarder Forwarder) *Service {
	return &Service{store: st, forwarder: forwarder, now: time.Now}
}

// WithNotifier returns the service telling staff about new reports through notifier.
func (s *Service) WithNotifier(notifier StaffNotifier) *Service {
	c := *s
	c.notifier = notifier
	return &c
}

// notifyFiled tells staff about a report just filed in tx, when a notifier is wired.
func (s *Service) notifyFiled(ctx context.Context, tx *store.Store, report model.Report) error {
	if s.notifier == nil {
		return nil
	}
	return s.notifier.ReportFiled(ctx, tx, report)
}

// List lists the reports filter selects, oldest first.
func (s *Service) List(ctx context.Context, filter store.ReportFilter) ([]store.ReportListing, error) {
	return s.store.ListReports(ctx, filter)
}
