package workers

import (
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/tasks"
)

// QueueStats is the state of one queue, for readiness pages and metrics.
type QueueStats struct {
	Queue     string
	Pending   int
	Active    int
	Scheduled int
	Retry     int
	Archived  int
	Latency   time.Duration // age of the oldest pending task
}

// Inspector reads queue state from the broker.
type Inspector struct {
	asynq *asynq.Inspector
}

// NewInspector connects an inspector to the broker at opt.
func NewInspector(opt asynq.RedisConnOpt) *Inspector {
	return &Inspector{asynq: asynq.NewInspector(opt)}
}

// QueueStats returns the state of every queue of QueuePriorities, zero for a queue the broker has not
// seen a task on yet.
func (i *Inspector) QueueStats() ([]QueueStats, error) {
	known, err := i.asynq.Queues()
	if err != nil {
		return nil, fmt.Errorf("list broker queues: %w", err)
	}
	seen := make(map[string]bool, len(known))
	for _, q := range known {
		seen[q] = true
	}
	stats := make([]QueueStats, 0, len(QueuePriorities()))
	for _, queue := range []string{tasks.QueueInbound, tasks.QueueDeliveries, tasks.QueueMaintenance} {
		if !seen[queue] {
			stats = append(stats, QueueStats{Queue: queue})
			continue
		}
		info, err := i.asynq.GetQueueInfo(queue)
		if err != nil {
			return nil, fmt.Errorf("read queue %s: %w", queue, err)
		}
		stats = append(stats, QueueStats{
			Queue: queue, Pending: info.Pending, Active: info.Active, Scheduled: info.Scheduled,
			Retry: info.Retry, Archived: info.Archived, Latency: info.Latency,
		})
	}
	return stats, nil
}

// Close releases the inspector's connection.
func (i *Inspector) Close() error { return i.asynq.Close() }
