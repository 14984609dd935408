package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kring-social/kring/app/model"
)

// QueueBacklog is the outbox's view of one queue: tasks due and waiting, tasks due later, tasks out
// of retries, and when the longest-waiting due task was due. The outbox holds every task not yet
// done, whichever process or broker has it, so these figures agree across processes.
type QueueBacklog struct {
	Queue       string
	Due         int64
	Later       int64
	Dead        int64
	OldestDueAt *time.Time
}

// QueueBacklogs sums the outbox per queue, as of now, counting the inbound activities pending
// without a row of their own (model.QueuedTask.Unrecorded) as due on inboundQueue, since received.
func (s *Store) QueueBacklogs(ctx context.Context, inboundQueue string) ([]QueueBacklog, error) {
	now := s.now()
	type row struct {
		Queue       string
		Due, Later  int64
		Dead        int64
		OldestDueAt *string
	}
	var rows []row
	// MIN of a timestamp comes back as text on SQLite, so it is read as text and parsed below.
	err := scan(s.conn(ctx).Model(&model.QueuedTask{}).Select(
		"queue, "+
			"SUM(CASE WHEN dead_at IS NULL AND run_at <= ? THEN 1 ELSE 0 END) AS due, "+
			"SUM(CASE WHEN dead_at IS NULL AND run_at > ? THEN 1 ELSE 0 END) AS later, "+
			"SUM(CASE WHEN dead_at IS NOT NULL THEN 1 ELSE 0 END) AS dead, "+
			"MIN(CASE WHEN dead_at IS NULL AND run_at <= ? THEN run_at END) AS oldest_due_at", now, now, now).
		Group("queue").Order("queue"), &rows)
	if err != nil {
		return nil, fmt.Errorf("sum the task outbox by queue: %w", err)
	}
	var inbound row
	err = scan(s.conn(ctx).Model(&model.InboundActivity{}).Select("COUNT(*) AS due, MIN(received_at) AS oldest_due_at").
		Where("state = ? AND NOT EXISTS (SELECT 1 FROM queued_tasks WHERE queued_tasks.id = inbound_activities.id)", model.InboundPending),
		&inbound)
	if err != nil {
		return nil, fmt.Errorf("count the inbound activities pending: %w", err)
	}
	if i := slices.IndexFunc(rows, func(r row) bool { return r.Queue == inboundQueue }); i >= 0 {
		rows[i].Due += inbound.Due
		rows[i].OldestDueAt = earliestDBTime(rows[i].OldestDueAt, inbound.OldestDueAt)
	} else if inbound.Due > 0 {
		inbound.Queue = inboundQueue
		rows = append(rows, inbound)
		slices.SortFunc(rows, func(a, b row) int { return strings.Compare(a.Queue, b.Queue) })
	}
	out := make([]QueueBacklog, 0, len(rows))
	for _, r := range rows {
		backlog := QueueBacklog{Queue: r.Queue, Due: r.Due, Later: r.Later, Dead: r.Dead}
		if r.OldestDueAt != nil {
			if at, ok := parseDBTime(*r.OldestDueAt); ok {
				backlog.OldestDueAt = &at
			}
		}
		out = append(out, backlog)
	}
	return out, nil
}

// earliestDBTime is the earlier of two timestamps read as text, either of which may be missing.
func earliestDBTime(a, b *string) *string {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	atA, okA := parseDBTime(*a)
	atB, okB := parseDBTime(*b)
	if okB && (!okA || atB.Before(atA)) {
		return b
	}
	return a
}

// parseDBTime reads a timestamp as either database writes it as text.
func parseDBTime(text string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if at, err := time.Parse(layout, text); err == nil {
			return at.UTC(), true
		}
	}
	return time.Time{}, false
}

// TroubledHost is a host with failures on record: the circuit breaker's row and the deliveries to it
// still pending.
type TroubledHost struct {
	model.RemoteHost
	PendingDeliveries int64
}

// TroubledHosts lists hosts that are failing or marked unreachable, unreachable ones first, then by
// their failure streak; at most limit.
func (s *Store) TroubledHosts(ctx context.Context, limit int) ([]TroubledHost, error) {
	var hosts []model.RemoteHost
	err := s.conn(ctx).Where("consecutive_failures > 0 OR unreachable_since IS NOT NULL").
		Order("CASE WHEN unreachable_since IS NULL THEN 1 ELSE 0 END, consecutive_failures DESC, host").
		Limit(limit).Find(&hosts).Error
	if err != nil {
		return nil, fmt.Errorf("list troubled hosts: %w", err)
	}
	out := make([]TroubledHost, len(hosts))
	names := make([]string, len(hosts))
	for i, h := range hosts {
		out[i].RemoteHost, names[i] = h, h.Host
	}
	if len(names) == 0 {
		return out, nil
	}
	var counts []struct {
		Host string
		N    int64
	}
	err = scan(s.conn(ctx).Model(&model.Delivery{}).Select("host, COUNT(*) AS n").
		Where("host IN ? AND state = ?", names, model.DeliveryPending).Group("host"), &counts)
	if err != nil {
		return nil, fmt.Errorf("count pending deliveries of troubled hosts: %w", err)
	}
	pending := make(map[string]int64, len(counts))
	for _, c := range counts {
		pending[c.Host] = c.N
	}
	for i := range out {
		out[i].PendingDeliveries = pending[out[i].Host]
	}
	return out, nil
}

