package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/community"
	email "github.com/kring-social/kring/app/mail"
	"github.com/kring-social/kring/app/metrics"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/app/web/admin"
	"github.com/kring-social/kring/federation/documents"
	"github.com/kring-social/kring/federation/inbox"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/workers"
)

// process is what every long-running subcommand shares: configuration, logger, database and broker,
// and the shutdown steps in the order they must run.
type process struct {
	cfg        *Config
	logger     *slog.Logger
	store      *store.Store
	federation *wiring.Federation
	broker     asynq.RedisConnOpt
	pinger     *workers.BrokerPinger
	inspector  *workers.Inspector
	// refusals tallies the inbox's refusals per hour for the federation health page (serve only).
	refusals *workers.RefusalTally
	// metrics is the process's registry; metricsServer serves it on KRING_METRICS_LISTEN when set.
	metrics       *metrics.Metrics
	metricsServer *httpServer
	closers       []func() error
}

// processRole says which parts a subcommand runs.
type processRole struct {
	name   string
	http   bool
	worker bool
}

var (
	roleAll    = processRole{name: "all", http: true, worker: true}
	roleServe  = processRole{name: "serve", http: true}
	roleWorker = processRole{name: "worker", worker: true}
)

func runAll(ctx context.Context, inv *invocation) error    { return runProcess(ctx, inv, roleAll) }
func runServe(ctx context.Context, inv *invocation) error  { return runProcess(ctx, inv, roleServe) }
func runWorker(ctx context.Context, inv *invocation) error { return runProcess(ctx, inv, roleWorker) }

// runProcess starts the parts of Kring the role names, waits for SIGINT or SIGTERM (ctx's end) and
// stops them in order: first the HTTP server, so no new work arrives, then the worker, which lets
// tasks in flight finish or puts them back on their queues, then broker and database.
func runProcess(ctx context.Context, inv *invocation, role processRole) error {
	cfg, args, err := parseFlags(inv, role.name, nil)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q", args[0])
	}
	if cfg.RedisURL == "" && role != roleAll {
		return usageErrorf("`kring %s` needs KRING_REDIS_URL, since the in-process broker serves only the process "+
			"that starts it; run `kring all` for the single-process default", role.name)
	}
	p := &process{cfg: cfg, logger: newLogger(cfg, inv.stderr).With("process", role.name)}
	if role == roleWorker {
		gcPercent := tuneGarbageCollector(inv.lookupEnv)
		p.logger.Debug("garbage collector", "gc_percent", gcPercent)
	}
	defer func() { closeAll(p.logger, p.closers) }()
	if err := p.open(ctx); err != nil {
		return err
	}
	supportHolds, err := p.supportHolds(role)
	if err != nil {
		return err
	}
	if p.federation, err = buildFederation(ctx, cfg, p.store, p.logger, supportHolds); err != nil {
		return err
	}
	if err := p.startMetrics(role); err != nil {
		return err
	}

	var worker *workers.Server
	if role.worker {
		if worker, err = p.startWorker(ctx); err != nil {
			return err
		}
		p.store.SetTaskDispatcher(worker.Dispatcher())
	} else {
		client := workers.NewClient(p.broker)
		dispatcher := workers.NewDispatcher(client, p.store, p.logger)
		p.closers = append(p.closers, func() error { dispatcher.Flush(); return client.Close() })
		p.store.SetTaskDispatcher(dispatcher)
	}

	var server *site
	if role.http {
		if err := ensureFirstAdmin(ctx, cfg, organisations.NewService(p.store), inv.stdout); err != nil {
			return err
		}
		if server, err = p.startHTTP(ctx); err != nil {
			return err
		}
	}

	var serverFailed <-chan error
	if server != nil {
		serverFailed = server.Done()
	}
	select {
	case <-ctx.Done():
		p.logger.Info("stopping", "timeout", cfg.ShutdownTimeout)
	case err = <-serverFailed:
		p.logger.Error("http server stopped", "error", err)
	}
	if server != nil {
		if shutdownErr := server.Shutdown(cfg.ShutdownTimeout); shutdownErr != nil {
			p.logger.Warn("http server did not stop cleanly", "error", shutdownErr)
		}
	}
	if worker != nil {
		worker.Shutdown()
	}
	if err == nil {
		p.logger.Info("stopped cleanly")
	}
	return err
}

