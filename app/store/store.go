// Package store is Kring's only door to the database: it opens PostgreSQL or SQLite through gorm and
// offers the queries the services need, each taking a context first. Transaction runs a function in one
// database transaction; background work recorded inside it is handed to the broker only after commit.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// Dialect names the database engine behind a Store.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// PostgresMaxOpenConns bounds one process's connections: enough for a worker's concurrency and the
// web server's requests, few enough that several processes fit PostgreSQL's default 100.
const PostgresMaxOpenConns = 32

// SQLiteFileName is the database file created in the data directory when no database URL is set.
const SQLiteFileName = "kring.db"

// TaskDispatcher hands committed tasks to the broker. It must not fail the caller: a task it could not
// enqueue stays in the queued_tasks table and the sweeper enqueues it later.
type TaskDispatcher interface {
	DispatchTasks(ctx context.Context, tasks []model.QueuedTask)
}

// Options say which database to open.
type Options struct {
	DatabaseURL string // postgres:// or postgresql://; empty means SQLite in DataDir
	DataDir     string
	Logger      *slog.Logger
}

// Store wraps a gorm handle. Inside Transaction it wraps the transaction's handle and collects the
// tasks recorded so far.
type Store struct {
	db         *gorm.DB
	dialect    Dialect
	dispatcher TaskDispatcher
	txTasks    *[]model.QueuedTask // non-nil inside a transaction
	tail       *commitTail         // increments run last, inside a transaction (commit_tail.go)
	batches    *inboundBatches     // statements concurrent calls share, on PostgreSQL (inbound_batches.go)
}

// Open connects to the database described by opts, without migrating it.
func Open(ctx context.Context, opts Options) (*Store, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	config := &gorm.Config{
		Logger: newQueryLogger(logger),
		// Times are kept in UTC with microsecond precision, the finest PostgreSQL stores, so a value
		// read back compares equal to the one written.
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		TranslateError:         true,
		SkipDefaultTransaction: true,
	}
	var (
		db      *gorm.DB
		dialect Dialect
		err     error
	)
	if opts.DatabaseURL == "" {
		dialect = SQLite
		db, err = openSQLite(opts.DataDir, config)
	} else {
		dialect = Postgres
		db, err = openPostgres(opts.DatabaseURL, config)
	}
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, dialect: dialect}
	if dialect == Postgres {
		s.batches = newInboundBatches(s)
	}
	if err := s.Ping(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func openPostgres(databaseURL string, config *gorm.Config) (*gorm.DB, error) {
	parsed, err := url.Parse(databaseURL)
	if err != nil || (parsed.Scheme != "postgres" && parsed.Scheme != "postgresql") {
		return nil, fmt.Errorf("database URL must start with postgres:// or postgresql://")
	}
	db, err := gorm.Open(postgres.New(postgres.Config{DSN: databaseURL}), config)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL at %s: %w", redactURL(parsed), err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL: %w", err)
	}
	sqlDB.SetMaxOpenConns(PostgresMaxOpenConns)
	sqlDB.SetMaxIdleConns(PostgresMaxOpenConns)
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	return db, nil
}

func openSQLite(dataDir string, config *gorm.Config) (*gorm.DB, error) {
	if dataDir == "" {
		return nil, errors.New("no data directory given for the SQLite database")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", dataDir, err)
	}
	path := filepath.Join(dataDir, SQLiteFileName)
	// WAL lets readers run beside the single writer; BEGIN IMMEDIATE takes the write lock at the start
	// of a transaction so two writers queue on busy_timeout instead of failing on lock upgrade.
	dsn := "file:" + path + "?_txlock=immediate" +
		"&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	db, err := gorm.Open(sqlite.Open(dsn), config)
	if err != nil {
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	sqlDB.SetMaxOpenConns(8)
	return db, nil
}

// redactURL hides a password in a URL for messages.
func redactURL(u *url.URL) string {
	return u.Redacted()
}

// Dialect says which engine this store talks to.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB returns the gorm handle, for migrations and tests.
func (s *Store) DB() *gorm.DB { return s.db }

// PoolSize is how many connections the store opens at most; what serves requests sizes its
// admission to it, so requests wait at the door rather than for a connection.
func (s *Store) PoolSize() int {
	sqlDB, err := s.db.DB()
	if err != nil {
		return 1
	}
	if n := sqlDB.Stats().MaxOpenConnections; n > 0 {
		return n
	}
	return PostgresMaxOpenConns // unlimited: never the case for a store Open made
}

// SetTaskDispatcher wires the broker that committed tasks are handed to. cmd calls it once while
// building the object graph, before the store is shared.
func (s *Store) SetTaskDispatcher(d TaskDispatcher) { s.dispatcher = d }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s database: %w", s.dialect, err)
	}
	return nil
}

// Close releases the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// InTransaction reports whether s wraps an open transaction.
func (s *Store) InTransaction() bool { return s.txTasks != nil }

// Transaction runs fn in one database transaction. Tasks recorded through the transaction's store are
// dispatched after a successful commit. Called on a store that is already inside a transaction, it runs
// fn in that same transaction.
func (s *Store) Transaction(ctx context.Context, fn func(tx *Store) error) error {
	if s.InTransaction() {
		return fn(s)
	}
	var tasks []model.QueuedTask
	err := s.db.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
		var err error
		tasks, err = s.runTransaction(ctx, gtx, fn, false)
		return err
	})
	if err != nil {
		return err
	}
	s.dispatch(ctx, tasks)
	return nil
}

// runTransaction runs fn on a store bound to db, a handle inside an open transaction, then the
// transaction's tail (commit_tail.go), whose last statement carries the COMMIT when commitWithTail
// (TransactionHolding's connection sends them together); it returns the tasks fn recorded, to be
// dispatched once the transaction has committed. Transaction and TransactionHolding differ only in
// how they open and close the transaction around it.
func (s *Store) runTransaction(ctx context.Context, db *gorm.DB, fn func(tx *Store) error, commitWithTail bool) ([]model.QueuedTask, error) {
	var tasks []model.QueuedTask
	tx := &Store{db: db, dialect: s.dialect, dispatcher: s.dispatcher, txTasks: &tasks, tail: &commitTail{}}
	if err := fn(tx); err != nil {
		return nil, err
	}
	if err := tx.tail.run(ctx, tx, commitWithTail); err != nil {
		return nil, err
	}
	return tasks, nil
}

func (s *Store) dispatch(ctx context.Context, tasks []model.QueuedTask) {
	if len(tasks) > 0 && s.dispatcher != nil {
		s.dispatcher.DispatchTasks(context.WithoutCancel(ctx), tasks)
	}
}

// conn returns the gorm handle bound to ctx.
func (s *Store) conn(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// isUniqueViolation reports whether err is a duplicate key error from either engine.
func isUniqueViolation(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	// PostgreSQL's own error, when it did not come through gorm's translation (a pipeline's).
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique_violation
		return true
	}
	// glebarez/sqlite does not translate errors; match SQLite's message.
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// ErrNotFound is returned by lookups that found no row.
var ErrNotFound = errors.New("not found")

func notFoundAs(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
