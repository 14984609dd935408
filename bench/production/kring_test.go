package production

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/test/testenv"
)

// kringInProduction is Kring as an operator runs it: `kring serve` and `kring worker` as separate
// processes of the built binary on PostgreSQL and Redis, behind a TLS reverse proxy.
type kringInProduction struct {
	public string       // the proxy's https URL, KRING_PUBLIC_URL
	store  *store.Store // the same database, for seeding and for watching the processing
	cpu    cpuParts
	// serveMetrics is the serve's metrics listener, for its own handling times (inboxHandling).
	serveMetrics string
}

// The groups the benchmark posts to: lobby takes anyone's posts and has no followers (a stored post
// costs its processing, no fan-out); direct messages to it go to its support inbox.
const lobby = "lobby"

// remoteActor is an actor of another server whose document Kring has cached, and its key.
type remoteActor struct {
	iri string
	key *rsa.PrivateKey
}

func startKringInProduction(b *testing.B, ca *testenv.CA) *kringInProduction {
	b.Helper()
	databaseURL := testenv.PostgresURL(b)
	redis := testenv.Redis(b)
	listener, err := net.Listen("tcp", "127.0.0.1:0") // the proxy's port, which KRING_PUBLIC_URL names
	if err != nil {
		b.Fatal(err)
	}
	public := "https://" + listener.Addr().String()
	env := map[string]string{
		"KRING_DATABASE_URL": databaseURL, "KRING_REDIS_URL": testenv.RedisURL(redis), "KRING_PUBLIC_URL": public,
		"KRING_FETCH_ALLOW": "127.0.0.0/8", "SSL_CERT_FILE": ca.File,
		// The benchmark's 200 actors send far more than a real one would: the limits stay out of the way.
		"KRING_POST_LIMIT_PER_ACTOR": "100000", "KRING_POST_LIMIT_PER_HOST": "1000000",
		"KRING_INBOX_LIMIT_PER_ACTOR": "1000000", "KRING_INBOX_LIMIT_PER_HOST": "10000000",
	}
	for _, args := range [][]string{
		{"admin", "org", "create", "--slug", "acme", "--name", "Acme"},
		{"admin", "group", "create", "--org", "acme", "--slug", lobby, "--name", "Lobby", "--posting-policy", "anyone"},
	} {
		if code, out := testenv.RunKring(b, env, args...); code != 0 {
			b.Fatalf("kring %v: exit %d %s", args, code, out)
		}
	}
	// The serve alone reports its own handling time (inboxHandling); the worker serves no metrics.
	serveEnv := maps.Clone(env)
	serveEnv["KRING_METRICS_LISTEN"] = serveMetricsAddress(b)
	serve := testenv.StartKring(b, serveEnv, "serve")
	backend, err := url.Parse(serve.WaitListening(b))
	if err != nil {
		b.Fatal(err)
	}
	worker := testenv.StartKring(b, env, "worker")
	testenv.TLSProxy(b, ca, listener, backend)

	st, err := store.Open(context.Background(), store.Options{DatabaseURL: databaseURL})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	runAutovacuum(b, st.DB())
	return &kringInProduction{public: public, store: st, cpu: cpuParts{serve: serve.Pid(), worker: worker.Pid()},
		serveMetrics: serveEnv["KRING_METRICS_LISTEN"]}
}

func (k *kringInProduction) inbox(group string) string {
	return k.public + "/groups/" + group + "/inbox"
}
func (k *kringInProduction) group(slug string) string { return k.public + "/groups/" + slug }

