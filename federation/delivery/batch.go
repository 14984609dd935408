package delivery

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
)

// batchParallelism is how many deliveries of one batch are in flight at once. Together with the
// worker's task concurrency it bounds the requests a worker process makes at a time.
const batchParallelism = 8

// batchSettleEvery is how many delivered deliveries of one status a batch settles together while it
// runs; the rest are settled when it ends.
const batchSettleEvery = 10

// Delays for deliveries a batch could not settle, which then go on as tasks of their own: a busy host
// soon, a failure after the first step of the retry backoff (the task's own retries follow).
const (
	busyRetryDelay  = 2 * time.Second
	firstRetryDelay = 30 * time.Second
)

// DeliverBatch makes the first attempt at a batch of a fan-out's deliveries. Deliveries that must be
// tried again (the remote failed, its host was busy, the database failed during the attempt) become
// single-delivery tasks (tasks.NewDeliverActivityTask), with the full retry policy ahead of them;
// what no retry could help is settled by the attempt (see attempt), and deliveries gone or settled
// since are skipped. The batch itself fails only when it cannot read or record its work. Every
// attempt that leaves its delivery pending is logged.
func (d *Deliverer) DeliverBatch(ctx context.Context, ids []string) error {
	deliveries, err := d.cfg.Store.PendingDeliveries(ctx, ids)
	if err != nil {
		return err
	}
	if skipped := len(ids) - len(deliveries); skipped > 0 {
		d.cfg.Logger.InfoContext(ctx, "deliveries of the batch skipped: settled or gone", "skipped", skipped, "batch", len(ids))
	}
	if err := d.learnHosts(ctx, deliveries); err != nil {
		return err
	}
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		retries   []store.NewTask
		delivered = map[int][]string{} // by status: one statement settles each group
	)
	// Delivered deliveries are settled ten at a time as they come, not all when the batch ends: a
	// worker killed mid-batch has its batch run again after asynq's lease, and only what it had
	// delivered but not yet settled (at most ten per status, and those in flight) is sent twice.
	noteDelivered := func(ctx context.Context, delivery model.Delivery, status int) error {
		mu.Lock()
		delivered[status] = append(delivered[status], delivery.ID)
		var settle []string
		if len(delivered[status]) >= batchSettleEvery {
			settle, delivered[status] = delivered[status], nil
		}
		mu.Unlock()
		if settle == nil {
			return nil
		}
		if err := d.cfg.Store.MarkDelivered(ctx, settle, status); err != nil {
			// They were delivered: the batch's last settle tries them again.
			d.logUnsettled(ctx, delivery, err)
			mu.Lock()
			delivered[status] = append(delivered[status], settle...)
			mu.Unlock()
		}
		return nil
	}
	attemptOne := func(delivery model.Delivery) {
		err := d.attempt(ctx, delivery, false, noteDelivered)
		if err == nil {
			return
		}
		task := tasks.NewDeliverActivityTask(delivery.ID)
		var later *RetryLater
		switch {
		case errors.Is(err, ErrHostBusy):
			task.RunAt = d.cfg.Now().Add(busyRetryDelay)
		case errors.As(err, &later) && later.Delay > 0:
			task.RunAt = d.cfg.Now().Add(later.Delay)
		default:
			task.RunAt = d.cfg.Now().Add(firstRetryDelay)
		}
		d.logUnsettled(ctx, delivery, err, slog.Time("retry_at", task.RunAt))
		mu.Lock()
		retries = append(retries, task)
		mu.Unlock()
	}
	// batchParallelism goroutines take the deliveries in turn: the stack a goroutine grows for its
	// first attempt (signing, the TLS handshake) serves its next ones, where a goroutine for each
	// delivery grew a new one every time.
	queue := make(chan model.Delivery)
	for range min(batchParallelism, len(deliveries)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for delivery := range queue {
				attemptOne(delivery)
			}
		}()
	}
	for _, delivery := range deliveries {
		queue <- delivery
	}
	close(queue)
	wg.Wait()
	for status, ids := range delivered {
		if len(ids) == 0 {
			continue
		}
		if err := d.cfg.Store.MarkDelivered(ctx, ids, status); err != nil {
			return err
		}
	}
	return d.cfg.Store.RecordTasks(ctx, retries)
}

// learnHosts reads the circuit-breaker records of a batch's hosts in one query and remembers the
// healthy ones, so the attempts need not read them one by one (a fan-out mostly reaches each host
// once, so the cache alone would seldom help).
func (d *Deliverer) learnHosts(ctx context.Context, deliveries []model.Delivery) error {
	hosts := make([]string, 0, len(deliveries))
	for _, delivery := range deliveries {
		if _, known := d.healthy.Get(delivery.Host); !known {
			hosts = append(hosts, delivery.Host)
		}
	}
	if len(hosts) == 0 {
		return nil
	}
	records, err := d.cfg.Store.RemoteHostsByName(ctx, hosts)
	if err != nil {
		return err
	}
	troubled := map[string]bool{}
	for _, r := range records {
		troubled[r.Host] = r.ConsecutiveFailures > 0 || r.UnreachableSince != nil
	}
	for _, host := range hosts {
		if !troubled[host] {
			d.healthy.Put(host, true)
		}
	}
	return nil
}
