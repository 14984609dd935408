package store

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// SnapshotSQLite writes a consistent copy of the SQLite database to path with VACUUM INTO, while
// Kring keeps running: SQLite reads the whole database inside one read transaction, so the copy is
// what a single moment saw, and no half-written page of the live file (or its WAL) is ever copied.
// path must not exist yet.
func (s *Store) SnapshotSQLite(ctx context.Context, path string) error {
	if s.dialect != SQLite {
		return errors.New("a snapshot is taken of the embedded SQLite database only; use pg_dump for PostgreSQL")
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("snapshot target %s exists already", path)
	}
	if err := s.conn(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("snapshot the SQLite database into %s: %w", path, err)
	}
	return nil
}
