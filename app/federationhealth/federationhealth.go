// Package federationhealth gathers what an instance admin needs to see whether federation works (the
// task backlog, failing and unreachable hosts, tasks out of retries, inbox refusals) and carries out
// the few repairs the admin's federation health page offers, each written to the moderation log.
package federationhealth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
)

// Broker is the task broker's side of the repairs (workers.Inspector implements it): a dead task's
// copy in the broker's archive must go before the task is enqueued again, or the broker would refuse
// the new copy as a duplicate of the archived one.
type Broker interface {
	ForgetTask(ctx context.Context, queue, id string) error
}

// RefusalCounter says how many inbox refusals each reason had over the last day (workers.RefusalTally).
type RefusalCounter interface {
	RefusalsLastDay(ctx context.Context) (map[string]int64, error)
}

// Service reads and repairs federation's state; Broker and Refusals may be nil (a process with no
// broker connection), which leaves their parts of the page empty.
type Service struct {
	store    *store.Store
	broker   Broker
	refusals RefusalCounter
}

// NewService returns the service.
func NewService(st *store.Store, broker Broker, refusals RefusalCounter) *Service {
	return &Service{store: st, broker: broker, refusals: refusals}
}

// Bounds of the page: the troubled hosts and dead tasks most worth a look, never the whole table.
const (
	listLimit      = 50
	retryHostLimit = 5000
)

// Overview is the page's content.
type Overview struct {
	Queues   []store.QueueBacklog
	Hosts    []store.TroubledHost
	GaveUp   []store.HostFailures
	Dead     []model.QueuedTask
	Refusals map[string]int64 // nil when no tally is kept
	// RefusalsError says the tally could not be read (the broker is down); the rest still shows.
	RefusalsError string
}

// Overview reads everything the page shows.
func (s *Service) Overview(ctx context.Context, now time.Time) (Overview, error) {
	var o Overview
	var err error
	if o.Queues, err = s.store.QueueBacklogs(ctx, tasks.QueueInbound); err != nil {
		return o, err
	}
	if o.Hosts, err = s.store.TroubledHosts(ctx, listLimit); err != nil {
		return o, err
	}
	if o.GaveUp, err = s.store.DeliveriesGivenUpByHost(ctx, now.Add(-24*time.Hour), listLimit); err != nil {
		return o, err
	}
	if o.Dead, err = s.store.DeadTasks(ctx, listLimit); err != nil {
		return o, err
	}
	if s.refusals != nil {
		if o.Refusals, err = s.refusals.RefusalsLastDay(ctx); err != nil {
			o.Refusals, o.RefusalsError = nil, "the broker did not answer: "+err.Error()
		}
	}
	return o, nil
}

// RetryHost lifts host's unreachable mark and queues each of its pending deliveries for an attempt
// now, logged for the instance. It returns how many deliveries were queued. A delivery that already
// had a retry scheduled is tried twice at most; the second attempt finds it settled and does nothing.
func (s *Service) RetryHost(ctx context.Context, staffID *string, host string) (int, error) {
	queued := 0
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		if err := tx.LiftHostUnreachable(ctx, host); err != nil {
			return notFound(err, "no failures are on record for "+host)
		}
		ids, err := tx.PendingDeliveryIDsOfHost(ctx, host, retryHostLimit)
		if err != nil {
			return err
		}
		retries := make([]store.NewTask, len(ids))
		for i, id := range ids {
			retries[i] = tasks.NewDeliverActivityTask(id)
		}
		if err := tx.RecordTasks(ctx, retries); err != nil {
			return err
		}
		queued = len(ids)
		_, err = tx.RecordModerationAction(ctx, store.LogEntry{StaffAccountID: staffID, Action: model.ActionHostRetry,
			TargetKind: "host", TargetID: host, Metadata: map[string]any{"deliveries_queued": queued}})
		return err
	})
	return queued, err
}

// ForgetHost deletes host's failure record, logged for the instance: it counts as never failed.
func (s *Service) ForgetHost(ctx context.Context, staffID *string, host string) error {
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		if err := tx.ForgetHost(ctx, host); err != nil {
			return notFound(err, "no failures are on record for "+host)
		}
		_, err := tx.RecordModerationAction(ctx, store.LogEntry{StaffAccountID: staffID, Action: model.ActionHostForget,
			TargetKind: "host", TargetID: host})
		return err
	})
}

// RetryTask gives a dead task a fresh set of retries: its archived copy leaves the broker, then the
// outbox row is due again and the sweeper enqueues it within seconds. Logged for the instance.
func (s *Service) RetryTask(ctx context.Context, staffID *string, id string) (model.QueuedTask, error) {
	task, err := s.deadTask(ctx, id)
	if err != nil {
		return task, err
	}
	if err := s.forgetInBroker(ctx, task); err != nil {
		return task, err
	}
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		if _, err := tx.ReviveDeadTask(ctx, id); err != nil {
			return notFound(err, "that task is no longer out of retries")
		}
		_, err := tx.RecordModerationAction(ctx, store.LogEntry{StaffAccountID: staffID, Action: model.ActionTaskRetry,
			TargetKind: "task", TargetID: id, Metadata: map[string]any{"type": task.TaskType, "last_error": task.LastError}})
		return err
	})
	return task, err
}

// DiscardTask deletes a dead task from the outbox and the broker's archive, logged for the instance.
func (s *Service) DiscardTask(ctx context.Context, staffID *string, id string) (model.QueuedTask, error) {
	task, err := s.deadTask(ctx, id)
	if err != nil {
		return task, err
	}
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		if _, err := tx.DiscardDeadTask(ctx, id); err != nil {
			return notFound(err, "that task is no longer out of retries")
		}
		_, err := tx.RecordModerationAction(ctx, store.LogEntry{StaffAccountID: staffID, Action: model.ActionTaskDiscard,
			TargetKind: "task", TargetID: id, Metadata: map[string]any{"type": task.TaskType, "last_error": task.LastError}})
		return err
	})
	if err != nil {
		return task, err
	}
	return task, s.forgetInBroker(ctx, task)
}

func (s *Service) deadTask(ctx context.Context, id string) (model.QueuedTask, error) {
	task, err := s.store.FindTask(ctx, id)
	if err != nil || task.DeadAt == nil {
		return task, apperror.NotFound("that task is not out of retries")
	}
	return task, nil
}

func (s *Service) forgetInBroker(ctx context.Context, task model.QueuedTask) error {
	if s.broker == nil {
		return nil
	}
	if err := s.broker.ForgetTask(ctx, task.Queue, task.ID); err != nil {
		return fmt.Errorf("remove task %s from the broker: %w", task.ID, err)
	}
	return nil
}

func notFound(err error, message string) error {
	if errors.Is(err, store.ErrNotFound) {
		return apperror.NotFound("%s", message)
	}
	return err
}
