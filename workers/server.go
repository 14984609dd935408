package workers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/logctx"
	"github.com/kring-social/kring/app/store"
)

// DefaultShutdownTimeout is how long Shutdown lets running tasks finish before asynq puts them back
// on their queue; it stays under the 10 s a container gets between SIGTERM and SIGKILL.
const DefaultShutdownTimeout = 8 * time.Second

// DefaultIdlePoll is how long an idle `kring worker` waits before asking its queues again, unless
// KRING_WORKER_POLL_INTERVAL says otherwise; asynq waits half of it to one and a half times it. A
// member's post waits for it twice before its first delivery: once before the worker takes the
// post, once before it takes the deliveries the post made. asynq's own 1 s made a post take 2-3 s
// to reach followers; 200 ms left 0.43-0.46 s before the first host in the production benchmark.
// An idle worker polling every 100 ms took 0.9 % of a core, Redis 0.45 % (200 ms: 0.4 % and
// 0.35 %; 50 ms: 1.45 % and 0.55 %), measured over 20 s from /proc on 2026-12-06.
const DefaultIdlePoll = 100 * time.Millisecond

// Config describes a worker server.
type Config struct {
	RedisConnOpt    asynq.RedisConnOpt
	Store           *store.Store
	Logger          *slog.Logger
	Concurrency     int           // tasks run at once; zero means one per CPU
	ShutdownTimeout time.Duration // zero means DefaultShutdownTimeout
	SweepInterval   time.Duration // zero means DefaultSweepInterval
	SweepLease      time.Duration // zero means DefaultSweepLease
	// RetryDelayFunc replaces RetryDelay, the production backoff; tests shorten it.
	RetryDelayFunc asynq.RetryDelayFunc
	// IdlePoll is how long an idle worker waits before asking the queues again; zero keeps asynq's
	// 1 s. A new activity waits for this at most, once for its processing and once for its
	// deliveries, so the shipped default is shorter.
	IdlePoll time.Duration
	// PollInterval sets IdlePoll and how often the scheduled and retry sets are checked (asynq: 5 s)
	// at once; tests shorten it.
	PollInterval time.Duration
	// Pictures deletes the posts' pictures nothing uses any more, with the hourly pruning; nil
	// keeps them.
	Pictures PictureSweeper
	// AnalyticsRetention is how long settled deliveries are kept (pruner_outbox.go); zero means
	// DefaultAnalyticsRetention.
	AnalyticsRetention time.Duration
}

// PictureSweeper deletes the posts' pictures stored before cutoff that nothing uses any more.
type PictureSweeper interface {
	SweepUnusedPictures(ctx context.Context, cutoff time.Time) (int, error)
}

// Server runs task handlers on asynq, with every handler wrapped in the outbox bookkeeping, and the
// outbox sweeper beside them.
type Server struct {
	asynq      *asynq.Server
	mux        *asynq.ServeMux
	store      *store.Store
	logger     *slog.Logger
	client     *Client
	dispatcher *Dispatcher
	sweeper    *Sweeper
	pictures   PictureSweeper
	retention  time.Duration
	runners    *taskRunners

	mu           sync.Mutex
	stopSweep    context.CancelFunc
	sweepEnded   chan struct{}
	shutdownOnce sync.Once
}

