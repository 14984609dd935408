// Package scale runs Kring as the compose file scales it out on one machine: several `kring serve`
// and `kring worker` processes of the built binary on one PostgreSQL schema and one Redis database,
// the servers behind a load balancer that alternates between them. The test in this package and the
// benchmark in bench/scaleout share it.
package scale

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/test/testenv"
)

// The groups every cluster has: Lobby takes anyone's posts and has no followers (a post costs its
// processing, no fan-out); Crowd takes anyone's posts and is given its followers by Followers.
const (
	Lobby = "lobby"
	Crowd = "crowd"
)

// Shape is how many processes of each kind run, and each worker's task concurrency (0: the default).
type Shape struct {
	Serves, Workers   int
	WorkerConcurrency int
}

// Cluster is Kring scaled out: its processes, the balancer in front of the servers, and a store on
// the same schema for seeding and watching.
type Cluster struct {
	Public  string // the balancer's URL, KRING_PUBLIC_URL of every process
	Store   *store.Store
	Serves  []*testenv.Process
	Workers []*testenv.Process
	// Accepted counts, per server, the requests it answered 202: proof that each took its share.
	Accepted []atomic.Int64
}

// Start migrates a fresh schema, creates the organisation and both groups, starts the processes and
// the balancer, and returns once every server listens.
func Start(t testing.TB, shape Shape) *Cluster {
	t.Helper()
	databaseURL := testenv.PostgresURL(t)
	redis := testenv.Redis(t)
	listener, err := net.Listen("tcp", "127.0.0.1:0") // the balancer's port, which KRING_PUBLIC_URL names
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + listener.Addr().String()
	env := map[string]string{
		"KRING_DATABASE_URL": databaseURL, "KRING_REDIS_URL": testenv.RedisURL(redis), "KRING_PUBLIC_URL": public,
		"KRING_FETCH_ALLOW": "127.0.0.0/8",
		// One member sends all the traffic here: the limits stay out of the way.
		"KRING_POST_LIMIT_PER_ACTOR": "100000", "KRING_POST_LIMIT_PER_HOST": "1000000",
		"KRING_INBOX_LIMIT_PER_ACTOR": "1000000", "KRING_INBOX_LIMIT_PER_HOST": "10000000",
	}
	if shape.WorkerConcurrency > 0 {
		env["KRING_WORKER_CONCURRENCY"] = strconv.Itoa(shape.WorkerConcurrency)
	}
	for _, args := range [][]string{
		{"admin", "org", "create", "--slug", "acme", "--name", "Acme"},
		{"admin", "group", "create", "--org", "acme", "--slug", Lobby, "--name", "Lobby", "--posting-policy", "anyone"},
		{"admin", "group", "create", "--org", "acme", "--slug", Crowd, "--name", "Crowd", "--posting-policy", "anyone"},
	} {
		if code, out := testenv.RunKring(t, env, args...); code != 0 {
			t.Fatalf("kring %v: exit %d %s", args, code, out)
		}
	}
	c := &Cluster{Public: public, Accepted: make([]atomic.Int64, shape.Serves)}
	for range shape.Serves {
		c.Serves = append(c.Serves, testenv.StartKring(t, env, "serve"))
	}
	for range shape.Workers {
		c.Workers = append(c.Workers, testenv.StartKring(t, env, "worker"))
	}
	var backends []*url.URL
	for _, serve := range c.Serves {
		backend, err := url.Parse(serve.WaitListening(t))
		if err != nil {
			t.Fatal(err)
		}
		backends = append(backends, backend)
	}
	c.balance(t, listener, backends)

	if c.Store, err = store.Open(context.Background(), store.Options{DatabaseURL: databaseURL}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Store.Close() })
	// The test's own store seeds and polls: a few connections, as the 5 processes share the server's.
	sqlDB, err := c.Store.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(4)
	return c
}

// balance serves listener by handing requests to the backends in turn, as a round-robin load
// balancer would. The Host header stays the public one, which the requests are signed for.
func (c *Cluster) balance(t testing.TB, listener net.Listener, backends []*url.URL) {
	var next atomic.Uint64
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			i := int(next.Add(1)-1) % len(backends)
			r.SetURL(backends[i])
			r.Out.Host = r.In.Host
			r.Out.Header.Set("X-Kring-Test-Backend", strconv.Itoa(i))
		},
		ModifyResponse: func(resp *http.Response) error {
			if resp.StatusCode == http.StatusAccepted {
				if i, err := strconv.Atoi(resp.Request.Header.Get("X-Kring-Test-Backend")); err == nil {
					c.Accepted[i].Add(1)
				}
			}
			return nil
		},
	}
	server := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(func() { _ = server.Close() })
}

