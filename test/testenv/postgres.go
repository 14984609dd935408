package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/migrations"
)

// DefaultDatabaseURL is the PostgreSQL the tests use unless KRING_TEST_DATABASE_URL says otherwise.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// testStoreMaxConns bounds each test's pool: test packages run in parallel against one server whose
// max_connections (100 by default) they share.
const testStoreMaxConns = 8

// Postgres returns a migrated, empty store in a PostgreSQL schema of the test's own. The schema comes
// from this process's pool of migrated schemas (schema_pool.go) and goes back to it, emptied, when
// the test ends.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	pool := testSchemaPool(t)
	schema, migrated, err := pool.take(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Registered before the store opens, so it runs after the store has closed its connections.
	t.Cleanup(func() {
		if err := pool.giveBack(ctx, schema); err != nil {
			t.Errorf("hand back test schema %s: %v", schema, err)
		}
	})
	st := openSchemaStore(t, pool.schemaURL(schema), schema)
	if !migrated {
		Migrate(t, st)
		if err := pool.learnTables(ctx, schema); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// EmptyPostgres is a fresh, empty schema with no migrations applied, for tests of the migrations
// themselves; it is dropped when the test ends.
func EmptyPostgres(t testing.TB) *store.Store {
	t.Helper()
	schemaURL := PostgresURL(t)
	return openSchemaStore(t, schemaURL, "of EmptyPostgres")
}

// PostgresURL creates a fresh, empty schema like EmptyPostgres and returns a database URL whose
// connections use it, for tests that open their own stores (several processes on one database).
// Such schemas are never pooled: a killed process's last statement may still land after its test.
func PostgresURL(t testing.TB) string {
	t.Helper()
	pool := testSchemaPool(t)
	schema := "t_" + randomHex(t, 8)
	if _, err := pool.admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if err := pool.drop(context.Background(), schema); err != nil {
			t.Error(err)
		}
	})
	return pool.schemaURL(schema)
}

func testSchemaPool(t testing.TB) *schemaPool {
	t.Helper()
	rawURL := os.Getenv("KRING_TEST_DATABASE_URL")
	if rawURL == "" {
		rawURL = DefaultDatabaseURL
	}
	pool, err := sharedSchemaPool(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return pool
}

func openSchemaStore(t testing.TB, schemaURL, schema string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{DatabaseURL: schemaURL, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("open PostgreSQL store in schema %s: %v", schema, err)
	}
	limitPool(t, st, testStoreMaxConns)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func limitPool(t testing.TB, st *store.Store, conns int) {
	t.Helper()
	sqlDB, err := st.DB().DB()
	if err != nil {
		t.Fatalf("database handle: %v", err)
	}
	sqlDB.SetMaxOpenConns(conns)
	sqlDB.SetMaxIdleConns(conns)
}

// Migrate brings st's schema up to date: for a store a test opened itself (with a logger of its own,
// say). Each test has a schema of its own and migrations lock per schema, so tests migrating in
// parallel do not wait on each other.
func Migrate(t testing.TB, st *store.Store) {
	t.Helper()
	sqlDB, err := st.DB().DB()
	if err != nil {
		t.Fatalf("database handle: %v", err)
	}
	if _, err := migrations.Up(context.Background(), sqlDB, migrations.Dialect(st.Dialect()), nil); err != nil {
		t.Fatalf("migrate the test database (%s): %v", st.Dialect(), err)
	}
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random name: %v", err)
	}
	return hex.EncodeToString(b)
}

// PostgresAtFullSize is Postgres with the connection pool store.Open gives a production process,
// for benchmarks: the tests' small pool would measure the pool, not Kring.
func PostgresAtFullSize(t testing.TB) *store.Store {
	t.Helper()
	st := Postgres(t)
	limitPool(t, st, store.PostgresMaxOpenConns)
	return st
}