// NewServer builds a server; register handlers with Handle, then Start it.
func NewServer(cfg Config) (*Server, error) {
	if cfg.RedisConnOpt == nil {
		return nil, errors.New("worker server: no broker connection given")
	}
	if cfg.Store == nil {
		return nil, errors.New("worker server: no store given")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	// The server's own lines name their task through the context like everyone else's, even when
	// the logger given has no logctx handler yet.
	logger = slog.New(logctx.Handler(logger.Handler())).With(slog.String("component", "worker"))
	shutdownTimeout := cfg.ShutdownTimeout
	if shutdownTimeout <= 0 {
		shutdownTimeout = DefaultShutdownTimeout
	}
	retryDelay := cfg.RetryDelayFunc
	if retryDelay == nil {
		retryDelay = RetryDelay
	}
	asynqConfig := asynq.Config{
		Concurrency:     cfg.Concurrency,
		Queues:          QueuePriorities(),
		StrictPriority:  false,
		RetryDelayFunc:  retryDelay,
		IsFailure:       isFailure,
		ShutdownTimeout: shutdownTimeout,
		Logger:          asynqLogger{logger: logger},
		ErrorHandler:    asynq.ErrorHandlerFunc(errorLogger(logger)),
	}
	if cfg.IdlePoll > 0 {
		asynqConfig.TaskCheckInterval = cfg.IdlePoll
	}
	if cfg.PollInterval > 0 {
		asynqConfig.TaskCheckInterval = cfg.PollInterval
		asynqConfig.DelayedTaskCheckInterval = cfg.PollInterval
	}
	client := NewClient(cfg.RedisConnOpt)
	dispatcher := NewDispatcher(client, cfg.Store, logger)
	return &Server{
		asynq:      asynq.NewServer(cfg.RedisConnOpt, asynqConfig),
		mux:        asynq.NewServeMux(),
		store:      cfg.Store,
		logger:     logger,
		client:     client,
		dispatcher: dispatcher,
		sweeper:    NewSweeper(cfg.Store, dispatcher, cfg.SweepInterval, cfg.SweepLease, logger),
		pictures:   cfg.Pictures,
		retention:  cmp.Or(cfg.AnalyticsRetention, DefaultAnalyticsRetention),
		runners:    newTaskRunners(cmp.Or(cfg.Concurrency, runtime.NumCPU())), // asynq's default for 0
	}, nil
}

// Handle registers the handler of a task type. Call it before Start.
func (s *Server) Handle(taskType string, handler asynq.Handler) {
	s.mux.Handle(taskType, handler)
}

// HandleFunc registers a function as the handler of a task type.
func (s *Server) HandleFunc(taskType string, fn func(context.Context, *asynq.Task) error) {
	s.mux.HandleFunc(taskType, fn)
}

// Dispatcher returns the dispatcher the server sweeps with; a process running the web server too may
// give it to the store. It stops working after Shutdown.
func (s *Server) Dispatcher() *Dispatcher { return s.dispatcher }

// Start begins processing tasks and sweeping the outbox. The whole mux sits behind the durable
// middleware, so a task of a type nobody handles is failed and recorded like any other failure
// rather than dropped.
func (s *Server) Start(ctx context.Context) error {
	if err := s.asynq.Start(durable(s.store, s.logger, s.runners, s.mux)); err != nil {
		return fmt.Errorf("start worker server: %w", err)
	}
	sweepCtx, stop := context.WithCancel(ctx)
	ended := make(chan struct{})
	s.mu.Lock()
	s.stopSweep, s.sweepEnded = stop, ended
	s.mu.Unlock()
	go func() {
		defer close(ended)
		var housekeeping sync.WaitGroup
		housekeeping.Add(2)
		go func() {
			defer housekeeping.Done()
			runPruner(sweepCtx, s.store, s.pictures, s.retention, s.logger)
		}()
		go func() {
			defer housekeeping.Done()
			runCountFolder(sweepCtx, s.store, s.logger)
		}()
		s.sweeper.Run(sweepCtx)
		housekeeping.Wait()
	}()
	return nil
}

// Shutdown stops fetching tasks, lets running ones finish for up to the shutdown timeout, and has
// asynq put back on their queues the ones that did not; then it stops the sweeper and closes the
// broker client. Call it on SIGTERM; later calls do nothing.
func (s *Server) Shutdown() {
	s.shutdownOnce.Do(s.shutdown)
}

func (s *Server) shutdown() {
	s.mu.Lock()
	stop, ended := s.stopSweep, s.sweepEnded
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-ended
	}
	s.asynq.Shutdown()
	s.runners.close()
	s.dispatcher.Flush()
	if err := s.client.Close(); err != nil {
		s.logger.Warn("close broker client", slog.Any("error", err))
	}
}

// errorLogger logs each failed attempt: a warning while asynq will retry, an error when it gives up.
func errorLogger(logger *slog.Logger) func(context.Context, *asynq.Task, error) {
	return func(ctx context.Context, task *asynq.Task, err error) {
		id, _ := asynq.GetTaskID(ctx)
		ctx = logctx.WithTaskID(ctx, id, task.Type()) // asynq passes its own context, not the handler's
		retried, _ := asynq.GetRetryCount(ctx)
		maxRetry, _ := asynq.GetMaxRetry(ctx)
		level := slog.LevelWarn
		message := "task failed; will retry"
		if isPostponed(err) {
			level, message = slog.LevelDebug, "task postponed"
		} else if errors.Is(ctx.Err(), context.Canceled) {
			level, message = slog.LevelInfo, "task interrupted"
		} else if isFinalAttempt(ctx, err) {
			level, message = slog.LevelError, "task failed for good"
		}
		logger.Log(ctx, level, message,
			slog.Int("retried", retried), slog.Int("max_retry", maxRetry), slog.Any("error", err))
	}
}
