package workers_test

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

// The quota counts the same on a real Redis and on the embedded broker: activities and bytes per
// actor and per host, with the wait until the window ends once a limit is reached.
func TestInboundQuotaOnBothBrokers(t *testing.T) {
	t.Parallel()
	embedded, err := workers.StartEmbeddedBroker()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(embedded.Close)
	for name, opt := range map[string]asynq.RedisConnOpt{"redis": testenv.Redis(t), "embedded": embedded.RedisConnOpt()} {
		t.Run(name, func(t *testing.T) {
			quota, err := workers.NewInboundQuota(opt, workers.InboundLimits{Window: time.Hour, PerActor: 3, PerHost: 5})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = quota.Close() })
			ctx := context.Background()
			take := func(actor, host string, size int) time.Duration {
				t.Helper()
				wait, err := quota.Take(ctx, actor, host, size)
				if err != nil {
					t.Fatal(err)
				}
				return wait
			}
			for i := range 3 {
				if wait := take("https://a.example/users/alice", "a.example", 1000); wait != 0 {
					t.Fatalf("alice's activity %d refused", i)
				}
			}
			if wait := take("https://a.example/users/alice", "a.example", 1000); wait <= 0 || wait > time.Hour {
				t.Fatalf("alice's fourth activity: wait %v, want the rest of the hour", wait)
			}
			// Bob, on the same host, has the host's two left.
			for i := range 2 {
				if take("https://a.example/users/bob", "a.example", 1000) != 0 {
					t.Fatalf("bob's activity %d refused", i)
				}
			}
			if take("https://a.example/users/bob", "a.example", 1000) == 0 {
				t.Fatal("the host's sixth activity was taken")
			}
			// Bytes count too: three activities' budget is 192 KiB, which one large body can spend.
			if take("https://b.example/users/carol", "b.example", 150<<10) != 0 {
				t.Fatal("carol's first large activity refused")
			}
			if take("https://b.example/users/carol", "b.example", 100<<10) == 0 {
				t.Fatal("carol's bytes went past her budget")
			}
			if take("https://b.example/users/carol", "b.example", 10<<10) != 0 {
				t.Fatal("a refused activity was counted")
			}
			// Every counter ends with its window, however many activities added to it.
			client, ok := opt.MakeRedisClient().(redis.UniversalClient)
			if !ok {
				t.Fatalf("%T makes no Redis client", opt)
			}
			t.Cleanup(func() { _ = client.Close() })
			counters, err := client.Keys(ctx, "kring:inbound-quota:*").Result()
			if err != nil || len(counters) != 10 {
				t.Fatalf("quota counters %v (%v), want 10: the activities and bytes of three actors and of their two hosts", counters, err)
			}
			for _, key := range counters {
				if left, err := client.PTTL(ctx, key).Result(); err != nil || left <= 0 || left > time.Hour {
					t.Errorf("counter %s expires in %v (%v), want within the hour's window", key, left, err)
				}
			}
		})
	}
}
