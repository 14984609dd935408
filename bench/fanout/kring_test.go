package fanout

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/inbox"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/test/testenv"
	"github.com/kring-social/kring/workers"
)

// workerShape is how the benchmark's worker runs.
type workerShape struct {
	concurrency int
	// idlePoll is how long an idle worker waits before looking at its queues again.
	idlePoll time.Duration
	// poll, when set, is idlePoll and the scheduled and retry sets' check as well.
	poll time.Duration
}

// kringUnderBench is Kring wired as `kring all` wires it (federation/wiring, used as cmd/kring/processes.go
// uses it) on PostgreSQL and Redis: the inbox mounted on the web engine and served over real HTTP, and one
// worker that processes inbound activities and sends deliveries.
type kringUnderBench struct {
	url  string
	iris federation.IRIs
}

// startKring starts Kring on st and redis. limits are the posting rate limits.
func startKring(b *testing.B, st *store.Store, redis asynq.RedisConnOpt, shape workerShape, limits conversations.Limits) *kringUnderBench {
	ctx := context.Background()
	// Warnings and errors only: the worker logs every post it takes at info.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	served := testenv.ServeEngine(b, web.Options{Logger: logger})
	engine, server, iris := served.Engine, served.Server, served.IRIs

	public, err := url.Parse(server.URL)
	if err != nil {
		b.Fatal(err)
	}
	fed, err := wiring.Build(ctx, wiring.Config{PublicURL: public, Version: "bench", FetchAllow: loopback, PostLimits: limits}, st, logger)
	if err != nil {
		b.Fatal(err)
	}

	worker, err := workers.NewServer(workers.Config{RedisConnOpt: redis, Store: st, Logger: logger,
		Concurrency: shape.concurrency, IdlePoll: shape.idlePoll, PollInterval: shape.poll})
	if err != nil {
		b.Fatal(err)
	}
	worker.HandleInbound(fed.Processor())
	worker.HandleDeliveries(fed.Deliverer())
	st.SetTaskDispatcher(worker.Dispatcher())
	if err := worker.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(worker.Shutdown)

	inbox.NewReceiver(inbox.ReceiverConfig{Store: st, IRIs: iris, Logger: logger,
		Verifier: &signing.Verifier{Resolver: fed.KeyResolver(), Scheme: "http"}}).Mount(engine)
	return &kringUnderBench{url: server.URL, iris: iris}
}

// post sends req and returns the answer's status.
func (k *kringUnderBench) post(b *testing.B, req *http.Request) int {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// join makes the author an accepted follower of the group the way a member becomes one: a signed
// Follow to the group's inbox, processed by the worker (actor and NodeInfo fetched from the author's
// server), answered with an Accept. It also warms up what a running server has warm.
func (k *kringUnderBench) join(b *testing.B, author *authorServer, slug string) {
	req := author.signedPost(b, k.url+"/groups/"+slug+"/inbox", author.follow(k.iris.GroupActor(slug)))
	if status := k.post(b, req); status != http.StatusAccepted {
		b.Fatalf("Follow answered %d", status)
	}
	select {
	case <-author.accepted:
	case <-time.After(time.Minute):
		b.Fatal("the group did not Accept the author's Follow in a minute")
	}
}