// Inbox is a group's inbox at the public URL; Group is its actor.
func (c *Cluster) Inbox(slug string) string { return c.Public + "/groups/" + slug + "/inbox" }
func (c *Cluster) Group(slug string) string { return c.Public + "/groups/" + slug }

// Member stores an actor of another server whose document Kring has cached, with its key (a test
// fixture: making an RSA key costs 100-300 ms), so the servers verify its posts without fetching.
func (c *Cluster) Member(t testing.TB) *Member {
	t.Helper()
	_, privatePEM, err := testenv.SigningKeys(t)()
	if err != nil {
		t.Fatal(err)
	}
	key, err := delivery.ParsePrivateKey(privatePEM)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	const host = "member.example"
	iri := "https://" + host + "/users/ana"
	if _, err := c.Store.SaveRemoteActor(context.Background(), model.RemoteActor{IRI: iri, Host: host, ActorType: "Person",
		InboxURL: iri + "/inbox", PublicKeyID: iri + "#main-key", FetchedAt: time.Now().UTC(),
		PublicKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}); err != nil {
		t.Fatal(err)
	}
	return &Member{IRI: iri, key: key}
}

// Followers gives the group followersPerHost followers on each of hosts hosts (127.5.x.y, all on the
// sink's port), sharing their host's inbox, so the group delivers once per host. The rows are
// inserted directly: 10,000 Follows through the inbox would test the setup, not the fan-out.
func (c *Cluster) Followers(t testing.TB, slug string, hosts, followersPerHost, port int) {
	t.Helper()
	g, err := c.Store.GroupBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var actors []model.RemoteActor
	var follows []model.Follow
	for h := range hosts {
		host := HostAddress(h)
		origin := fmt.Sprintf("http://%s:%d", host, port)
		for u := range followersPerHost {
			actor := model.RemoteActor{ID: model.NewID(), IRI: fmt.Sprintf("%s/users/u%d", origin, u), Host: host, ActorType: "Person",
				InboxURL: fmt.Sprintf("%s/users/u%d/inbox", origin, u), SharedInboxURL: origin + "/inbox",
				FetchedAt: now, CreatedAt: now, UpdatedAt: now}
			actors = append(actors, actor)
			follows = append(follows, model.Follow{ID: model.NewID(), GroupID: g.ID, RemoteActorID: actor.ID,
				FollowActivityIRI: actor.IRI + "#follow", State: model.FollowAccepted, CreatedAt: now, UpdatedAt: now})
		}
	}
	if err := c.Store.DB().CreateInBatches(actors, 500).Error; err != nil {
		t.Fatal(err)
	}
	if err := c.Store.DB().CreateInBatches(follows, 500).Error; err != nil {
		t.Fatal(err)
	}
}

// HostAddress is the loopback address of follower host number i.
func HostAddress(i int) string { return fmt.Sprintf("127.5.%d.%d", i/250, i%250+1) }

// WaitProcessed waits until no inbound activity waits for processing and returns how many were
// processed in all; it fails if any failed.
func (c *Cluster) WaitProcessed(t testing.TB, within time.Duration) int64 {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var pending, failed, processed int64
		db := c.Store.DB().Model(&model.InboundActivity{})
		if err := db.Where("state = ?", model.InboundPending).Count(&pending).Error; err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			if err := c.Store.DB().Model(&model.InboundActivity{}).Where("state = ?", model.InboundFailed).Count(&failed).Error; err != nil {
				t.Fatal(err)
			}
			if failed > 0 {
				t.Fatalf("%d inbound activities failed", failed)
			}
			if err := c.Store.DB().Model(&model.InboundActivity{}).Where("state = ?", model.InboundProcessed).Count(&processed).Error; err != nil {
				t.Fatal(err)
			}
			return processed
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d inbound activities still pending after %s", pending, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitDeliveriesSettled waits until no delivery is pending, and fails unless want were delivered and
// none failed. A delivery is pending until its batch records it, after its answer, so once none is
// pending every request of every batch, a re-run one's included, has been answered.
func (c *Cluster) WaitDeliveriesSettled(t testing.TB, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var rows []struct {
			State model.DeliveryState
			N     int
		}
		if err := c.Store.DB().Model(&model.Delivery{}).Select("state, count(*) AS n").Group("state").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		byState := map[model.DeliveryState]int{}
		for _, r := range rows {
			byState[r.State] = r.N
		}
		if byState[model.DeliveryPending] == 0 {
			if byState[model.DeliveryDelivered] != want || len(byState) != 1 {
				t.Fatalf("deliveries by state %v, want %d delivered", byState, want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries still pending after %s: %v", within, byState)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
