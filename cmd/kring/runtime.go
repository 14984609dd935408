package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/migrations"
)

// parseFlags parses a subcommand's flags, the settings among them, and loads the configuration; it
// returns the arguments that are not flags. extra registers the subcommand's own flags, if any.
func parseFlags(inv *invocation, name string, extra func(fs *flag.FlagSet)) (*Config, []string, error) {
	fs := flag.NewFlagSet("kring "+name, flag.ContinueOnError)
	fs.SetOutput(inv.stderr)
	values := registerSettingFlags(fs)
	if extra != nil {
		extra(fs)
	}
	positional, err := parseInterspersed(fs, inv.args)
	if err != nil {
		return nil, nil, usageError{err}
	}
	cfg, err := loadConfig(values, inv.lookupEnv)
	if err != nil {
		return nil, nil, usageError{err}
	}
	return cfg, positional, nil
}

// parseInterspersed parses flags wherever they stand, so `group show lobby --json` and
// `group show --json lobby` mean the same; the standard flag package stops at the first argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil // "--" ends flags for good
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// openStore connects to the configured database and, when migrate is set, brings its schema up to
// date first, so no process ever runs against an old schema.
func openStore(ctx context.Context, cfg *Config, logger *slog.Logger, migrate bool) (*store.Store, error) {
	st, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if !migrate {
		return st, nil
	}
	if err := applyMigrations(ctx, st, logger); err != nil {
		_ = st.Close()
		return nil, err
	}
	return st, nil
}

func applyMigrations(ctx context.Context, st *store.Store, logger *slog.Logger) error {
	sqlDB, err := st.DB().DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	applied, err := migrations.Up(ctx, sqlDB, migrations.Dialect(st.Dialect()), nil)
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	if applied > 0 {
		logger.Info("database migrated", "applied", applied, "dialect", string(st.Dialect()))
	}
	return nil
}

// exitCodeForDomain maps a domain error's kind to the documented exit codes.
func exitCodeForDomain(err error) int {
	switch apperror.KindOf(err) {
	case apperror.KindInvalid:
		return exitInvalid
	case apperror.KindConflict:
		return exitConflict
	case apperror.KindNotFound:
		return exitNotFound
	default:
		return exitFailure
	}
}

// closeAll runs closers in reverse order of opening and logs what failed.
func closeAll(logger *slog.Logger, closers []func() error) {
	for i := len(closers) - 1; i >= 0; i-- {
		if err := closers[i](); err != nil && !errors.Is(err, io.EOF) {
			logger.Warn("shutdown step failed", "error", err)
		}
	}
}
