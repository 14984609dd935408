package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/backup"
)

// runRestore restores a backup made by `kring backup` into an empty data directory, then migrates
// the database, so a backup made by an older Kring comes back on today's schema.
func runRestore(ctx context.Context, inv *invocation) error {
	var from string
	cfg, args, err := parseFlags(inv, "restore", func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "the archive `kring backup` wrote")
	})
	if err != nil {
		return err
	}
	if len(args) > 0 || from == "" {
		return usageErrorf("usage: kring restore --from FILE  (into KRING_DATA_DIR, which must be empty)")
	}
	if cfg.DatabaseURL != "" {
		return usageErrorf("kring restore fills the embedded default's data directory; unset KRING_DATABASE_URL, " +
			"or restore PostgreSQL with pg_restore (see the README's \"Backups and moving\")")
	}
	archive, err := os.Open(from)
	if err != nil {
		return apperror.NotFound("cannot open the backup %s: %v", from, err)
	}
	defer archive.Close()
	manifest, err := backup.Restore(archive, cfg.DataDir, backup.DefaultLimits, archiveDatabaseName)
	switch {
	case errors.Is(err, backup.ErrNotEmpty):
		return apperror.Conflict("data-dir", "%v", err)
	case errors.Is(err, backup.ErrRefused):
		return apperror.Invalid("from", "%v", err)
	case err != nil:
		return fmt.Errorf("restore %s: %w", from, err)
	}
	logger := newLogger(cfg, inv.stderr)
	st, err := openStore(ctx, cfg, logger, true)
	if err != nil {
		return fmt.Errorf("the files are restored into %s, but: %w", cfg.DataDir, err)
	}
	defer st.Close()
	_, err = fmt.Fprintf(inv.stdout, "restored %s into %s: backup of %s by Kring %s, %d file(s), checksums verified; database migrated\n",
		from, cfg.DataDir, manifest.CreatedAt.Format("2006-01-02 15:04:05Z"), manifest.KringVersion, len(manifest.Files))
	return err
}