// cachedActors stores n actors of other servers, each on a host of its own, as if Kring had fetched
// their documents a moment ago: every column a fetch fills, the document as received included
// (actorDocument). Their keys repeat the test fixtures (an RSA key costs 100-300 ms to
// make); each actor has a key id of its own, which is what Kring caches and checks.
func (k *kringInProduction) cachedActors(b *testing.B, n int) []remoteActor {
	b.Helper()
	keys := testenv.SigningKeys(b)
	var fixtures []*rsa.PrivateKey
	for range 24 {
		_, privatePEM, err := keys()
		if err != nil {
			b.Fatal(err)
		}
		key, err := delivery.ParsePrivateKey(privatePEM)
		if err != nil {
			b.Fatal(err)
		}
		fixtures = append(fixtures, key)
	}
	out := make([]remoteActor, n)
	now := time.Now().UTC()
	for i := range out {
		key := fixtures[i%len(fixtures)]
		der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			b.Fatal(err)
		}
		host := fmt.Sprintf("s%d.example", i)
		iri := "https://" + host + "/users/u"
		out[i] = remoteActor{iri: iri, key: key}
		publicKeyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		if _, err := k.store.SaveRemoteActor(context.Background(), model.RemoteActor{IRI: iri, Host: host, ActorType: "Person",
			PreferredUsername: "u", DisplayName: "Ulla van der Berg", Summary: actorSummary, InboxURL: iri + "/inbox",
			SharedInboxURL: "https://" + host + "/inbox", OutboxURL: iri + "/outbox", FollowersURL: iri + "/followers",
			URL: "https://" + host + "/@u", IconURL: "https://" + host + "/system/accounts/avatars/109/301/512/original/4f1c2a9d0e3b7c85.png",
			PublicKeyID: iri + "#main-key", PublicKeyPEM: publicKeyPEM, FetchedAt: now,
			RawDocument: actorDocument(iri, iri+"#main-key", publicKeyPEM)}); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// prefillPosts gives the posts table a history of n posts from the past year, spread over the actors'
// hosts, in one statement: what a server that has run for a while carries, and what every query on
// the inbox path must not grow with. BENCH_PREFILL_POSTS overrides n.
func (k *kringInProduction) prefillPosts(b *testing.B, n int, actors []remoteActor) int {
	b.Helper()
	if raw := os.Getenv("BENCH_PREFILL_POSTS"); raw != "" {
		var err error
		if n, err = strconv.Atoi(raw); err != nil {
			b.Fatalf("BENCH_PREFILL_POSTS=%q: %v", raw, err)
		}
	}
	ctx := context.Background()
	group, err := k.store.GroupBySlug(ctx, lobby)
	if err != nil {
		b.Fatal(err)
	}
	author, err := k.store.RemoteActorByIRI(ctx, actors[0].iri)
	if err != nil {
		b.Fatal(err)
	}
	started := time.Now()
	err = k.store.DB().Exec(`INSERT INTO posts (id, group_id, object_iri, author_kind, author_actor_id, author_host, object_type,
		content_html, summary, url, in_reply_to_iri, context_iri, thread_root_iri, visibility, state, published_at,
		create_activity_iri, activity_json, reach, like_count, removed_reason, created_at, updated_at)
		SELECT gen_random_uuid()::text, ?, 'https://history.example/notes/' || i, 'remote', ?, 's' || (i % ?) || '.example',
			'Note', '<p>an older post, kept in the group''s history</p>', '', '', '', '', '', 'public', 'visible', at, '', '',
			'followers', 0, '', at, at
		FROM (SELECT i, now() - interval '365 days' + (i * interval '365 days' / ?) - interval '1 day' AS at
			FROM generate_series(1, ?) AS i) AS history`,
		group.ID, author.ID, len(actors), n, n).Error
	if err != nil {
		b.Fatal(err)
	}
	if err := k.store.DB().Exec("ANALYZE posts").Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("posts table prefilled with %d posts in %s", n, time.Since(started).Round(time.Millisecond))
	return n
}

// settle waits until the previous round is processed, then vacuums and analyses the schema's tables,
// so that each round starts from tables as autovacuum leaves them in production (runAutovacuum
// keeps them so during the round).
func (k *kringInProduction) settle(b *testing.B) {
	b.Helper()
	k.waitProcessed(b, processWithin)
	var tables []string
	if err := k.store.DB().Raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").Scan(&tables).Error; err != nil {
		b.Fatal(err)
	}
	for _, table := range tables {
		if err := tidy(context.Background(), k.store.DB(), table, true); err != nil {
			b.Fatal(err)
		}
	}
}

// waitProcessed waits until no inbound activity waits for processing, and returns when that was. It
// asks whether any is pending, which reads one index entry, not how many: counting thousands of
// pending rows 50 times a second cost PostgreSQL 2 ms a time, 0.4 ms per activity of a closed-loop
// run, which the benchmark would have charged to Kring. It reads the newest first: the index also
// holds an entry for every activity that was pending and has been processed since, until a vacuum
// removes it, and reading from the oldest walked through thousands of those first (2.9 ms a time in
// pg_stat_statements, 0.07 ms per direct message of a run); the newest are the ones still pending.
func (k *kringInProduction) waitProcessed(b *testing.B, within time.Duration) time.Time {
	b.Helper()
	deadline := time.Now().Add(within)
	for {
		var newest []time.Time
		if err := k.store.DB().Raw("SELECT received_at FROM inbound_activities WHERE state = ? ORDER BY received_at DESC LIMIT 1",
			model.InboundPending).Scan(&newest).Error; err != nil {
			b.Fatal(err)
		}
		if len(newest) == 0 {
			return time.Now()
		}
		if time.Now().After(deadline) {
			b.Fatalf("inbound activities still pending after %s", within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
