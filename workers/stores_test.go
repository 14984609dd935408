package workers_test

import (
	"context"
	"testing"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/migrations"
	"github.com/kring-social/kring/test/testenv"
)

// postgresStore and sqliteStore give a test a migrated store of its own. The PostgreSQL one is
// testenv's, in a schema of the test's own with a bounded pool: the tests run in parallel, and with
// the other packages' tests, against one server whose connections they share.
func postgresStore(t *testing.T) *store.Store { return testenv.Postgres(t) }

func sqliteStore(t *testing.T) *store.Store { return testenv.SQLite(t) }

// migrate brings a store the test opened itself (with a logger of its own) up to date.
func migrate(t *testing.T, st *store.Store, dialect migrations.Dialect) {
	t.Helper()
	sqlDB, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Up(context.Background(), sqlDB, dialect, nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}
