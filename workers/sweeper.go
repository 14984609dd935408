package workers

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
)

// Sweeper defaults. The interval is short because rows never handed to a broker are found by the
// same cheap indexed query: work an admin command recorded with no broker connection (the embedded
// default) starts within seconds. Rows a broker holds are looked at again only after the lease.
const (
	DefaultSweepInterval = 5 * time.Second
	DefaultSweepLease    = 10 * time.Minute
	sweepPageSize        = 500
)

// Sweeper enqueues outbox rows again that the broker may have lost. Every worker process runs one;
// several sweeping at once only meet asynq's TaskID conflict.
type Sweeper struct {
	store      *store.Store
	dispatcher *Dispatcher
	interval   time.Duration
	lease      time.Duration
	logger     *slog.Logger

	inboundMu sync.Mutex
	// inboundSweptBefore is the latest time before which a look for stale inbound activities has
	// given a row to every one still pending (zero until the first look, which takes them all).
	inboundSweptBefore time.Time
}

// inboundSweepOverlap is how far each look for stale inbound activities reaches back past the end
// of the one before: an activity's arrival time is taken before its insert, so one committed while
// a look read can carry a time that look already covered.
const inboundSweepOverlap = 2 * time.Minute

// NewSweeper returns a sweeper that, every interval, re-enqueues rows last handed to the broker more
// than lease ago. A zero interval or lease takes the default.
func NewSweeper(st *store.Store, dispatcher *Dispatcher, interval, lease time.Duration, logger *slog.Logger) *Sweeper {
	if interval <= 0 {
		interval = DefaultSweepInterval
	}
	if lease <= 0 {
		lease = DefaultSweepLease
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Sweeper{store: st, dispatcher: dispatcher, interval: interval, lease: lease, logger: logger}
}

// Run sweeps everything not dead at once (the embedded broker starts empty after every restart), then
// the rows whose lease ran out every interval, until ctx ends.
func (s *Sweeper) Run(ctx context.Context) {
	s.sweepLogged(ctx, time.Now())
	every(ctx, s.interval, func() { s.sweepLogged(ctx, time.Now().Add(-s.lease)) })
}

func (s *Sweeper) sweepLogged(ctx context.Context, before time.Time) {
	count, err := s.Sweep(ctx, before)
	if err != nil && ctx.Err() == nil {
		s.logger.WarnContext(ctx, "outbox sweep stopped", slog.Int("enqueued", count), slog.Any("error", err))
		return
	}
	if count > 0 {
		s.logger.InfoContext(ctx, "outbox sweep enqueued tasks", slog.Int("enqueued", count))
	}
}

// Sweep hands every live row not enqueued since before to the broker, page by page, and returns how
// many the broker took (rows it already held count too: it refused them by task id).
func (s *Sweeper) Sweep(ctx context.Context, before time.Time) (int, error) {
	// Marks are written in the background (dispatcher.go): the ones this process handed over are
	// written before the sweep reads, so that it does not take a task its own process enqueued a
	// moment ago for one the broker lost (under load the mark could still be waiting); and the next
	// sweep must find the rows this one enqueued marked.
	s.dispatcher.Flush()
	defer s.dispatcher.Flush()
	// Inbound activities' tasks have no rows while all goes well: those still pending after the
	// lease get rows first, which the loop below then enqueues like any other.
	if err := s.recordStaleInbound(ctx, before); err != nil {
		return 0, err
	}
	total := 0
	afterID := ""
	for {
		rows, err := s.store.TasksToSweep(ctx, before, afterID, sweepPageSize)
		if err != nil {
			return total, err
		}
		if len(rows) == 0 {
			return total, nil
		}
		total += s.dispatcher.enqueue(ctx, rows)
		afterID = rows[len(rows)-1].ID
		if len(rows) < sweepPageSize {
			return total, nil
		}
	}
}

// recordStaleInbound gives rows to the tasks of the inbound activities received before before and
// still pending without one. Only those received since the last look (less the overlap) need a
// look: one pending when a look covered its arrival got a row then, and a row keeps it in the
// outbox sweep until it settles. So a backlog older than the lease is not read again every interval
// (the first look, at the worker's start, reads every pending activity).
func (s *Sweeper) recordStaleInbound(ctx context.Context, before time.Time) error {
	s.inboundMu.Lock()
	defer s.inboundMu.Unlock()
	var since time.Time
	if !s.inboundSweptBefore.IsZero() {
		since = s.inboundSweptBefore.Add(-inboundSweepOverlap)
	}
	if _, err := s.store.RecordStaleInboundTasks(ctx, since, before, tasks.NewProcessInboundTask, sweepPageSize); err != nil {
		return err
	}
	if before.After(s.inboundSweptBefore) {
		s.inboundSweptBefore = before
	}
	return nil
}
