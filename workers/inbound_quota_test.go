package workers_test

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/kring-social/kring/workers"
)

// The quota counts the same on a real Redis and on the embedded broker: activities and bytes per
// actor and per host, with the wait until the window ends once a limit is reached.
func TestInboundQuotaOnBothBrokers(t *testing.T) {
	t.Parallel()
	onBothBrokers(t, func(t *testing.T, opt asynq.RedisConnOpt) {
		quota, err := workers.NewInboundQuota(opt, workers.InboundLimits{Window: time.Hour, PerActor: 3, PerHost: 5})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = quota.Close() })
		ctx := context.Background()
		take := func(actor, host string, size int) time.Duration {
			t.Helper()
			wait, held, err := quota.Take(ctx, actor, host, size, nil)
			if err != nil || held {
				t.Fatalf("take: held %v, %v", held, err)
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
		wantKeysExpiring(t, opt, "kring:inbound-quota:*", 10, 0, time.Hour,
			"quota counters: the activities and bytes of three actors and of their two hosts, each ending within the hour's window")
	})
}

// A worker's note that a member is over a group's support limit reaches the quota's script on both
// brokers: a direct message from her to that group, or to several groups that all hold her back, is
// held and not counted; one to a group that does not hold her back is counted as any activity; the
// note ends when the limit lifts, and one already past is not written.
func TestSupportHoldsReachTheQuotaOnBothBrokers(t *testing.T) {
	t.Parallel()
	onBothBrokers(t, func(t *testing.T, opt asynq.RedisConnOpt) {
		ctx := context.Background()
		quota, err := workers.NewInboundQuota(opt, workers.InboundLimits{Window: time.Hour, PerActor: 2, PerHost: 100})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = quota.Close() })
		holds, err := workers.NewSupportHolds(opt, testLogger())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = holds.Close() })
		dave, other := "https://d.example/users/dave", "https://d.example/users/erin"
		holds.HoldBack(ctx, "group-1", dave, time.Now().Add(30*time.Minute))
		holds.HoldBack(ctx, "group-2", dave, time.Now().Add(30*time.Minute))
		holds.HoldBack(ctx, "group-3", dave, time.Now().Add(-time.Second))
		take := func(actor string, heldIn ...string) (time.Duration, bool) {
			t.Helper()
			wait, held, err := quota.Take(ctx, actor, "d.example", 1000, heldIn)
			if err != nil {
				t.Fatal(err)
			}
			return wait, held
		}
		for i := range 5 {
			if wait, held := take(dave, "group-1"); !held || wait != 0 {
				t.Fatalf("dave's message %d to group-1: held %v, wait %v; want held", i, held, wait)
			}
			if _, held := take(dave, "group-2", "group-1"); !held {
				t.Fatalf("dave's message %d to both groups holding him back: not held", i)
			}
		}
		for _, heldIn := range [][]string{{"group-1", "group-3"}, {"group-3"}} {
			if wait, held := take(dave, heldIn...); held || wait != 0 {
				t.Fatalf("dave's message to %v: held %v, wait %v; want taken (the held ones were not counted)", heldIn, held, wait)
			}
		}
		if wait, _ := take(dave); wait == 0 {
			t.Fatal("dave's third counted activity was taken: his quota is two")
		}
		if _, held := take(other, "group-1"); held {
			t.Fatal("erin's message held by dave's note")
		}
		wantKeysExpiring(t, opt, "kring:support-held:*", 2, 29*time.Minute, 30*time.Minute,
			"notes: dave's two, each ending when his limit lifts, in 30 minutes")
	})
}

// wantKeysExpiring checks that exactly want keys on the broker match pattern, and that each expires
// in more than after and at most upTo; what says what they are.
func wantKeysExpiring(t *testing.T, opt asynq.RedisConnOpt, pattern string, want int, after, upTo time.Duration, what string) {
	t.Helper()
	ctx := context.Background()
	client, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		t.Fatalf("%T makes no Redis client", opt)
	}
	t.Cleanup(func() { _ = client.Close() })
	keys, err := client.Keys(ctx, pattern).Result()
	if err != nil || len(keys) != want {
		t.Fatalf("%s: %d keys %v (%v), want %d", what, len(keys), keys, err, want)
	}
	for _, key := range keys {
		if left, err := client.PTTL(ctx, key).Result(); err != nil || left <= after || left > upTo {
			t.Errorf("%s: %s expires in %v (%v), want in more than %v and at most %v", what, key, left, err, after, upTo)
		}
	}
}
