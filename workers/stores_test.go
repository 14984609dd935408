package workers_test

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

// Until test/testenv offers Postgres(t) and SQLite(t), these open a migrated store of the test's own.

func postgresStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	raw := os.Getenv("KRING_TEST_DATABASE_URL")
	if raw == "" {
		raw = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	admin, err := store.Open(ctx, store.Options{DatabaseURL: raw})
	if err != nil {
		t.Fatalf("PostgreSQL is unreachable (%v): start it (scripts/test does it) or set KRING_TEST_DATABASE_URL", err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	schema := "workers_test_" + hex.EncodeToString(suffix)
	if err := admin.DB().Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() { _ = admin.DB().Exec("DROP SCHEMA " + schema + " CASCADE").Error })

	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := store.Open(ctx, store.Options{DatabaseURL: u.String()})
	if err != nil {
		t.Fatalf("open store in schema %s: %v", schema, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	migrate(t, st, migrations.Postgres)
	return st
}

func sqliteStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open SQLite store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	migrate(t, st, migrations.SQLite)
	return st
}

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
