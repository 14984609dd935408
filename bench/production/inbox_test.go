// Package production measures Kring in the shape an operator runs it: `kring serve` and `kring
// worker` as separate processes of the built binary, on PostgreSQL and Redis, behind a TLS reverse
// proxy, with a posts table that already holds a year of history (1,000,000 posts), and 200 remote
// actors whose documents are cached. Every figure includes the processing, not only the answer:
// "sustained" is activities accepted and fully processed per second. CPU per activity is read from
// /proc for serve, worker, PostgreSQL and Redis. Each figure is reported with its ratio to the limits
// measured in the same run (RSA-2048 signatures per second, committed single-row inserts per second).
// The benchmark vacuums and analyses its tables before each round, and during it as autovacuum does
// in production (the tests' PostgreSQL runs with autovacuum off): see runAutovacuum.
// BenchmarkProductionFanOut (fanout_test.go) measures a member's post reaching 1,000 hosts over cold
// TLS connections in the same shape.
//
//	go test -run '^$' -bench . -benchtime 1x -timeout 30m ./bench/production
//
// BENCH_PREFILL_POSTS sets the history's size (default 1000000). The benchmark needs PostgreSQL and
// Redis as the tests do (KRING_TEST_DATABASE_URL, KRING_TEST_REDIS_URL).
package production

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/kring-social/kring/bench/limits"
	"github.com/kring-social/kring/test/testenv"
)

const (
	actors        = 200
	prefill       = 1_000_000
	closedBatch   = 6000             // activities per closed-loop run
	openDuration  = 10 * time.Second // how long each open-loop rate is offered
	rampUp        = 2                // the open loop's first seconds, reported apart as well
	processWithin = 10 * time.Minute
)

// runLimits are the machine's limits, measured in the run.
type runLimits struct {
	signatures, inserts float64
}

func BenchmarkProductionInbox(b *testing.B) {
	ctx := context.Background()
	ca := testenv.NewCA(b)
	k := startKringInProduction(b, ca)
	remote := k.cachedActors(b, actors)
	k.prefillPosts(b, prefill, remote)

	sqlDB, err := k.store.DB().DB()
	if err != nil {
		b.Fatal(err)
	}
	var measured runLimits
	if measured.inserts, err = limits.CommittedInsertsPerSecond(ctx, sqlDB, 32); err != nil {
		b.Fatal(err)
	}
	measured.signatures = limits.RSASignaturesPerSecond(remote[0].key)
	b.Logf("limits this run: %.0f RSA-2048 signatures/s, %.0f committed inserts/s", measured.signatures, measured.inserts)

	peak := map[activityKind]float64{} // each kind's closed-loop accept rate, which its open loop is held to
	for _, run := range []struct {
		name    string
		kind    activityKind
		senders int
	}{
		{"direct messages, 32 senders", directMessage, 32},
		{"public posts, 8 senders", publicPost, 8},
		{"public posts, 32 senders", publicPost, 32},
	} {
		b.Run(run.name, func(b *testing.B) {
			for n := 0; n < b.N; n++ {
				accepted := sustained(b, k, ca, measured, signedActivities(b, k, remote, run.kind, closedBatch, fmt.Sprintf("%s-%d", b.Name(), n)), run.senders)
				peak[run.kind] = max(peak[run.kind], accepted)
			}
		})
	}
	// Every sender is past the support inbox's hourly limit by now (each sent 30 direct messages in
	// the closed loop): the open loop's direct messages are a flood the inbox answers without storing
	// them. Its public posts are stored and processed: the overload of work that must be kept.
	for _, open := range []struct {
		name string
		kind activityKind
	}{{"direct messages past the support limit", directMessage}, {"public posts", publicPost}} {
		for _, rate := range []int{500, 2000} {
			b.Run(fmt.Sprintf("open loop, %s, %d per second offered", open.name, rate), func(b *testing.B) {
				for n := 0; n < b.N; n++ {
					offered(b, k, ca, signedActivities(b, k, remote, open.kind, rate*int(openDuration/time.Second),
						fmt.Sprintf("%s-%d", b.Name(), n)), rate, peak[open.kind])
				}
			})
		}
	}
}

