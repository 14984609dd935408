package workers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
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

// ParseRedisURL reads KRING_REDIS_URL (redis://, rediss://, redis-socket:// or redis-sentinel://,
// the last in the form parseSentinelURL describes).
func ParseRedisURL(raw string) (asynq.RedisConnOpt, error) {
	var opt asynq.RedisConnOpt
	var err error
	if strings.HasPrefix(raw, "redis-sentinel://") {
		opt, err = parseSentinelURL(raw)
	} else if _, err = url.Parse(raw); err != nil {
		err = errors.New("not a URL") // url.Parse's error quotes the URL, password and all
	} else {
		opt, err = asynq.ParseRedisURI(raw)
	}
	if err != nil {
		return nil, fmt.Errorf("KRING_REDIS_URL %q is not a usable Redis URL (want redis://[:password@]host:port[/db] or "+
			"redis-sentinel://[:password@]host:port[,host:port]/master[?db=N]): %w", redactedURL(raw), err)
	}
	return opt, nil
}

// redactedURL hides a password so an error message never prints it, also in a URL url.Parse
// refuses (a sentinel URL whose last address has no port, say).
func redactedURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "(unparseable URL)"
	}
	authority, path, hasPath := strings.Cut(rest, "/")
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		if user, _, hasPassword := strings.Cut(authority[:at], ":"); hasPassword {
			authority = user + ":xxxxx" + authority[at:]
		}
	}
	if hasPath {
		return scheme + "://" + authority + "/" + path
	}
	return scheme + "://" + authority
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
