package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueSample is the state of one task queue at a scrape.
type QueueSample struct {
	Queue                                       string
	Pending, Active, Scheduled, Retry, Archived int
	// Latency is how long the oldest pending task has waited.
	Latency time.Duration
}

// QueueReader reads every queue's state from the broker.
type QueueReader func(ctx context.Context) ([]QueueSample, error)

// QueueScrapeTimeout bounds how long a scrape waits for the broker: a scrape that hangs on a dead
// Redis would hide every other metric of the process too.
const QueueScrapeTimeout = 2 * time.Second

var (
	queueTasks = prometheus.NewDesc("kring_queue_tasks",
		"Tasks in each asynq queue by state (pending, active, scheduled, retry, archived), read from the broker at scrape.",
		[]string{"queue", "state"}, nil)
	queueLatency = prometheus.NewDesc("kring_queue_latency_seconds",
		"How long the oldest pending task of each queue has waited.", []string{"queue"}, nil)
	queueUp = prometheus.NewDesc("kring_queue_scrape_success",
		"1 when the broker answered the last scrape's queue query in time, else 0.", nil, nil)
)

// queueCollector reads the queues on each scrape rather than keeping counters: the broker is shared
// by every process, and only it knows the depths.
type queueCollector struct {
	read    QueueReader
	timeout time.Duration
}

// AddQueues reports the queues read reports, on every scrape, within QueueScrapeTimeout.
func (m *Metrics) AddQueues(read QueueReader) error {
	return m.registry.Register(&queueCollector{read: read, timeout: QueueScrapeTimeout})
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueTasks
	ch <- queueLatency
	ch <- queueUp
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	samples, err := c.read(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(queueUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(queueUp, prometheus.GaugeValue, 1)
	for _, s := range samples {
		for state, n := range map[string]int{"pending": s.Pending, "active": s.Active, "scheduled": s.Scheduled,
			"retry": s.Retry, "archived": s.Archived} {
			ch <- prometheus.MustNewConstMetric(queueTasks, prometheus.GaugeValue, float64(n), s.Queue, state)
		}
		ch <- prometheus.MustNewConstMetric(queueLatency, prometheus.GaugeValue, s.Latency.Seconds(), s.Queue)
	}
}
