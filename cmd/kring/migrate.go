package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/kring-social/kring/migrations"
)

// runMigrate applies (up) or lists (status) migrations, or copies the embedded default's database
// into PostgreSQL (copy).
func runMigrate(ctx context.Context, inv *invocation) error {
	var (
		asJSON bool
		copyTo string
	)
	cfg, args, err := parseFlags(inv, "migrate", func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
		fs.StringVar(&copyTo, "to", "", "with copy: the postgres:// URL of the empty database to copy into")
	})
	if err != nil {
		return err
	}
	action := "up"
	if len(args) > 0 {
		action = args[0]
	}
	if len(args) == 1 && action == "copy" {
		return runMigrateCopy(ctx, inv, cfg, copyTo, asJSON)
	}
	if len(args) > 1 || (action != "up" && action != "status") || copyTo != "" {
		return usageErrorf("usage: kring migrate [up|status] [--json], or kring migrate copy --to postgres://…")
	}
	logger := newLogger(cfg, inv.stderr)
	st, err := openStore(ctx, cfg, logger, false)
	if err != nil {
		return err
	}
	defer st.Close()
	sqlDB, err := st.DB().DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	dialect := migrations.Dialect(st.Dialect())
	if action == "up" {
		applied, err := migrations.Up(ctx, sqlDB, dialect, nil)
		if err != nil {
			return fmt.Errorf("migrate database: %w", err)
		}
		return printMigrateUp(inv.stdout, asJSON, dialect, applied)
	}
	statuses, err := migrations.Status(ctx, sqlDB, dialect)
	if err != nil {
		return err
	}
	return printMigrateStatus(inv.stdout, asJSON, statuses)
}

func printMigrateUp(w io.Writer, asJSON bool, dialect migrations.Dialect, applied int) error {
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"dialect": dialect, "applied": applied})
	}
	_, err := fmt.Fprintf(w, "%s: applied %d migration(s); schema is up to date\n", dialect, applied)
	return err
}

func printMigrateStatus(w io.Writer, asJSON bool, statuses []migrations.Applied) error {
	if asJSON {
		return json.NewEncoder(w).Encode(statuses)
	}
	for _, s := range statuses {
		state := "pending"
		if s.Applied {
			state = "applied " + s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		if _, err := fmt.Fprintf(w, "%05d  %-40s %s\n", s.Version, s.Name, state); err != nil {
			return err
		}
	}
	return nil
}
