package interop

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

// countingSink is every follower's server at once (one port on all loopback addresses); it counts
// distinct deliveries by host, path and body digest, and answers slowly enough that a fan-out is
// still going when the test kills the worker.
type countingSink struct {
	port int
	mu   sync.Mutex
	seen map[string]bool
}

func newCountingSink(t *testing.T) *countingSink {
	listener, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	s := &countingSink{port: listener.Addr().(*net.TCPAddr).Port, seen: map[string]bool{}}
	server := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Signature") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		time.Sleep(150 * time.Millisecond)
		s.mu.Lock()
		s.seen[r.Host+r.URL.Path+r.Header.Get("Digest")] = true
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})}
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(func() { _ = server.Close() })
	return s
}

func (s *countingSink) distinct() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// fanOutFixture creates a group with one follower on each of hosts loopback addresses, and plans one
// activity to all of them, as the serve process would.
func fanOutFixture(t *testing.T, databaseURL string, redisOpt asynq.RedisClientOpt, hosts, port int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DatabaseURL: databaseURL})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	group, err := st.GroupBySlug(ctx, "lobby")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i := 0; i < hosts; i++ {
		host := fmt.Sprintf("127.2.%d.%d", i/250, i%250+1)
		origin := fmt.Sprintf("http://%s:%d", host, port)
		actor := model.RemoteActor{ID: model.NewID(), IRI: origin + "/users/u", Host: host, ActorType: "Person",
			InboxURL: origin + "/users/u/inbox", FetchedAt: now, CreatedAt: now, UpdatedAt: now}
		if err := st.DB().Create(&actor).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := st.SaveFollow(ctx, model.Follow{GroupID: group.ID, RemoteActorID: actor.ID, FollowActivityIRI: actor.IRI + "#f", State: model.FollowAccepted}); err != nil {
			t.Fatal(err)
		}
	}
	client := workers.NewClient(redisOpt)
	defer client.Close()
	st.SetTaskDispatcher(workers.NewDispatcher(client, st, nil))
	planner := delivery.Planner{Batch: true}
	iris := federation.NewIRIs(&url.URL{Scheme: "http", Host: "127.0.0.1:1"})
	err = st.Transaction(ctx, func(tx *store.Store) error {
		_, err := planner.ToFollowers(ctx, tx, group.Group, delivery.Activity{IRI: iris.NewActivity(), Type: "Announce", GroupID: group.ID,
			Body: []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Announce"}`)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A worker killed in the middle of a fan-out (SIGKILL: no graceful shutdown) loses nothing: the next
// worker gets the activity to every inbox, once each, also when Redis lost its data meanwhile.
func TestFanOutSurvivesAKilledWorker(t *testing.T) {
	t.Parallel()
	for _, flush := range []bool{false, true} {
		t.Run(fmt.Sprintf("redis flushed %t", flush), func(t *testing.T) {
			t.Parallel()
			const hosts = 200
			databaseURL := testenv.PostgresURL(t)
			redisOpt := testenv.Redis(t)
			sink := newCountingSink(t)
			env := map[string]string{"KRING_DATABASE_URL": databaseURL, "KRING_FETCH_ALLOW": "127.0.0.0/8",
				"KRING_REDIS_URL": testenv.RedisURL(redisOpt), "KRING_WORKER_CONCURRENCY": "2"}
			for _, args := range [][]string{
				{"admin", "org", "create", "--slug", "acme", "--name", "Acme"},
				{"admin", "group", "create", "--org", "acme", "--slug", "lobby", "--name", "Lobby"},
			} {
				if code, out := testenv.RunKring(t, env, args...); code != 0 {
					t.Fatalf("kring %v: exit %d %s", args, code, out)
				}
			}
			fanOutFixture(t, databaseURL, redisOpt, hosts, sink.port)

			first := testenv.StartKring(t, env, "worker")
			for deadline := time.Now().Add(60 * time.Second); sink.distinct() < hosts/4; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the first worker delivered only %d", sink.distinct())
				}
			}
			if err := first.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			first.Wait(t)
			killedAt := sink.distinct()
			if killedAt >= hosts {
				t.Fatalf("the fan-out finished before the kill (%d); slow the sink down", killedAt)
			}
			if flush {
				client := redis.NewClient(&redis.Options{Addr: redisOpt.Addr, DB: redisOpt.DB})
				if err := client.FlushDB(context.Background()).Err(); err != nil {
					t.Fatal(err)
				}
				client.Close()
			}
			// Tasks the killed worker held stay leased in Redis until asynq's recoverer hands them on
			// (a minute or two: a lease lasts 30 s and the recoverer looks once a minute for leases
			// expired 30 s ago), then they are retried at once (workers.LeaseExpiredRetry); the rest go
			// at once.
			testenv.StartKring(t, env, "worker")
			for deadline := time.Now().Add(240 * time.Second); sink.distinct() < hosts; time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("after the restart only %d of %d inboxes got the activity (%d before the kill)", sink.distinct(), hosts, killedAt)
				}
			}
			t.Logf("killed after %d of %d deliveries; all %d arrived after the restart", killedAt, hosts, hosts)
		})
	}
}
