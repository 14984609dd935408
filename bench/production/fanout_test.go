package production

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/bench/limits"
	"github.com/kring-social/kring/test/testenv"
)

const (
	fanOutHosts     = 1000
	followersOnHost = 10 // 10,000 followers, one shared inbox per host
)

// tlsSink is every follower's server: one port on all loopback addresses, each address a host with
// a certificate of its own, so each of Kring's deliveries opens a cold TLS connection to a distinct
// TLS name. It records when each host first received a signed request.
type tlsSink struct {
	port    int
	mu      sync.Mutex
	arrived map[string]time.Time
	want    int
	done    chan struct{}
}

func newTLSSink(b *testing.B, ca *testenv.CA, want int) *tlsSink {
	b.Helper()
	listener, err := net.Listen("tcp", ":0")
	if err != nil {
		b.Fatal(err)
	}
	s := &tlsSink{port: listener.Addr().(*net.TCPAddr).Port, arrived: map[string]time.Time{}, want: want, done: make(chan struct{})}
	server := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, TLSConfig: ca.ServerConfig()}
	go func() { _ = server.ServeTLS(listener, "", "") }()
	b.Cleanup(func() { _ = server.Close() })
	return s
}

func (s *tlsSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Signature") == "" {
		w.WriteHeader(http.StatusNotFound) // NodeInfo and other lookups: this server says nothing
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	at := time.Now()
	s.mu.Lock()
	if _, seen := s.arrived[r.Host]; !seen {
		s.arrived[r.Host] = at
		if len(s.arrived) == s.want {
			close(s.done)
		}
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// followersOnHosts stores followers of the group, followersOnHost on each of hosts hosts
// (127.2.x.y), sharing their host's inbox.
func (k *kringInProduction) followersOnHosts(b *testing.B, group string, hosts, port int) {
	b.Helper()
	ctx := context.Background()
	g, err := k.store.GroupBySlug(ctx, group)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	var actors []model.RemoteActor
	var follows []model.Follow
	for h := 0; h < hosts; h++ {
		host := fmt.Sprintf("127.2.%d.%d", h/250, h%250+1)
		origin := fmt.Sprintf("https://%s:%d", host, port)
		for u := 0; u < followersOnHost; u++ {
			actor := model.RemoteActor{ID: model.NewID(), IRI: fmt.Sprintf("%s/users/u%d", origin, u), Host: host, ActorType: "Person",
				InboxURL: fmt.Sprintf("%s/users/u%d/inbox", origin, u), SharedInboxURL: origin + "/inbox",
				FetchedAt: now, CreatedAt: now, UpdatedAt: now}
			actors = append(actors, actor)
			follows = append(follows, model.Follow{ID: model.NewID(), GroupID: g.ID, RemoteActorID: actor.ID,
				FollowActivityIRI: actor.IRI + "#follow", State: model.FollowAccepted, CreatedAt: now, UpdatedAt: now})
		}
	}
	if err := k.store.DB().CreateInBatches(actors, 500).Error; err != nil {
		b.Fatal(err)
	}
	if err := k.store.DB().CreateInBatches(follows, 500).Error; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkProductionFanOut: a member's public post, sent to the group's inbox over TLS, until the
// group's Announce has reached each of 1,000 hosts (10,000 followers), every host a distinct TLS
// name reached over a cold connection by a worker process that has not talked to it before.
//
//	go test -run '^$' -bench ProductionFanOut -benchtime 1x ./bench/production
func BenchmarkProductionFanOut(b *testing.B) {
	ca := testenv.NewCA(b)
	k := startKringInProduction(b, ca)
	remote := k.cachedActors(b, 1)
	signatures := limits.RSASignaturesPerSecond(remote[0].key)
	if b.N > 1 {
		b.Fatal("run with -benchtime 1x: one round per run, since a second round's hosts would no longer be cold")
	}
	sink := newTLSSink(b, ca, fanOutHosts)
	k.followersOnHosts(b, lobby, fanOutHosts, sink.port)
	member := signedActivities(b, k, remote, publicPost, 1, b.Name())[0]
	client := senderClient(ca, 1)
	k.waitProcessed(b, processWithin)
	var start time.Time
	cpu := k.cpu.during(b, func() {
		start = time.Now()
		if sent := post(client, member, start); sent.status != http.StatusAccepted {
			b.Fatalf("the member's post: status %d (0: the request failed)", sent.status)
		}
		select {
		case <-sink.done:
		case <-time.After(5 * time.Minute):
			sink.mu.Lock()
			got := len(sink.arrived)
			sink.mu.Unlock()
			b.Fatalf("after 5 minutes %d of %d hosts had the Announce", got, fanOutHosts)
		}
	})
	var arrivals []time.Duration
	sink.mu.Lock()
	for _, at := range sink.arrived {
		arrivals = append(arrivals, at.Sub(start))
	}
	sink.mu.Unlock()
	slices.Sort(arrivals)
	first, p50, last := arrivals[0], arrivals[len(arrivals)/2], arrivals[len(arrivals)-1]
	rate := float64(len(arrivals)) / last.Seconds()
	perDelivery := ms(cpu.kringTotal()) / float64(len(arrivals))
	// One signature's CPU on this machine: the part of a delivery no server can avoid.
	perSignature := float64(runtime.GOMAXPROCS(0)) * 1000 / signatures
	b.ReportMetric(float64(p50.Milliseconds()), "p50-host-ms")
	b.ReportMetric(float64(last.Milliseconds()), "last-host-ms")
	b.ReportMetric(perDelivery, "cpu-ms/delivery")
	b.ReportMetric(rate/signatures, "ratio-to-signature-limit")
	b.ReportMetric(perDelivery/perSignature, "cpu-per-delivery-in-signatures")
	b.Logf("post to %d hosts (%d followers) over cold TLS: first host %s, p50 %s, last %s; %.0f deliveries/s, ratio %.2f to %.0f RSA-2048 signatures/s; CPU per delivery %.2f ms (%s), %.2f times one signature's %.2f ms",
		len(arrivals), len(arrivals)*followersOnHost, first.Round(time.Millisecond), p50.Round(time.Millisecond), last.Round(time.Millisecond),
		rate, rate/signatures, signatures, perDelivery, cpu.perItem(len(arrivals)), perDelivery/perSignature, perSignature)
}
