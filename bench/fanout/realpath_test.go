package fanout

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

// BenchmarkRealPathAnnounce times a member's post on its whole way through Kring: the author's signed
// Create{Note} POSTed to the group's inbox (verified, stored, acknowledged), processed by the worker
// (posting policy, rate limits, post stored, Announce planned to every follower's inbox) and
// delivered, signed, to 10,000 followers on 1,000 hosts plus the author's own server. The clock
// starts at the POST; each inbox's time is when the group's Announce of the Note first reached it.
func BenchmarkRealPathAnnounce(b *testing.B) {
	// As `kring worker` runs out of the box: KRING_WORKER_CONCURRENCY's default of 20 and the default
	// idle poll, so the figures include the waits of a worker that was idle when the post came.
	b.Run("defaults", func(b *testing.B) { benchRealPath(b, workerShape{concurrency: 20, idlePoll: workers.DefaultIdlePoll}) })
	// The fan-out benchmark's worker (64 tasks, queues checked every 50 ms), for the ratio beside it.
	b.Run("64-tasks-50ms-poll", func(b *testing.B) { benchRealPath(b, workerShape{concurrency: 64, poll: 50 * time.Millisecond}) })
}

func benchRealPath(b *testing.B, shape workerShape) {
	ctx := context.Background()
	st := testenv.PostgresAtFullSize(b)
	redis := testenv.Redis(b)
	sink := newSink(b)
	group := setUpGroup(b, st, followerCount, hostCount, sink.port)
	// Production's limits, except that one author posts b.N times here.
	limits := conversations.DefaultLimits()
	limits.PerActor = max(limits.PerActor, b.N)
	kring := startKring(b, st, redis, shape, limits)
	author := newAuthorServer(b, sink)
	kring.join(b, author, group.Slug)
	// Every distinct inbox the group delivers to: the followers' hosts' shared inboxes and the author's.
	targets, err := st.FollowerInboxes(ctx, group.ID)
	if err != nil {
		b.Fatal(err)
	}
	limit := signingLimit(b)
	groupIRI := kring.iris.GroupActor(group.Slug)
	inboxURL := kring.url + "/groups/" + group.Slug + "/inbox"

	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		body, noteIRI := author.create(n, groupIRI)
		req := author.signedPost(b, inboxURL, body)
		quotedNote := []byte(`"` + noteIRI + `"`) // quoted, so statuses/1 does not match statuses/10
		round := sink.begin(len(targets), func(body []byte) bool {
			return bytes.Contains(body, []byte(`"Announce"`)) && bytes.Contains(body, quotedNote)
		})
		start := time.Now()
		if status := kring.post(b, req); status != http.StatusAccepted {
			b.Fatalf("Create answered %d", status)
		}
		accepted := time.Since(start)
		if err := sink.wait(round, 5*time.Minute); err != nil {
			row, rowErr := st.InboundActivityByIRI(ctx, noteIRI+"/activity")
			b.Fatalf("%v; the Create is %s %q (%v)", err, row.State, row.Error, rowErr)
		}
		took := sink.since(round, start)
		total := took[len(took)-1]
		p50, p99 := percentile(took, 50), percentile(took, 99)
		rate := float64(len(took)) / total.Seconds()
		b.ReportMetric(ms(accepted), "accept-ms")
		b.ReportMetric(ms(took[0]), "first-ms")
		b.ReportMetric(ms(p50), "p50-ms")
		b.ReportMetric(ms(p99), "p99-ms")
		b.ReportMetric(ms(total), "total-ms")
		b.ReportMetric(rate, "deliveries/s")
		b.ReportMetric(limit, "signatures/s")
		b.ReportMetric(rate/limit, "ratio-to-signing-limit")
		b.Logf("Create to %d inboxes (%d followers on %d hosts and the author's): accepted in %s, first Announce at %s, "+
			"p50 %s, p99 %s, last %s: %.0f deliveries/s = %.2f of the %.0f signatures/s this machine makes",
			len(took), followerCount, hostCount, round2(accepted), round2(took[0]), round2(p50), round2(p99), round2(total),
			rate, rate/limit, limit)
	}
}

func ms(d time.Duration) float64 { return d.Seconds() * 1000 }

func round2(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
