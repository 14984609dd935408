package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/migrations"
)

// runMigrateCopy moves the embedded default to PostgreSQL: it migrates the target, copies every row
// of the SQLite database in the data directory into it, and reports each table's row counts. The
// media stays in the data directory, which the PostgreSQL-backed Kring keeps using.
func runMigrateCopy(ctx context.Context, inv *invocation, cfg *Config, to string, asJSON bool) error {
	if cfg.DatabaseURL != "" {
		return usageErrorf("kring migrate copy reads the SQLite database in KRING_DATA_DIR; unset KRING_DATABASE_URL and name the target with --to")
	}
	target := &Config{}
	if err := applyDatabaseURL(target, to); err != nil || target.DatabaseURL == "" {
		return usageErrorf("usage: kring migrate copy --to postgres://user:pass@host:5432/db (the target PostgreSQL, empty)")
	}
	databasePath := filepath.Join(cfg.DataDir, store.SQLiteFileName)
	if _, err := os.Stat(databasePath); err != nil {
		return apperror.NotFound("no Kring database at %s; is KRING_DATA_DIR right?", databasePath)
	}
	logger := newLogger(cfg, inv.stderr)
	// Both sides are brought to this Kring's schema first, so their tables and columns agree.
	source, err := openStore(ctx, cfg, logger, true)
	if err != nil {
		return err
	}
	defer source.Close()
	destination, err := openStore(ctx, &Config{DatabaseURL: target.DatabaseURL}, logger, true)
	if err != nil {
		return err
	}
	defer destination.Close()
	if err := sameSchemaVersion(ctx, source, destination); err != nil {
		return err
	}
	counts, err := store.CopyToPostgres(ctx, source, destination)
	if errors.Is(err, store.ErrTargetNotEmpty) {
		return apperror.Conflict("to", "%v", err)
	}
	if err != nil {
		return fmt.Errorf("copy to PostgreSQL (nothing was committed): %w", err)
	}
	return printCopyCounts(inv.stdout, asJSON, counts)
}

func sameSchemaVersion(ctx context.Context, source, destination *store.Store) error {
	var versions [2]int64
	for i, st := range []*store.Store{source, destination} {
		sqlDB, err := st.DB().DB()
		if err != nil {
			return fmt.Errorf("database handle: %w", err)
		}
		if versions[i], err = migrations.CurrentVersion(ctx, sqlDB, migrations.Dialect(st.Dialect())); err != nil {
			return err
		}
	}
	if versions[0] != versions[1] {
		return fmt.Errorf("SQLite is at schema version %d and PostgreSQL at %d; both must be at this Kring's", versions[0], versions[1])
	}
	return nil
}

func printCopyCounts(w io.Writer, asJSON bool, counts []store.TableCount) error {
	if asJSON {
		return json.NewEncoder(w).Encode(counts)
	}
	var rows int64
	fmt.Fprintf(w, "%-30s %10s %10s\n", "table", "sqlite", "postgres")
	for _, c := range counts {
		fmt.Fprintf(w, "%-30s %10d %10d\n", c.Table, c.Source, c.Target)
		rows += c.Target
	}
	_, err := fmt.Fprintf(w, "copied %d row(s) in %d table(s); every count matches. Start Kring with KRING_DATABASE_URL set to the target; the media stays in KRING_DATA_DIR/media\n",
		rows, len(counts))
	return err
}
