// Package inbox measures how many signed activities Kring's inbox durably accepts per second: 2 KiB
// Create activities from 200 distinct actors whose keys are cached, each verified, stored and given
// its processing task in one committed transaction on PostgreSQL, then answered 202. It reports the
// rate, latency percentiles, and ratios to the two limits measured in the same run: RSA signature
// verifications per second, and single-row committed inserts per second from as many goroutines.
//
//	go test -run '^$' -bench . -benchtime 1x ./bench/inbox
package inbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/bench/limits"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/federation/inbox"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/test/testenv"
)

const (
	actors   = 200
	requests = 6000
	senders  = 32
)

func BenchmarkInboxAccepts(b *testing.B) {
	ctx := context.Background()
	st := testenv.PostgresAtFullSize(b)
	served := testenv.ServeEngine(b, web.Options{})
	engine, server, iris := served.Engine, served.Server, served.IRIs
	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "bench", "Bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := groups.NewService(st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "bench", Slug: "lobby", Name: "Lobby"}); err != nil {
		b.Fatal(err)
	}
	keys := cachedActors(b, st)
	// A client that may fetch nothing: every key must come from the cache.
	actorCache := fetch.NewActors(fetch.NewClient(fetch.Options{UserAgent: "Kring/bench"}), st, nil)
	// Every sender is admitted: this is the closed-loop peak, where a 503 would be a failed request.
	inbox.NewReceiver(inbox.ReceiverConfig{Store: st, IRIs: iris, MaxInFlight: senders,
		Verifier: &signing.Verifier{Resolver: inbox.RefuseBlockedKeys(st, actorCache)}}).Mount(engine)

	verifyLimit := limits.RSAVerificationsPerSecond(keys[0].key)
	sqlDB, err := st.DB().DB()
	if err != nil {
		b.Fatal(err)
	}
	insertLimit, err := limits.CommittedInsertsPerSecond(ctx, sqlDB, senders)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		batch := signedRequests(b, server.URL+"/groups/lobby/inbox", iris.GroupActor("lobby"), keys, n)
		b.StartTimer()
		latencies := send(b, batch)
		elapsed := latencies.total
		rate := float64(len(batch)) / elapsed.Seconds()
		slices.Sort(latencies.each)
		p50, p99 := latencies.each[len(latencies.each)/2], latencies.each[len(latencies.each)*99/100]
		b.ReportMetric(rate, "accepts/s")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		b.ReportMetric(rate/verifyLimit, "ratio-to-verify-limit")
		b.ReportMetric(rate/insertLimit, "ratio-to-insert-limit")
		b.Logf("%d signed 2 KiB Creates from %d actors: %.0f accepts/s, p50 %s, p99 %s; limits this run: %.0f verifications/s (ratio %.2f), %.0f committed inserts/s (ratio %.2f)",
			len(batch), actors, rate, p50.Round(time.Microsecond), p99.Round(time.Microsecond), verifyLimit, rate/verifyLimit, insertLimit, rate/insertLimit)
	}
}

type actorKey struct {
	iri string
	key *rsa.PrivateKey
}

// cachedActors stores actors remote to Kring, as if their documents had been fetched before.
func cachedActors(b *testing.B, st *store.Store) []actorKey {
	out := make([]actorKey, actors)
	now := time.Now().UTC()
	for i := range out {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			b.Fatal(err)
		}
		der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
		host := fmt.Sprintf("s%d.example", i)
		iri := "https://" + host + "/users/u"
		out[i] = actorKey{iri: iri, key: key}
		_, err = st.SaveRemoteActor(context.Background(), model.RemoteActor{IRI: iri, Host: host, ActorType: "Person",
			InboxURL: iri + "/inbox", PublicKeyID: iri + "#main-key", FetchedAt: now,
			PublicKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))})
		if err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// signedRequests prepares one signed Create of about 2 KiB per request, round-robin over the actors.
func signedRequests(b *testing.B, inboxURL, group string, keys []actorKey, round int) []*http.Request {
	padding := strings.Repeat("lorem ipsum ", 150)
	out := make([]*http.Request, requests)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < requests; i += runtime.GOMAXPROCS(0) {
				a := keys[i%len(keys)]
				body, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
					"id": fmt.Sprintf("%s/activities/%d-%d", a.iri, round, i), "type": "Create", "actor": a.iri, "to": group,
					"object": map[string]any{"id": fmt.Sprintf("%s/notes/%d-%d", a.iri, round, i), "type": "Note", "content": padding}})
				req, _ := http.NewRequest(http.MethodPost, inboxURL, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/activity+json")
				if err := (signing.Signer{KeyID: a.iri + "#main-key", Key: a.key}).Sign(req, body); err != nil {
					panic(err)
				}
				req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
				out[i] = req
			}
		}(w)
	}
	wg.Wait()
	return out
}

type timings struct {
	total time.Duration
	each  []time.Duration
}

func send(b *testing.B, batch []*http.Request) timings {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	next := make(chan *http.Request)
	results := make(chan time.Duration, len(batch))
	var wg sync.WaitGroup
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for req := range next {
				began := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					panic(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					panic(fmt.Sprintf("status %d", resp.StatusCode))
				}
				results <- time.Since(began)
			}
		}()
	}
	start := time.Now()
	for _, req := range batch {
		next <- req
	}
	close(next)
	wg.Wait()
	total := time.Since(start)
	close(results)
	var each []time.Duration
	for d := range results {
		each = append(each, d)
	}
	return timings{total: total, each: each}
}
