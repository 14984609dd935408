// Package fanout measures Kring's delivery engine: one activity fanned out to a group's followers on
// many hosts, planned in one transaction, delivered by real workers (asynq on Redis, PostgreSQL)
// through the real HTTP client to a loopback sink, every request signed with RSA-2048. The figure
// that matters is deliveries per second against what the machine can sign per second, measured in
// the same run: one signature per inbox is unavoidable, so signing is the limit.
//
//	go test -run '^$' -bench . -benchtime 1x ./bench/fanout
package fanout

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/bench/limits"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

// sink is one HTTP server answering for every loopback address: a host per 127.x.y.z address, all
// on one port. It counts distinct activity ids per inbox.
type sink struct {
	port     int
	received atomic.Int64
	mu       sync.Mutex
	seen     map[string]bool
	done     chan struct{}
	want     int64
}

func newSink(b *testing.B) *sink {
	listener, err := net.Listen("tcp", ":0") // all addresses, so every 127.x.y.z reaches it
	if err != nil {
		b.Fatal(err)
	}
	s := &sink{port: listener.Addr().(*net.TCPAddr).Port, seen: map[string]bool{}}
	server := &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(listener) }()
	b.Cleanup(func() { _ = server.Close() })
	return s
}

func (s *sink) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Signature") == "" || r.Header.Get("Digest") == "" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	sum := sha256.Sum256([]byte(r.Host + r.URL.Path + r.Header.Get("Digest")))
	key := string(sum[:])
	s.mu.Lock()
	fresh := !s.seen[key]
	s.seen[key] = true
	s.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	if fresh && s.received.Add(1) == s.want {
		close(s.done)
	}
}

// hostAddress is the loopback address of host number i: 127.1.x.y.
func hostAddress(i int) string { return fmt.Sprintf("127.1.%d.%d", i/250, i%250+1) }

func signingLimit(b *testing.B) float64 {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	return limits.RSASignaturesPerSecond(key)
}

func BenchmarkFanOut10000Followers1000Hosts(b *testing.B)  { benchFanOut(b, 10000, 1000) }
func BenchmarkFanOut10000Followers10000Hosts(b *testing.B) { benchFanOut(b, 10000, 10000) }

func benchFanOut(b *testing.B, followers, hosts int) {
	ctx := context.Background()
	st := testenv.PostgresAtFullSize(b)
	redis := testenv.Redis(b)
	sink := newSink(b)
	group := setUpGroup(b, st, followers, hosts, sink.port)
	public, _ := url.Parse("https://kring.example")
	iris := federation.NewIRIs(public)
	client := fetch.NewClient(fetch.Options{UserAgent: "Kring/bench", AllowHTTP: true, Timeout: 30 * time.Second,
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	server, err := workers.NewServer(workers.Config{RedisConnOpt: redis, Store: st, Concurrency: 64, PollInterval: 50 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	server.HandleDeliveries(delivery.NewDeliverer(delivery.DeliverConfig{Store: st, Poster: client, Signers: delivery.NewKeyRing(st, iris),
		NewRetryTask: workers.NewDeliverActivityTask}))
	st.SetTaskDispatcher(server.Dispatcher())
	if err := server.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(server.Shutdown)
	limit := signingLimit(b)
	planner := delivery.Planner{NewTask: workers.NewDeliverActivityTask, NewBatchTask: workers.NewDeliverBatchTask}

	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		sink.want = sink.received.Load() + int64(hosts)
		sink.done = make(chan struct{})
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		var planned int
		err := st.Transaction(ctx, func(tx *store.Store) error {
			var err error
			planned, err = planner.ToFollowers(ctx, tx, delivery.Activity{IRI: iris.NewActivity(), Type: "Announce",
				GroupID: group.ID, Body: []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Announce"}`)})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		planTime := time.Since(start)
		select {
		case <-sink.done:
		case <-time.After(5 * time.Minute):
			b.Fatalf("only %d of %d deliveries arrived in 5 minutes", sink.received.Load()-(sink.want-int64(hosts)), hosts)
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

// setUpGroup creates a group with followers spread evenly over hosts, each host with a shared inbox
// served by the sink on port.
func setUpGroup(b *testing.B, st *store.Store, followers, hosts, port int) model.Group {
	ctx := context.Background()
	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "bench", "Bench"); err != nil {
		b.Fatal(err)
	}
	group, err := groups.NewService(st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "bench", Slug: "lobby", Name: "Lobby"})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	actors := make([]model.RemoteActor, followers)
	follows := make([]model.Follow, followers)
	for i := range actors {
		host := hostAddress(i % hosts)
		origin := fmt.Sprintf("http://%s:%d", host, port)
		actors[i] = model.RemoteActor{ID: model.NewID(), IRI: fmt.Sprintf("%s/users/u%d", origin, i), Host: host,
			ActorType: "Person", InboxURL: fmt.Sprintf("%s/users/u%d/inbox", origin, i), SharedInboxURL: origin + "/inbox",
			FetchedAt: now, CreatedAt: now, UpdatedAt: now}
		follows[i] = model.Follow{ID: model.NewID(), GroupID: group.ID, RemoteActorID: actors[i].ID,
			FollowActivityIRI: actors[i].IRI + "#follow", State: model.FollowAccepted, CreatedAt: now, UpdatedAt: now}
	}
	if err := st.DB().CreateInBatches(actors, 500).Error; err != nil {
		b.Fatal(err)
	}
	if err := st.DB().CreateInBatches(follows, 500).Error; err != nil {
		b.Fatal(err)
	}
	return group
}
