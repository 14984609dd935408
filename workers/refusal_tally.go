package workers

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// RefusalTally keeps the inbox's refusals per reason and hour on the broker's Redis, for the admin's
// federation health page. Redis rather than a table: refusals come in floods (an unsigned spammer,
// a blocked server retrying), and an inbox that answers a flood cheaply must not write a database
// row per refusal. Each serve process counts in memory and adds its counts to Redis every
// tallyFlushInterval, one hash per hour, kept 25 hours: at most 25 keys of a dozen fields, whatever
// the traffic. Losing Redis's data loses at most a day of these counts, which is all they are.
type RefusalTally struct {
	client redis.UniversalClient
	now    func() time.Time

	mu      sync.Mutex
	pending map[string]int64

	stop chan struct{}
	done chan struct{}
}

const (
	tallyFlushInterval = 10 * time.Second
	tallyKeep          = 25 * time.Hour
	tallyKeyPrefix     = "kring:inbox-refusals:"
)

// NewRefusalTally tallies on the Redis at opt; Start begins flushing, Close ends it.
func NewRefusalTally(opt asynq.RedisConnOpt) (*RefusalTally, error) {
	client, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		return nil, fmt.Errorf("broker connection %T does not make a Redis client", opt)
	}
	return &RefusalTally{client: client, now: time.Now, pending: map[string]int64{}}, nil
}

// InboxRefused counts a refusal, in memory until the next flush.
func (t *RefusalTally) InboxRefused(reason string) {
	t.mu.Lock()
	t.pending[reason]++
	t.mu.Unlock()
}

// InboxAccepted is not tallied: the metrics count accepted activities.
func (t *RefusalTally) InboxAccepted(bool) {}

// Start flushes every tallyFlushInterval until Close.
func (t *RefusalTally) Start() {
	t.stop, t.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(t.done)
		ticker := time.NewTicker(tallyFlushInterval)
		defer ticker.Stop()
		for {
			select {
			case <-t.stop:
				return
			case <-ticker.C:
				_ = t.Flush(context.Background())
			}
		}
	}()
}

// Flush adds the counts kept in memory to the current hour's hash. Counts that fail to reach Redis
// are put back for the next flush.
func (t *RefusalTally) Flush(ctx context.Context) error {
	t.mu.Lock()
	counts := t.pending
	t.pending = map[string]int64{}
	t.mu.Unlock()
	if len(counts) == 0 {
		return nil
	}
	key := tallyKey(t.now())
	_, err := t.client.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		for reason, n := range counts {
			pipe.HIncrBy(ctx, key, reason, n)
		}
		pipe.Expire(ctx, key, tallyKeep)
		return nil
	})
	if err != nil {
		t.mu.Lock()
		for reason, n := range counts {
			t.pending[reason] += n
		}
		t.mu.Unlock()
		return fmt.Errorf("tally inbox refusals: %w", err)
	}
	return nil
}

// RefusalsLastDay sums the refusals per reason over the last 24 hours (the current hour and the 23
// before it), as flushed so far.
func (t *RefusalTally) RefusalsLastDay(ctx context.Context) (map[string]int64, error) {
	now := t.now()
	pipe := t.client.Pipeline()
	hours := make([]*redis.MapStringStringCmd, 24)
	for i := range hours {
		hours[i] = pipe.HGetAll(ctx, tallyKey(now.Add(-time.Duration(i)*time.Hour)))
	}
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return nil, fmt.Errorf("read inbox refusals: %w", err)
	}
	total := map[string]int64{}
	for _, hour := range hours {
		for reason, value := range hour.Val() {
			var n int64
			if _, err := fmt.Sscan(value, &n); err == nil {
				total[reason] += n
			}
		}
	}
	return total, nil
}

// Pending is what has not been flushed yet (for tests).
func (t *RefusalTally) Pending() map[string]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.pending)
}

// Close stops flushing, flushes what is left and releases the connection.
func (t *RefusalTally) Close() error {
	if t.stop != nil {
		close(t.stop)
		<-t.done
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	flushErr := t.Flush(ctx)
	if err := t.client.Close(); err != nil {
		return err
	}
	return flushErr
}

func tallyKey(at time.Time) string { return tallyKeyPrefix + at.UTC().Format("2006010215") }
