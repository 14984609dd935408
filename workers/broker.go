package workers

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// EmbeddedBroker is an in-process Redis for the embedded default. It keeps nothing across a restart;
// the outbox table is the durable record and the sweeper refills it at start.
type EmbeddedBroker struct {
	redis *miniredis.Miniredis
}

// StartEmbeddedBroker listens on a random loopback port.
func StartEmbeddedBroker() (*EmbeddedBroker, error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start embedded broker: %w", err)
	}
	return &EmbeddedBroker{redis: m}, nil
}

// Addr is the host:port the broker listens on.
func (b *EmbeddedBroker) Addr() string { return b.redis.Addr() }

// RedisConnOpt connects asynq to the broker.
func (b *EmbeddedBroker) RedisConnOpt() asynq.RedisClientOpt {
	return asynq.RedisClientOpt{Addr: b.redis.Addr()}
}

// Close stops the broker, dropping whatever it held.
func (b *EmbeddedBroker) Close() { b.redis.Close() }

// ParseRedisURL reads KRING_REDIS_URL (redis://, rediss://, redis-socket:// or redis-sentinel://).
func ParseRedisURL(raw string) (asynq.RedisConnOpt, error) {
	opt, err := asynq.ParseRedisURI(raw)
	if err != nil {
		return nil, fmt.Errorf("KRING_REDIS_URL %q is not a usable Redis URL (want redis://[:password@]host:port[/db]): %w",
			redactedURL(raw), err)
	}
	return opt, nil
}

// redactedURL hides a password so an error message never prints it.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// PingTimeout bounds one readiness check of the broker.
const PingTimeout = 2 * time.Second

// BrokerPinger checks the broker answers, for /readyz.
type BrokerPinger struct {
	client redis.UniversalClient
}

// NewBrokerPinger opens a small connection pool to the broker at opt.
func NewBrokerPinger(opt asynq.RedisConnOpt) (*BrokerPinger, error) {
	client, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		return nil, fmt.Errorf("broker connection %T does not make a Redis client", opt)
	}
	return &BrokerPinger{client: client}, nil
}

// Ping sends PING, waiting at most PingTimeout.
func (p *BrokerPinger) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, PingTimeout)
	defer cancel()
	if err := p.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping broker: %w", err)
	}
	return nil
}

// Close releases the connection pool.
func (p *BrokerPinger) Close() error { return p.client.Close() }
