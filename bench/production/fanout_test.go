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
	done    chan struct{} // closed when every host had the post
	resumed int           // deliveries that came over a resumed TLS session
}

func newTLSSink(b *testing.B, ca *testenv.CA, want int) *tlsSink {
	b.Helper()
	listener, err := net.Listen("tcp", ":0")
	if err != nil {
		b.Fatal(err)
	}
	s := &tlsSink{port: listener.Addr().(*net.TCPAddr).Port, want: want}
	s.reset()
	server := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, TLSConfig: ca.ServerConfig()}
	go func() { _ = server.ServeTLS(listener, "", "") }()
	b.Cleanup(func() { _ = server.Close() })
	return s
}

// reset forgets the arrivals, for the next post.
func (s *tlsSink) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.arrived, s.done, s.resumed = map[string]time.Time{}, make(chan struct{}), 0
}

func (s *tlsSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Signature") == "" {
		w.WriteHeader(http.StatusNotFound) // NodeInfo and other lookups: this server says nothing
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	// Each host takes one delivery per post and then closes the connection, as a server does with
	// an idle one before the group's next post: that post reconnects to every host.
	w.Header().Set("Connection", "close")
	at := time.Now()
	s.mu.Lock()
	if _, seen := s.arrived[r.Host]; !seen {
		s.arrived[r.Host] = at
		if r.TLS.DidResume {
			s.resumed++
		}
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
// name reached over a cold connection by a worker process that has not talked to it before. Then a
// second post, after every host closed its connection: each is reached again over a new connection,
// resuming the TLS session it gave the first time.
//
//	go test -run '^$' -bench ProductionFanOut -benchtime 1x ./bench/production
func BenchmarkProductionFanOut(b *testing.B) {
	ca := testenv.NewCA(b)
	k := startKringInProduction(b, ca)
	remote := k.cachedActors(b, 1)
	signatures := limits.RSASignaturesPerSecond(remote[0].key)
	if b.N > 1 {
		b.Fatal("run with -benchtime 1x: a second run's hosts would no longer be cold")
	}
	sink := newTLSSink(b, ca, fanOutHosts)
	k.followersOnHosts(b, lobby, fanOutHosts, sink.port)
	posts := signedActivities(b, k, remote, publicPost, 2, b.Name())
	client := senderClient(ca, 1)
	// One signature's CPU on this machine: the part of a delivery no server can avoid.
	perSignature := float64(runtime.GOMAXPROCS(0)) * 1000 / signatures
	for i, round := range []string{"cold TLS", "resumed TLS"} {
		k.settle(b)
		sink.reset()
		first, p50, last, perDelivery := fanOutRound(b, k, sink, client, posts[i])
		rate := float64(fanOutHosts) / last.Seconds()
		prefix := "" // the cold round's figures keep the names they had before the second round
		if i > 0 {
			prefix = "resumed-"
		}
		b.ReportMetric(float64(p50.Milliseconds()), prefix+"p50-host-ms")
		b.ReportMetric(float64(last.Milliseconds()), prefix+"last-host-ms")
		b.ReportMetric(perDelivery.total, prefix+"cpu-ms/delivery")
		b.ReportMetric(rate/signatures, prefix+"ratio-to-signature-limit")
		b.ReportMetric(perDelivery.total/perSignature, prefix+"cpu-per-delivery-in-signatures")
		sink.mu.Lock()
		resumed := sink.resumed
		sink.mu.Unlock()
		b.Logf("post %d to %d hosts (%d followers) over %s (%d resumed): first host %s, p50 %s, last %s; %.0f deliveries/s, ratio %.2f to %.0f RSA-2048 signatures/s; CPU per delivery %.2f ms (%s), %.2f times one signature's %.2f ms",
			i+1, fanOutHosts, fanOutHosts*followersOnHost, round, resumed, first.Round(time.Millisecond), p50.Round(time.Millisecond), last.Round(time.Millisecond),
			rate, rate/signatures, signatures, perDelivery.total, perDelivery.parts, perDelivery.total/perSignature, perSignature)
	}
}

// deliveryCost is the CPU a round of deliveries took per delivery: in all, and by part.
type deliveryCost struct {
	total float64
	parts string
}

// fanOutRound sends the member's post and waits until every host had the group's Announce; it
// returns when the first host, half of them and the last had it, and the CPU per delivery.
func fanOutRound(b *testing.B, k *kringInProduction, sink *tlsSink, client *http.Client, member signedRequest) (first, p50, last time.Duration, cost deliveryCost) {
	b.Helper()
	var start time.Time
	cpu := k.cpu.during(b, func() {
		start = time.Now()
		if sent := post(client, member, start); sent.status != http.StatusAccepted {
			b.Fatalf("the member's post: status %d (0: the request failed)", sent.status)
		}
		sink.mu.Lock()
		done := sink.done
		sink.mu.Unlock()
		select {
		case <-done:
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
	cost = deliveryCost{total: ms(cpu.kringTotal()) / float64(len(arrivals)), parts: cpu.perItem(len(arrivals))}
	return arrivals[0], arrivals[len(arrivals)/2], arrivals[len(arrivals)-1], cost
}
