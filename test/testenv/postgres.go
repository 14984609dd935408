package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
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

// Postgres returns a migrated store in a fresh PostgreSQL schema of the test's own; the schema is
// dropped when the test ends.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	st := EmptyPostgres(t)
	migrateTestStore(t, st)
	return st
}

// EmptyPostgres is Postgres without the migrations: a fresh, empty schema, for tests of the
// migrations themselves.
func EmptyPostgres(t testing.TB) *store.Store {
	t.Helper()
	st, _ := openPostgresSchema(t)
	return st
}

// PostgresURL creates a fresh, empty schema like EmptyPostgres and returns a database URL whose
// connections use it, for tests that open their own stores (several processes on one database).
func PostgresURL(t testing.TB) string {
	t.Helper()
	_, schemaURL := openPostgresSchema(t)
	return schemaURL
}

func openPostgresSchema(t testing.TB) (*store.Store, string) {
	t.Helper()
	ctx := context.Background()
	rawURL := os.Getenv("KRING_TEST_DATABASE_URL")
	if rawURL == "" {
		rawURL = DefaultDatabaseURL
	}
	base, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("KRING_TEST_DATABASE_URL %q is not a URL: %v", rawURL, err)
	}

	admin, err := store.Open(ctx, store.Options{DatabaseURL: rawURL, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("PostgreSQL at %s is unreachable (%v): start PostgreSQL: scripts/test does it, or set KRING_TEST_DATABASE_URL",
			base.Redacted(), err)
	}
	limitPool(t, admin, 1)
	schema := "t_" + randomHex(t, 8)
	if err := admin.DB().WithContext(ctx).Exec("CREATE SCHEMA " + schema).Error; err != nil {
		_ = admin.Close()
		t.Fatalf("create test schema %s: %v", schema, err)
	}
	// Registered first, so it runs last: after the test's store has closed its connections.
	t.Cleanup(func() {
		if err := admin.DB().Exec("DROP SCHEMA " + schema + " CASCADE").Error; err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
		_ = admin.Close()
	})

	// pgx passes unknown URL parameters to the server as run-time parameters, so every connection
	// of the pool starts with this search_path.
	schemaURL := *base
	query := schemaURL.Query()
	query.Set("search_path", schema)
	schemaURL.RawQuery = query.Encode()
	st, err := store.Open(ctx, store.Options{DatabaseURL: schemaURL.String(), Logger: quietLogger()})
	if err != nil {
		t.Fatalf("open PostgreSQL store in schema %s: %v", schema, err)
	}
	limitPool(t, st, testStoreMaxConns)
	t.Cleanup(func() { _ = st.Close() })
	return st, schemaURL.String()
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

// migrateTestStore brings st's schema up to date. Each test has a schema of its own and migrations
// lock per schema, so tests migrating in parallel do not wait on each other.
func migrateTestStore(t testing.TB, st *store.Store) {
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
