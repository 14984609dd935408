package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/backup"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/migrations"
)

// archiveDatabaseName is the SQLite snapshot's path in a backup: where it goes in the data directory.
const archiveDatabaseName = store.SQLiteFileName

// postgresBackupAdvice is what `kring backup` prints instead of a backup when the database is
// PostgreSQL: its own tools take a consistent dump, and the media directory goes beside it.
const postgresBackupAdvice = `this Kring keeps its data in PostgreSQL (KRING_DATABASE_URL); back it up with PostgreSQL's tools and the media directory:
    pg_dump --format=custom --file=kring.dump "$KRING_DATABASE_URL"
    tar -czf kring-media.tar.gz -C "$KRING_DATA_DIR" media
(the README's "Backups and moving" section shows the restore)`

// runBackup writes a backup of the embedded default's data directory: a consistent snapshot of the
// SQLite database, taken while Kring runs, and the media directory, in one archive.
func runBackup(ctx context.Context, inv *invocation) error {
	var to string
	cfg, args, err := parseFlags(inv, "backup", func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "the archive to write, such as kring-backup.tar.gz (must not exist)")
	})
	if err != nil {
		return err
	}
	if len(args) > 0 || to == "" {
		return usageErrorf("usage: kring backup --to FILE")
	}
	if cfg.DatabaseURL != "" {
		return usageErrorf("%s", postgresBackupAdvice)
	}
	databasePath := filepath.Join(cfg.DataDir, store.SQLiteFileName)
	if _, err := os.Stat(databasePath); err != nil {
		return apperror.NotFound("no Kring database at %s; is KRING_DATA_DIR right?", databasePath)
	}
	if _, err := os.Lstat(to); err == nil {
		return apperror.Conflict("to", "%s exists already; a backup never overwrites, choose a new name", to)
	}
	logger := newLogger(cfg, inv.stderr)
	st, err := openStore(ctx, cfg, logger, false)
	if err != nil {
		return err
	}
	defer st.Close()

	// The snapshot and the unfinished archive live beside the target, on its file system: the
	// finished archive is linked into place in one step, and a failed backup leaves nothing at --to.
	work, err := os.MkdirTemp(filepath.Dir(to), ".kring-backup-")
	if err != nil {
		return fmt.Errorf("create a working directory beside %s: %w", to, err)
	}
	defer os.RemoveAll(work)
	snapshot := filepath.Join(work, archiveDatabaseName)
	manifest, err := snapshotWithVersion(ctx, st, snapshot)
	if err != nil {
		return err
	}
	partial := filepath.Join(work, "backup.tar.gz")
	manifest, skipped, err := writeArchive(partial, snapshot, mediaDir(cfg), manifest)
	if err != nil {
		return err
	}
	if err := os.Link(partial, to); err != nil {
		return fmt.Errorf("put the backup at %s: %w", to, err)
	}
	for _, name := range skipped {
		logger.Warn("not a regular file; left out of the backup", "path", name)
	}
	info, err := os.Stat(to)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(inv.stdout, "backup written to %s (%d bytes): the database at schema version %d and %d media file(s)\n",
		to, info.Size(), manifest.SchemaVersion, countMedia(manifest))
	return err
}

// snapshotWithVersion reads the schema version, then takes the snapshot. Kring migrates only at
// start, so the version read just before is the snapshot's.
func snapshotWithVersion(ctx context.Context, st *store.Store, path string) (backup.Manifest, error) {
	sqlDB, err := st.DB().DB()
	if err != nil {
		return backup.Manifest{}, fmt.Errorf("database handle: %w", err)
	}
	schema, err := migrations.CurrentVersion(ctx, sqlDB, migrations.SQLite)
	if err != nil {
		return backup.Manifest{}, err
	}
	createdAt := time.Now().UTC().Truncate(time.Second)
	if err := st.SnapshotSQLite(ctx, path); err != nil {
		return backup.Manifest{}, err
	}
	return backup.Manifest{KringVersion: version, SchemaVersion: schema, CreatedAt: createdAt}, nil
}

// writeArchive writes the snapshot and the media directory into a new archive at path, synced to
// disk before it is called done.
func writeArchive(path, snapshot, media string, manifest backup.Manifest) (written backup.Manifest, skipped []string, err error) {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return backup.Manifest{}, nil, fmt.Errorf("create the backup: %w", err)
	}
	defer func() {
		if closeErr := out.Close(); err == nil && closeErr != nil {
			err = fmt.Errorf("write the backup: %w", closeErr)
		}
	}()
	archive := backup.NewWriter(out)
	if err := archive.AddFile(archiveDatabaseName, snapshot); err != nil {
		return backup.Manifest{}, nil, err
	}
	if skipped, err = archive.AddTree("media", media); err != nil {
		return backup.Manifest{}, nil, err
	}
	if written, err = archive.Close(manifest); err != nil {
		return backup.Manifest{}, nil, err
	}
	if err := out.Sync(); err != nil {
		return backup.Manifest{}, nil, fmt.Errorf("write the backup: %w", err)
	}
	return written, skipped, nil
}

func countMedia(manifest backup.Manifest) int {
	n := 0
	for _, f := range manifest.Files {
		if f.Path != archiveDatabaseName {
			n++
		}
	}
	return n
}
