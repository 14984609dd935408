package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// DefaultRedisURL is the Redis the tests use unless KRING_TEST_REDIS_URL says otherwise.
const DefaultRedisURL = "redis://127.0.0.1:6379/0"

const (
	// Database 0 holds only the claim keys; tests get databases 1 to 15.
	firstTestRedisDB = 1
	lastTestRedisDB  = 15
	// A claim outlives any sane test but frees itself if a test binary is killed before cleanup.
	redisClaimTTL = 30 * time.Minute
	// How long a test waits for another package's test to release a database.
	redisClaimWait = 2 * time.Minute
)

// RedisURL is the KRING_REDIS_URL of a database Redis claimed, for the Kring processes a test starts.
func RedisURL(opt asynq.RedisClientOpt) string {
	return fmt.Sprintf("redis://%s/%d", opt.Addr, opt.DB)
}

// Redis claims a Redis database of its own for the test, empties it, and returns how to connect to it.
// The database is emptied and released when the test ends. Packages run in parallel by go test claim
// different databases, so their queues never meet.
func Redis(t testing.TB) asynq.RedisClientOpt {
	t.Helper()
	rawURL := os.Getenv("KRING_TEST_REDIS_URL")
	if rawURL == "" {
		rawURL = DefaultRedisURL
	}
	base, err := redis.ParseURL(rawURL)
	if err != nil {
		t.Fatalf("KRING_TEST_REDIS_URL %q is not a Redis URL: %v", rawURL, err)
	}
	ctx := context.Background()

	lockOpts := *base
	lockOpts.DB = 0
	locks := redis.NewClient(&lockOpts)
	t.Cleanup(func() { _ = locks.Close() })
	if err := locks.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis at %s is unreachable (%v): start Redis: scripts/test does it, or set KRING_TEST_REDIS_URL", base.Addr, err)
	}

	token := claimToken(t)
	db, lockKey := claimRedisDB(ctx, t, locks, token)

	dbOpts := *base
	dbOpts.DB = db
	client := redis.NewClient(&dbOpts)
	flush := func() {
		if err := client.FlushDB(ctx).Err(); err != nil {
			t.Errorf("empty Redis database %d: %v", db, err)
		}
	}
	flush()
	t.Cleanup(func() {
		flush()
		_ = client.Close()
		// Release only our own claim: after an expiry another test may hold the key.
		release := redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)
		if err := release.Run(ctx, locks, []string{lockKey}, token).Err(); err != nil {
			t.Errorf("release Redis database %d: %v", db, err)
		}
	})

	return asynq.RedisClientOpt{
		Network:   base.Network,
		Addr:      base.Addr,
		Username:  base.Username,
		Password:  base.Password,
		DB:        db,
		TLSConfig: base.TLSConfig,
	}
}

// claimRedisDB takes the first free database index, waiting for one to be released if all are taken.
func claimRedisDB(ctx context.Context, t testing.TB, locks *redis.Client, token string) (int, string) {
	t.Helper()
	deadline := time.Now().Add(redisClaimWait)
	for {
		for db := firstTestRedisDB; db <= lastTestRedisDB; db++ {
			key := fmt.Sprintf("kring-test:redis-db-claim:%d", db)
			ok, err := locks.SetNX(ctx, key, token, redisClaimTTL).Result()
			if err != nil {
				t.Fatalf("claim Redis database %d: %v", db, err)
			}
			if ok {
				return db, key
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("all Redis databases %d-%d stayed claimed by other tests for %s; if no tests are running, delete the kring-test:redis-db-claim:* keys in database 0",
				firstTestRedisDB, lastTestRedisDB, redisClaimWait)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func claimToken(t testing.TB) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("make Redis claim token: %v", err)
	}
	return fmt.Sprintf("%d-%s", os.Getpid(), hex.EncodeToString(b))
}
