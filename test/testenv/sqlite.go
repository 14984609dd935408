package testenv

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/kring-social/kring/app/store"
)

// SQLite returns a migrated store on a SQLite file in the test's temporary directory, as the
// embedded default runs.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	st := EmptySQLite(t)
	Migrate(t, st)
	return st
}

// EmptySQLite is SQLite without the migrations, for tests of the migrations themselves.
func EmptySQLite(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatalf("open SQLite store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// ForEachDatabase runs test as two subtests, "postgres" and "sqlite", each with a migrated store of
// its own, so one test body covers both engines Kring supports.
func ForEachDatabase(t *testing.T, test func(t *testing.T, st *store.Store)) {
	t.Helper()
	engines := []struct {
		name string
		open func(testing.TB) *store.Store
	}{
		{"postgres", Postgres},
		{"sqlite", SQLite},
	}
	for _, engine := range engines {
		t.Run(engine.name, func(t *testing.T) {
			test(t, engine.open(t))
		})
	}
}

// quietLogger drops gorm's warnings: tests provoke unique violations on purpose and check the errors
// they get, so the log lines would only be noise.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