// open connects the database (migrating it) and the broker, starting the in-process one when no
// Redis URL is configured.
func (p *process) open(ctx context.Context) error {
	st, err := openStore(ctx, p.cfg, p.logger, true)
	if err != nil {
		return err
	}
	p.store = st
	p.closers = append(p.closers, st.Close)

	if p.cfg.RedisURL == "" {
		embedded, err := workers.StartEmbeddedBroker()
		if err != nil {
			return err
		}
		p.closers = append(p.closers, func() error { embedded.Close(); return nil })
		p.broker = embedded.RedisConnOpt()
		p.logger.Info("using the in-process broker; pending work is kept in the database across restarts")
	} else if p.broker, err = workers.ParseRedisURL(p.cfg.RedisURL); err != nil {
		return usageError{err}
	}
	if p.pinger, err = workers.NewBrokerPinger(p.broker); err != nil {
		return err
	}
	p.closers = append(p.closers, p.pinger.Close)
	p.inspector = workers.NewInspector(p.broker)
	p.closers = append(p.closers, p.inspector.Close)
	if err := p.pinger.Ping(ctx); err != nil {
		return fmt.Errorf("reach the broker (KRING_REDIS_URL): %w", err)
	}
	return nil
}

func (p *process) startWorker(ctx context.Context) (*workers.Server, error) {
	worker, err := workers.NewServer(workers.Config{
		RedisConnOpt:    p.broker,
		Store:           p.store,
		Logger:          p.logger,
		Concurrency:     p.cfg.WorkerConcurrency,
		ShutdownTimeout: p.cfg.ShutdownTimeout,
		IdlePoll:        p.cfg.WorkerPollInterval,
		Pictures:        p.federation.Conversations,
		// Settled deliveries are raw records of what the rollups already count.
		AnalyticsRetention: p.cfg.AnalyticsRetention,
	})
	if err != nil {
		return nil, err
	}
	worker.HandleInbound(p.federation.Processor())
	worker.HandleDeliveries(p.federation.Deliverer())
	worker.HandleEventReminders(p.federation.Events)
	worker.HandleScheduledDrafts(p.federation.Drafts)
	if p.cfg.MailOn {
		worker.HandleMail(email.NewSMTP(p.cfg.Mail))
		worker.HandleDigests(p.federation.Notifier)
	}
	// The sweeper's context outlives the signal: Shutdown stops it, after the HTTP server.
	if err := worker.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return worker, nil
}

// supportHolds is where a worker notes the members it finds over a group's support limit, for the
// inboxes to read (workers.SupportHolds); nil in a process that does not process inbound activities.
func (p *process) supportHolds(role processRole) (community.HeldBack, error) {
	if !role.worker {
		return nil, nil
	}
	holds, err := workers.NewSupportHolds(p.broker, p.logger)
	if err != nil {
		return nil, err
	}
	p.closers = append(p.closers, holds.Close)
	return holds, nil
}

func (p *process) startHTTP(ctx context.Context) (*site, error) {
	gin.SetMode(gin.ReleaseMode)
	engine, err := web.NewEngine(web.Options{
		Logger:         p.logger,
		TrustedProxies: p.cfg.TrustedProxies,
		LargerBodies:   admin.UploadRoutes(),
		Readiness: []web.ReadinessCheck{
			{Name: "database", Check: p.store.Ping},
			{Name: "broker", Check: p.pinger.Ping},
		},
		Requests: p.metrics,
	})
	if err != nil {
		return nil, err
	}
	if p.cfg.MetricsToken != "" {
		web.MountMetrics(engine, metrics.RequireToken(p.cfg.MetricsToken, p.metrics.Handler()))
	}
	pages := web.NewGroupPages(p.federation.IRIs).WithEvents(p.store)
	pages.Mount(engine)
	eventPages := web.NewEventPages(p.store, p.federation.IRIs, p.logger)
	eventPages.Mount(engine)
	web.NewGroupFeeds(p.store, p.federation.IRIs, p.logger).Mount(engine)
	web.NewOrganisationPages(p.store, p.federation.IRIs, p.logger).Mount(engine)
	web.MountMedia(engine, mediaDir(p.cfg), p.logger)
	documents.NewRoutes(documents.Config{Store: p.store, IRIs: p.federation.IRIs, Version: version,
		GroupPage: pages.Render, EventPage: eventPages.Event, Logger: p.logger}).Mount(engine)
	quota, err := workers.NewInboundQuota(p.broker, p.cfg.InboxLimits)
	if err != nil {
		return nil, err
	}
	p.closers = append(p.closers, quota.Close)
	if p.refusals, err = workers.NewRefusalTally(p.broker); err != nil {
		return nil, err
	}
	p.refusals.Start()
	p.closers = append(p.closers, p.refusals.Close)
	inbox.NewReceiver(inbox.ReceiverConfig{
		Store:       p.store,
		Quota:       quota,
		Verifier:    &signing.Verifier{Resolver: p.federation.KeyResolver(), Scheme: p.cfg.PublicURL.Scheme},
		IRIs:        p.federation.IRIs,
		Logger:      p.logger,
		MaxInFlight: p.cfg.InboxMaxInFlight,
		Observer:    inboxObservers{p.metrics, p.refusals},
	}).Mount(engine)
	if err := p.mountAdmin(engine); err != nil {
		return nil, err
	}
	return startSite(ctx, p.cfg, p.logger, engine)
}
