package migrations_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/migrations"
	"github.com/kring-social/kring/test/testenv"
)

type engine struct {
	name    string
	open    func(testing.TB) *store.Store
	dialect migrations.Dialect
	goose   goose.Dialect
}

// engines give each test an empty database of both kinds Kring runs on.
func engines() []engine {
	return []engine{
		{"postgres", testenv.EmptyPostgres, migrations.Postgres, goose.DialectPostgres},
		{"sqlite", testenv.EmptySQLite, migrations.SQLite, goose.DialectSQLite3},
	}
}

func sqlDB(t *testing.T, st *store.Store) *sql.DB {
	t.Helper()
	db, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// migrationFiles counts the migrations on disk, which the binary embeds.
func migrationFiles(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob("sql/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found in sql/ (%v)", err)
	}
	return len(files)
}

func TestUpStatusAndRerun(t *testing.T) {
	t.Parallel()
	total := migrationFiles(t)
	for _, engine := range engines() {
		t.Run(engine.name, func(t *testing.T) {
			ctx := context.Background()
			db := sqlDB(t, engine.open(t))

			pending, err := migrations.Pending(ctx, db, engine.dialect)
			if err != nil || !pending {
				t.Fatalf("empty database: pending=%t, %v; want pending", pending, err)
			}
			applied, err := migrations.Up(ctx, db, engine.dialect, nil)
			if err != nil || applied != total {
				t.Fatalf("first Up applied %d (%v), want %d", applied, err, total)
			}
			statuses, err := migrations.Status(ctx, db, engine.dialect)
			if err != nil || len(statuses) != total {
				t.Fatalf("status: %+v, %v", statuses, err)
			}
			// Versions rise strictly but may skip a number: a migration numbered on a branch in
			// parallel with another's (00013 while 00012 is written elsewhere) keeps its number.
			var previous int64
			for i, s := range statuses {
				if s.Version <= previous || !s.Applied || s.AppliedAt.IsZero() {
					t.Errorf("migration %d: %+v, want a version above %d, applied", i, s, previous)
				}
				previous = s.Version
			}
			if pending, err := migrations.Pending(ctx, db, engine.dialect); err != nil || pending {
				t.Errorf("after Up: pending=%t, %v", pending, err)
			}
			again, err := migrations.Up(ctx, db, engine.dialect, nil)
			if err != nil || again != 0 {
				t.Errorf("second Up applied %d (%v), want 0", again, err)
			}
		})
	}
}

// TestDownThenUp runs every Down section, then the history again: the Down sections drop what
// their Up sections create, in an order the foreign keys allow.
func TestDownThenUp(t *testing.T) {
	t.Parallel()
	total := migrationFiles(t)
	for _, engine := range engines() {
		t.Run(engine.name, func(t *testing.T) {
			ctx := context.Background()
			db := sqlDB(t, engine.open(t))
			if _, err := migrations.Up(ctx, db, engine.dialect, nil); err != nil {
				t.Fatal(err)
			}
			provider, err := goose.NewProvider(engine.goose, db, os.DirFS("sql"), goose.WithDisableGlobalRegistry(true))
			if err != nil {
				t.Fatal(err)
			}
			down, err := provider.DownTo(ctx, 0)
			if err != nil || len(down) != total {
				t.Fatalf("down to 0: %d rolled back (%v), want %d", len(down), err, total)
			}
			applied, err := migrations.Up(ctx, db, engine.dialect, nil)
			if err != nil || applied != total {
				t.Fatalf("Up after Down applied %d (%v), want %d", applied, err, total)
			}
		})
	}
}

// TestConcurrentUpOnPostgres starts two "processes" (stores with their own pools) migrating one
// database at once, as serve and worker do under docker compose: each migration runs exactly once.
func TestConcurrentUpOnPostgres(t *testing.T) {
	t.Parallel()
	total := migrationFiles(t)
	ctx := context.Background()
	url := testenv.PostgresURL(t)
	dbs := make([]*sql.DB, 2)
	for i := range dbs {
		st, err := store.Open(ctx, store.Options{DatabaseURL: url})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		dbs[i] = sqlDB(t, st)
	}
	applied := make([]int, len(dbs))
	errs := make([]error, len(dbs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			<-start
			applied[i], errs[i] = migrations.Up(ctx, db, migrations.Postgres, nil)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v", i, err)
		}
	}
	if applied[0]+applied[1] != total {
		t.Errorf("the processes applied %d and %d migrations, want %d in all", applied[0], applied[1], total)
	}
	var versions int
	if err := dbs[0].QueryRowContext(ctx, "SELECT count(*) FROM goose_db_version WHERE version_id > 0").Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if versions != total {
		t.Errorf("goose_db_version holds %d applied versions, want %d", versions, total)
	}
}

// The migration lock belongs to one schema: while a migration of one schema holds it, another
// schema of the same database migrates without waiting (before, every schema shared one lock, and
// a test suite's schemas migrated one at a time).
func TestMigrationLockIsPerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	holder := sqlDB(t, testenv.EmptyPostgres(t))
	held, err := migrations.SchemaLockID(ctx, holder)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := holder.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", held); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", held) }()

	other := sqlDB(t, testenv.EmptyPostgres(t))
	if id, err := migrations.SchemaLockID(ctx, other); err != nil || id == held {
		t.Fatalf("the other schema's lock is %d (%v), the same as the held one", id, err)
	}
	// The lock is polled every second for 5 minutes: a shared lock would outlast this deadline.
	bounded, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := migrations.Up(bounded, other, migrations.Postgres, nil); err != nil {
		t.Fatalf("the other schema could not migrate while the first one's lock was held: %v", err)
	}
	// The held schema's own migration does wait for its lock.
	short, cancelShort := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancelShort()
	if _, err := migrations.Up(short, holder, migrations.Postgres, nil); err == nil {
		t.Fatal("a migration ran on a schema whose migration lock another session held")
	}
}