// HostFailures is how many deliveries to one host were given up since a time.
type HostFailures struct {
	Host    string
	GaveUp  int64
	LastErr string
}

// DeliveriesGivenUpByHost counts, per host, the deliveries failed or abandoned since since, most
// first; at most limit hosts.
func (s *Store) DeliveriesGivenUpByHost(ctx context.Context, since time.Time, limit int) ([]HostFailures, error) {
	var rows []HostFailures
	err := scan(s.conn(ctx).Model(&model.Delivery{}).Select("host, COUNT(*) AS gave_up, MAX(last_error) AS last_err").
		Where("state IN ? AND updated_at >= ?", []model.DeliveryState{model.DeliveryFailed, model.DeliveryAbandoned}, dbTime(since)).
		Group("host").Order("gave_up DESC, host").Limit(limit), &rows)
	if err != nil {
		return nil, fmt.Errorf("count deliveries given up by host: %w", err)
	}
	return rows, nil
}

// LiftHostUnreachable ends a host's unreachable mark, keeping its history: its next delivery is
// tried, and a failure then marks it again at once if its streak still says so. ErrNotFound when the
// host has no record.
func (s *Store) LiftHostUnreachable(ctx context.Context, host string) error {
	result := s.conn(ctx).Model(&model.RemoteHost{}).Where("host = ?", host).
		Updates(map[string]any{"unreachable_since": nil, "next_probe_at": nil, "updated_at": s.now()})
	if result.Error != nil {
		return fmt.Errorf("lift unreachable mark of %s: %w", host, result.Error)
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("lift unreachable mark of %s: %w", host, ErrNotFound)
	}
	return nil
}

// ForgetHost deletes a host's circuit-breaker record: it is treated as never having failed.
func (s *Store) ForgetHost(ctx context.Context, host string) error {
	result := s.conn(ctx).Where("host = ?", host).Delete(&model.RemoteHost{})
	if result.Error != nil {
		return fmt.Errorf("forget host %s: %w", host, result.Error)
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("forget host %s: %w", host, ErrNotFound)
	}
	return nil
}

// PendingDeliveryIDsOfHost lists the pending deliveries to host, at most limit.
func (s *Store) PendingDeliveryIDsOfHost(ctx context.Context, host string, limit int) ([]string, error) {
	var ids []string
	err := s.conn(ctx).Model(&model.Delivery{}).Where("host = ? AND state = ?", host, model.DeliveryPending).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("list pending deliveries of %s: %w", host, err)
	}
	return ids, nil
}

// DeadTasks lists tasks that ran out of retries, most recent first; at most limit.
func (s *Store) DeadTasks(ctx context.Context, limit int) ([]model.QueuedTask, error) {
	var rows []model.QueuedTask
	if err := s.conn(ctx).Where("dead_at IS NOT NULL").Order("dead_at DESC, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list dead tasks: %w", err)
	}
	return rows, nil
}

// ReviveDeadTask gives a dead task a fresh set of retries, due now and not yet handed to the broker,
// so the sweeper enqueues it if nothing else does. ErrNotFound unless the task is dead.
func (s *Store) ReviveDeadTask(ctx context.Context, id string) (model.QueuedTask, error) {
	result := s.conn(ctx).Model(&model.QueuedTask{}).Where("id = ? AND dead_at IS NOT NULL", id).
		Updates(map[string]any{"dead_at": nil, "attempts": 0, "enqueued_at": nil, "run_at": s.now()})
	if result.Error != nil {
		return model.QueuedTask{}, fmt.Errorf("revive task %s: %w", id, result.Error)
	}
	if result.RowsAffected == 0 {
		return model.QueuedTask{}, fmt.Errorf("revive task %s: %w", id, ErrNotFound)
	}
	return s.FindTask(ctx, id)
}

// DiscardDeadTask deletes a dead task from the outbox, and settles as failed the inbound activity it
// processed, if any. ErrNotFound unless the task is dead.
func (s *Store) DiscardDeadTask(ctx context.Context, id string) (model.QueuedTask, error) {
	var row model.QueuedTask
	if err := s.conn(ctx).Where("id = ? AND dead_at IS NOT NULL", id).Take(&row).Error; err != nil {
		return model.QueuedTask{}, fmt.Errorf("find dead task %s: %w", id, notFoundAs(err))
	}
	err := s.Transaction(ctx, func(tx *Store) error {
		if err := tx.failInboundOfTasks(ctx, "its task was discarded after its retries ran out: "+row.LastError, "id = ? AND dead_at IS NOT NULL", id); err != nil {
			return err
		}
		return tx.conn(ctx).Where("id = ? AND dead_at IS NOT NULL", id).Delete(&model.QueuedTask{}).Error
	})
	if err != nil {
		return model.QueuedTask{}, fmt.Errorf("discard task %s: %w", id, err)
	}
	return row, nil
}
