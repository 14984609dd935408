package testenv

import (
	"context"
	"database/sql"

	"github.com/kring-social/kring/app/store"
)

// rowQuerier is a *sql.DB or a *sql.Conn: a test whose workers may hold every connection of the
// pool asks on a connection it took beforehand (Conn).
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// AdvisoryLockWaiters counts the sessions waiting, on PostgreSQL, for lock: pg_locks shows a
// bigint advisory key as its high half in classid and its low half in objid, with objsubid 1. The
// caller decides what an error means: it may be polling from a goroutine that must not stop the test.
func AdvisoryLockWaiters(db rowQuerier, lock store.AdvisoryLock) (int64, error) {
	key := uint64(lock)
	var waiting int64
	err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
		AND classid = $1 AND objid = $2 AND objsubid = 1`, uint32(key>>32), uint32(key)).Scan(&waiting)
	return waiting, err
}
