package workers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// InboundLimits bound what one remote actor, and all actors of one server, may have Kring store
// through its inboxes in a window: a number of activities, and bytes at BytesPerActivity times that
// number (real activities are a few KiB; a sender of 1 MiB bodies reaches its byte budget long before
// its count).
type InboundLimits struct {
	Window   time.Duration
	PerActor int
	PerHost  int
}

// BytesPerActivity is the average body size the byte budgets allow for.
const BytesPerActivity = 64 << 10

// DefaultInboundLimits: 300 activities (about 19 MiB) per actor and 6,000 (375 MiB) per server in ten
// minutes. An active member posts, likes and edits far less; a large server with many members in
// Kring's groups stays well inside, and a flood is refused after seconds, not stored for two weeks.
func DefaultInboundLimits() InboundLimits {
	return InboundLimits{Window: 10 * time.Minute, PerActor: 300, PerHost: 6000}
}

// InboundQuota counts stored inbound activities per actor and per host on the broker's Redis, so
// every serve process shares one count, and one script checks and counts atomically: fifty parallel
// requests cannot all pass a limit they each read as not yet reached. Losing Redis's data only
// resets the counts.
type InboundQuota struct {
	client redis.UniversalClient
	limits InboundLimits
	now    func() time.Time
}

// NewInboundQuota counts on the Redis at opt.
func NewInboundQuota(opt asynq.RedisConnOpt, limits InboundLimits) (*InboundQuota, error) {
	client, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		return nil, fmt.Errorf("broker connection %T does not make a Redis client", opt)
	}
	return &InboundQuota{client: client, limits: limits, now: time.Now}, nil
}

// Close releases the connection pool.
func (q *InboundQuota) Close() error { return q.client.Close() }

// takeQuota checks the four counters (actor's activities and bytes, host's activities and bytes)
// of the current window and, only when none would pass its limit, adds this activity to each.
// It answers 0 when taken, else the milliseconds until the window ends; -1, counting nothing, when
// keys follow the four counters and every one of them exists (SupportHolds' notes: the activity is
// a direct message to groups whose support inboxes all hold its actor back, and is not stored).
// The counters' keys are the window's (Take names them by its start): a counter gets its expiry,
// the window's end, when the window's first activity makes it; the counts are read in one MGET.
// Five commands an activity, not twelve.
var takeQuota = redis.NewScript(`
local size = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local limits = {tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])}
local adds = {1, size, 1, size}
if #KEYS > 4 and redis.call("EXISTS", unpack(KEYS, 5)) == #KEYS - 4 then
  return -1
end
local used = redis.call("MGET", KEYS[1], KEYS[2], KEYS[3], KEYS[4])
for i = 1, 4 do
  if tonumber(used[i] or "0") + adds[i] > limits[i] then
    local left = redis.call("PTTL", KEYS[i])
    if left < 1 then left = ttl end
    return left
  end
end
for i = 1, 4 do
  redis.call("INCRBY", KEYS[i], adds[i])
  if not used[i] then
    redis.call("PEXPIRE", KEYS[i], ttl)
  end
end
return 0
`)

// Take counts one activity of size bytes from actorIRI on host. It returns how long the sender
// should wait when a limit is reached, zero when the activity may be stored. An activity that is a
// direct message to the groups with ids heldIn is not counted, and held says so, when SupportHolds
// holds its actor back in every one of them.
func (q *InboundQuota) Take(ctx context.Context, actorIRI, host string, size int, heldIn []string) (wait time.Duration, held bool, err error) {
	window := q.limits.Window.Milliseconds()
	now := q.now().UnixMilli()
	start := now - now%window
	prefix := "kring:inbound-quota:" + strconv.FormatInt(start, 10) + ":"
	actorKey := prefix + "actor:" + actorKeyPart(actorIRI)
	hostKey := prefix + "host:" + host
	keys := make([]string, 4, 4+len(heldIn))
	keys[0], keys[1], keys[2], keys[3] = actorKey+":n", actorKey+":b", hostKey+":n", hostKey+":b"
	for _, groupID := range heldIn {
		keys = append(keys, supportHeldKey(groupID, actorIRI))
	}
	ttl := start + window - now
	answer, err := takeQuota.Run(ctx, q.client, keys, size, ttl,
		q.limits.PerActor, q.limits.PerActor*BytesPerActivity, q.limits.PerHost, q.limits.PerHost*BytesPerActivity).Int64()
	switch {
	case err != nil:
		return 0, false, fmt.Errorf("count inbound activity of %s: %w", actorIRI, err)
	case answer < 0:
		return 0, true, nil
	}
	return time.Duration(answer) * time.Millisecond, false, nil
}

// actorKeyPart names an actor in a Redis key: a digest of its IRI, which may be 2 KiB long.
func actorKeyPart(actorIRI string) string {
	sum := sha256.Sum256([]byte(actorIRI))
	return hex.EncodeToString(sum[:16])
}
