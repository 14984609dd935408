package scale

import (
	"net/http"
	"slices"
	"syscall"
	"testing"
	"time"
)

const (
	hosts            = 1000
	followersPerHost = 10 // 10,000 followers, one shared inbox per host
	inboxPosts       = 40 // member posts spread over the servers before the fan-out
	// Every worker runs 2 tasks at a time: the fan-out's 20 batches (50 deliveries each) then keep all
	// 6 slots busy for several rounds, so whichever worker is killed holds deliveries in flight.
	workerConcurrency = 2
	// Each host takes this long to answer, so the fan-out lasts a few seconds and can be interrupted.
	sinkDelay = 100 * time.Millisecond
	// asynq's recoverer takes only tasks whose lease expired 30 s ago or more (a lease is valid at the
	// kill): nothing the killed worker held can run again sooner, so a delivery arriving later than
	// this after the kill was handed on by the recoverer, and a repeat arriving sooner is a bug.
	leaseDuration = 30 * time.Second
	// The recoverer looks once a minute for leases expired for 30 s: a killed worker's tasks run again
	// 60-120 s after the kill. The deadline leaves room for a busy machine.
	deliveredWithin = 4 * time.Minute
)

// Two servers and three workers on one schema and one Redis database: inbox traffic is taken by both
// servers; a fan-out to 1,000 hosts reaches every host although a worker is killed (SIGKILL) in the
// middle of it; no host receives it twice except from deliveries the killed worker had made and not
// yet recorded (a batch records its deliveries ten at a time as they succeed, so asynq's re-run of
// a killed batch sends again the few it had sent and not yet recorded; receivers dedupe by activity
// id, and the test counts them).
func TestTwoServersThreeWorkersFanOutSurvivesAKilledWorker(t *testing.T) {
	t.Parallel()
	sink := NewSink(t, sinkDelay)
	c := Start(t, Shape{Serves: 2, Workers: 3, WorkerConcurrency: workerConcurrency})
	member := c.Member(t)
	c.Followers(t, Crowd, hosts, followersPerHost, sink.Port)

	// Inbox traffic: the balancer alternates, so each server takes half, and every post is processed
	// whichever server stored it.
	for n := range inboxPosts {
		if status, _ := member.Post(t, c, Lobby, n); status != http.StatusAccepted {
			t.Fatalf("post %d to the lobby: status %d", n, status)
		}
	}
	spread := []int64{c.Accepted[0].Load(), c.Accepted[1].Load()}
	for i, got := range spread {
		if got != inboxPosts/2 {
			t.Errorf("serve #%d accepted %d of the %d posts, want %d", i+1, got, inboxPosts, inboxPosts/2)
		}
	}
	if processed := c.WaitProcessed(t, time.Minute); processed != inboxPosts {
		t.Fatalf("%d inbound activities processed, want %d", processed, inboxPosts)
	}

	// The fan-out, and the kill once a tenth of the hosts have it.
	noteIRI := member.NoteIRI(Crowd, 0)
	sink.Watch(noteIRI)
	start := time.Now()
	if status, sent := member.Post(t, c, Crowd, 0); status != http.StatusAccepted || sent != noteIRI {
		t.Fatalf("the member's post to the crowd: status %d", status)
	}
	if err := sink.WaitReached(hosts/10, time.Minute); err != nil {
		t.Fatal(err)
	}
	victim := c.Workers[0]
	if err := victim.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killedAt := time.Now()
	victim.Wait(t)
	deadAt := time.Now()
	reachedAtKill := sink.Reached()
	if reachedAtKill >= hosts {
		t.Fatalf("the fan-out had finished when the worker was killed (%d hosts): slow the sink down", reachedAtKill)
	}

	if err := sink.WaitReached(hosts, deliveredWithin); err != nil {
		t.Fatal(err)
	}
	// Every host reached is not yet the end: a re-run batch may still be sending its duplicates.
	c.WaitDeliveriesSettled(t, hosts, deliveredWithin)
	arrivals := sink.Arrivals()

	// Exactly once, except for the killed worker's unrecorded deliveries: a host reached twice must
	// have been reached first before the kill and again after the lease ran out.
	var duplicates, recovered int
	var lastRecovery time.Time
	for host, times := range arrivals {
		for _, at := range times {
			if at.Sub(killedAt) > leaseDuration {
				recovered++
				if at.After(lastRecovery) {
					lastRecovery = at
				}
			}
		}
		if len(times) == 1 {
			continue
		}
		duplicates += len(times) - 1
		// The first copy came from the killed worker, so it arrived before the worker was dead (with a
		// second's grace for the sink's own scheduling on a busy machine); the second from the
		// recoverer, after the lease.
		if len(times) > 2 || times[0].After(deadAt.Add(time.Second)) || times[1].Sub(killedAt) < leaseDuration {
			t.Errorf("host %s received the Announce %d times (at %s after the kill): only a delivery the killed worker made may come again, once, after its lease",
				host, len(times), sinceAll(times, killedAt))
		}
	}
	// The killed worker ran at most workerConcurrency batches; each had recorded all it had delivered
	// but for fewer than ten waiting (it records them ten at a time), ten in a settle whose
	// transaction had not committed (a settle also counts the day's reach per post and per server,
	// five statements, so a kill often lands in one), and at most eight more in flight: no more can
	// come twice (unless one batch had two settles in progress at once, not seen here).
	if limit := workerConcurrency * (9 + 10 + 8); duplicates > limit {
		t.Errorf("%d duplicate deliveries, more than the killed worker's %d in flight", duplicates, limit)
	}
	if recovered == 0 {
		t.Error("nothing arrived after the killed worker's lease ran out: the kill did not interrupt any of its deliveries, so the recovery went untested")
	}

	first := FirstArrivals(arrivals, start)
	last := first[len(first)-1]
	// The fan-out without the wait for asynq's recoverer: the hosts the live workers reached.
	live := slices.IndexFunc(first, func(d time.Duration) bool { return start.Add(d).Sub(killedAt) > leaseDuration })
	if live < 0 {
		live = len(first)
	}
	liveRate := float64(live) / first[live-1].Seconds()
	t.Logf("2 serve + 3 worker processes (%d tasks each), %d followers on %d hosts, each host answering in %s: "+
		"inbox posts accepted %d by serve #1, %d by serve #2, all %d processed; "+
		"first Announce at %s, worker killed at %s with %d hosts reached; %d hosts reached before the recovery, the last at %s (%.0f deliveries/s, bounded by the hosts' delay); "+
		"all %d hosts at %s; recovery: %d deliveries after the lease, the last %s after the kill; %d duplicates (hosts the killed worker had reached, sent again by the re-run batch)",
		workerConcurrency, hosts*followersPerHost, hosts, sinkDelay,
		spread[0], spread[1], inboxPosts,
		round(first[0]), round(killedAt.Sub(start)), reachedAtKill, live, round(first[live-1]), liveRate,
		len(first), round(last), recovered, round(lastRecovery.Sub(killedAt)), duplicates)
}

func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

func sinceAll(times []time.Time, from time.Time) []time.Duration {
	out := make([]time.Duration, len(times))
	for i, at := range times {
		out[i] = round(at.Sub(from))
	}
	return out
}
