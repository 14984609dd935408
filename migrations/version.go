package migrations

import (
	"context"
	"database/sql"
	"fmt"
)

// CurrentVersion is the highest migration applied to db: what a backup's manifest records, and what
// two databases must agree on before rows are copied from one to the other.
func CurrentVersion(ctx context.Context, db *sql.DB, dialect Dialect) (int64, error) {
	provider, err := newProvider(ctx, db, dialect, nil)
	if err != nil {
		return 0, err
	}
	version, err := provider.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("read the schema version: %w", err)
	}
	return version, nil
}
