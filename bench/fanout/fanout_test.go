// Package fanout measures Kring's delivery engine: one activity fanned out to a group's followers on
// many hosts, planned in one transaction, delivered by real workers (asynq on Redis, PostgreSQL)
// through the real HTTP client to a loopback sink, every request signed with RSA-2048. The figure
// that matters is deliveries per second against what the machine can sign per second, measured in
// the same run: one signature per inbox is unavoidable, so signing is the limit.
// BenchmarkRealPathAnnounce times the whole path a member's post takes: from the Create's POST to
// the group's inbox until the last follower's server has the group's Announce.
//
//	go test -run '^$' -bench . -benchtime 1x ./bench/fanout
package fanout

import (
	"context"
	"net/url"
	"runtime"
	"testing"
	"time"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

func BenchmarkFanOut10000Followers1000Hosts(b *testing.B) {
	benchFanOut(b, followerCount, hostCount)
}
func BenchmarkFanOut10000Followers10000Hosts(b *testing.B) { benchFanOut(b, followerCount, 10000) }

func benchFanOut(b *testing.B, followers, hosts int) {
	ctx := context.Background()
	st := testenv.PostgresAtFullSize(b)
	redis := testenv.Redis(b)
	sink := newSink(b)
	group := setUpGroup(b, st, followers, hosts, sink.port)
	public, _ := url.Parse("https://kring.example")
	iris := federation.NewIRIs(public)
	client := fetch.NewClient(fetch.Options{UserAgent: "Kring/bench", AllowHTTP: true, Timeout: 30 * time.Second,
		Allow: loopback})
	server, err := workers.NewServer(workers.Config{RedisConnOpt: redis, Store: st, Concurrency: 64, PollInterval: 50 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	server.HandleDeliveries(delivery.NewDeliverer(delivery.DeliverConfig{Store: st, Poster: client, Signers: delivery.NewKeyRing(st, iris)}))
	st.SetTaskDispatcher(server.Dispatcher())
	if err := server.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(server.Shutdown)
	limit := signingLimit(b)
	planner := delivery.Planner{Batch: true}

	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		round := sink.begin(hosts, nil)
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		var planned int
		err := st.Transaction(ctx, func(tx *store.Store) error {
			var err error
			planned, err = planner.ToFollowers(ctx, tx, group, delivery.Activity{IRI: iris.NewActivity(), Type: "Announce",
				GroupID: group.ID, Body: []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Announce"}`)})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		planTime := time.Since(start)
		if err := sink.wait(round, 5*time.Minute); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		rate := float64(planned) / elapsed.Seconds()
		b.ReportMetric(rate, "deliveries/s")
		b.ReportMetric(limit, "signatures/s")
		b.ReportMetric(rate/limit, "ratio-to-signing-limit")
		b.ReportMetric(planTime.Seconds()*1000, "plan-ms")
		b.ReportMetric(float64(after.HeapAlloc)/(1<<20)-float64(before.HeapAlloc)/(1<<20), "heap-growth-MiB")
		b.Logf("%d followers on %d hosts: %d deliveries in %s (planned in %s): %.0f/s = %.2f of the %.0f signatures/s this machine makes",
			followers, hosts, planned, elapsed.Round(time.Millisecond), planTime.Round(time.Millisecond), rate, rate/limit, limit)
	}
}
