// Package scaleout measures a fan-out with Kring scaled out on one machine (test/scale's cluster): a
// member's post to a group with 10,000 followers on 1,000 hosts, from the POST at the balancer until
// the group's Announce has reached every host, with 1 serve + 1 worker and with 2 serve + 3 worker
// processes of the built binary (each worker at its default of 20 tasks), three rounds each.
//
//	go test -run '^$' -bench . -benchtime 1x -timeout 20m ./bench/scaleout
//
// It needs PostgreSQL and Redis as the tests do (KRING_TEST_DATABASE_URL, KRING_TEST_REDIS_URL).
package scaleout

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/kring-social/kring/bench/limits"
	"github.com/kring-social/kring/test/scale"
)

const (
	hosts            = 1000
	followersPerHost = 10
	rounds           = 3
)

func BenchmarkScaleOutFanOut(b *testing.B) {
	for _, shape := range []scale.Shape{{Serves: 1, Workers: 1}, {Serves: 2, Workers: 3}} {
		b.Run(fmt.Sprintf("%d-serve-%d-worker", shape.Serves, shape.Workers), func(b *testing.B) {
			for n := 0; n < b.N; n++ {
				fanOutRounds(b, shape)
			}
		})
	}
}

// fanOutRounds starts a cluster of the shape and times rounds fan-outs in it, each a new post.
func fanOutRounds(b *testing.B, shape scale.Shape) {
	sink := scale.NewSink(b, 0)
	c := scale.Start(b, shape)
	member := c.Member(b)
	c.Followers(b, scale.Crowd, hosts, followersPerHost, sink.Port)
	signatures := limits.RSASignaturesPerSecond(member.Key())
	for round := range rounds {
		noteIRI := member.NoteIRI(scale.Crowd, round)
		sink.Watch(noteIRI)
		start := time.Now()
		if status, _ := member.Post(b, c, scale.Crowd, round); status != http.StatusAccepted {
			b.Fatalf("the member's post: status %d", status)
		}
		if err := sink.WaitReached(hosts, 5*time.Minute); err != nil {
			b.Fatal(err)
		}
		c.WaitDeliveriesSettled(b, hosts*(round+1), time.Minute)
		arrivals := sink.Arrivals()
		duplicates := 0
		for _, times := range arrivals {
			duplicates += len(times) - 1
		}
		first := scale.FirstArrivals(arrivals, start)
		last := first[len(first)-1]
		rate := float64(len(first)) / last.Seconds()
		b.ReportMetric(float64(last.Milliseconds()), fmt.Sprintf("round%d-last-host-ms", round+1))
		b.ReportMetric(rate, fmt.Sprintf("round%d-deliveries/s", round+1))
		b.Logf("%d serve + %d worker, round %d: %d hosts (%d followers): first Announce at %s, p50 %s, last %s; %.0f deliveries/s, %.2f of the %.0f RSA-2048 signatures/s measured; %d duplicates",
			shape.Serves, shape.Workers, round+1, len(first), len(first)*followersPerHost, round2(first[0]), round2(first[len(first)/2]),
			round2(last), rate, rate/signatures, signatures, duplicates)
		if duplicates > 0 {
			b.Errorf("%d duplicate deliveries with no process killed", duplicates)
		}
	}
}

func round2(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