// sustained sends requests in a closed loop and waits until every one is processed; it reports the
// accept rate, the sustained rate (accepted and processed) and the CPU each part spent per activity,
// and returns the accept rate.
func sustained(b *testing.B, k *kringInProduction, ca *testenv.CA, measured runLimits, requests []signedRequest, senders int) float64 {
	b.Helper()
	client := senderClient(ca, senders)
	k.settle(b)
	var (
		outcomes    []outcome
		sending     time.Duration
		start, done time.Time
	)
	cpu := k.cpu.during(b, func() {
		start = time.Now()
		outcomes, sending = closedLoop(client, requests, senders)
		done = k.waitProcessed(b, processWithin)
	})
	s := summarise(outcomes)
	if s.other > 0 {
		b.Errorf("%d of %d requests neither accepted nor refused with 503", s.other, len(requests))
	}
	acceptRate := float64(s.accepted) / sending.Seconds()
	sustainedRate := float64(s.accepted) / done.Sub(start).Seconds()
	perActivity := ms(cpu.kringTotal()) / float64(s.accepted)
	b.ReportMetric(acceptRate, "accepts/s")
	b.ReportMetric(sustainedRate, "sustained/s")
	b.ReportMetric(float64(s.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(perActivity, "cpu-ms/activity")
	b.ReportMetric(sustainedRate/measured.inserts, "sustained-ratio-to-insert-limit")
	b.ReportMetric(float64(s.refused), "refused")
	b.Logf("%d activities, %d senders: %d refused with 503; accepted %.0f/s (p50 %s, p99 %s), accepted and processed %.0f/s; "+
		"CPU per activity %.2f ms (%s); sustained as a ratio to %.0f inserts/s: %.2f, to %.0f signatures/s: %.2f",
		len(requests), senders, s.refused, acceptRate, s.p50.Round(time.Millisecond), s.p99.Round(time.Millisecond), sustainedRate,
		perActivity, cpu.perItem(s.accepted), measured.inserts, sustainedRate/measured.inserts, measured.signatures, sustainedRate/measured.signatures)
	return acceptRate
}

// offered sends requests in an open loop at perSecond and reports what was accepted, refused and how
// long the accepted ones took from when they were due.
func offered(b *testing.B, k *kringInProduction, ca *testenv.CA, requests []signedRequest, perSecond int, peak float64) {
	b.Helper()
	client := senderClient(ca, 1024)
	k.settle(b)
	var (
		outcomes []outcome
		took     time.Duration
	)
	handledBefore := readInboxHandling(b, k.serveMetrics)
	cpu := k.cpu.during(b, func() { outcomes, took = openLoop(client, requests, perSecond) })
	handled := readInboxHandling(b, k.serveMetrics).since(handledBefore)
	s := summarise(outcomes)
	// The first seconds include the senders opening hundreds of new TLS connections to the proxy;
	// what follows them is the rate held.
	steady := summarise(append([]outcome(nil), outcomes[min(len(outcomes), rampUp*perSecond):]...))
	acceptRate := float64(s.accepted) / took.Seconds()
	b.ReportMetric(acceptRate, "accepts/s")
	b.ReportMetric(float64(s.refused)/took.Seconds(), "refused/s")
	b.ReportMetric(float64(s.p99.Microseconds())/1000, "p99-ms")
	// The senders and the proxy run on the same cores as Kring: what they take is not Kring's to use.
	benchCores := cpu[benchPart].Seconds() / took.Seconds()
	b.ReportMetric(benchCores, "bench-cores")
	if peak > 0 {
		b.ReportMetric(acceptRate/peak, "ratio-to-closed-loop-peak")
	}
	b.ReportMetric(float64(s.p99Late.Microseconds())/1000, "p99-senders-late-ms")
	b.ReportMetric(float64(s.p99Sent.Microseconds())/1000, "p99-from-sent-ms")
	b.ReportMetric(float64(steady.p99.Microseconds())/1000, "p99-after-ramp-up-ms")
	b.ReportMetric(handled.within(0.1), "serve-answered-within-100ms")
	b.Logf("offered %d/s for %s: accepted %.0f/s (p50 %s, p99 %s from when due; p99 %s from when sent, the senders' own lateness p99 %s; "+
		"after the first %d s: p99 %s, %d refused; the serve's own handling of all %d requests: %.3f within 100 ms, p99 within %s), "+
		"refused with 503 %.0f/s, other %d; closed-loop peak %.0f/s; CPU while offered, per request: %s ms; "+
		"the senders and the proxy took %.2f of %d cores",
		perSecond, took.Round(time.Millisecond), acceptRate, s.p50.Round(time.Millisecond), s.p99.Round(time.Millisecond),
		s.p99Sent.Round(time.Millisecond), s.p99Late.Round(time.Millisecond), rampUp, steady.p99.Round(time.Millisecond), steady.refused,
		handled.count, handled.within(0.1), handled.p99Bound(),
		float64(s.refused)/took.Seconds(), s.other, peak, cpu.perItem(len(requests)), benchCores, runtime.NumCPU())
	if s.other > 0 {
		b.Errorf("%d requests neither accepted nor refused with 503", s.other)
	}
	k.waitProcessed(b, processWithin)
}
