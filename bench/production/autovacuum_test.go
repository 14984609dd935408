package production

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"
)

// autovacuumNap is how often the benchmark's stand-in for autovacuum looks at the tables, and
// autovacuumTableNap how long a table it processed waits before it is processed again. Production
// PostgreSQL looks once a minute, but its tables have a history and statistics from the start; the
// benchmark's tables start empty and fill in seconds, so a table that crossed a threshold is taken
// within 2 s. Analysing a busy table every 2 s would be as wrong the other way: each analysis makes
// every connection plan its statements on that table afresh.
const (
	autovacuumNap      = 2 * time.Second
	autovacuumTableNap = 30 * time.Second
)

// runAutovacuum does, until the benchmark ends, what autovacuum does in production and the tests'
// PostgreSQL (autovacuum off) does not: it analyses a table once more than 50 rows plus a tenth of
// it changed since the last analysis, and vacuums it once more than 50 plus a fifth are dead
// (PostgreSQL's default thresholds), each table at most once in autovacuumTableNap. Without it, the plans PostgreSQL caches for Kring's prepared
// statements while a table is nearly empty (a sequential scan of a few rows) stay in use after it
// has grown to thousands, which no production server does for more than a minute. What it costs
// PostgreSQL is counted with PostgreSQL's CPU, as autovacuum's is in production.
func runAutovacuum(b *testing.B, db *gorm.DB) {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.Cleanup(func() { stop(); <-done })
	go func() {
		defer close(done)
		ticker := time.NewTicker(autovacuumNap)
		defer ticker.Stop()
		processed := map[string]time.Time{}
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
			var due []struct {
				Table  string
				Vacuum bool // else only analyse
			}
			err := db.WithContext(ctx).Raw(`SELECT relname AS "table", n_dead_tup > 50 + 0.2 * n_live_tup AS vacuum
				FROM pg_stat_user_tables WHERE schemaname = current_schema()
					AND (n_mod_since_analyze > 50 + 0.1 * n_live_tup OR n_dead_tup > 50 + 0.2 * n_live_tup)`).Scan(&due).Error
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				b.Errorf("autovacuum's stand-in: %v", err)
				return
			}
			for _, t := range due {
				if time.Since(processed[t.Table]) < autovacuumTableNap {
					continue
				}
				processed[t.Table] = time.Now()
				if err := tidy(ctx, db, t.Table, t.Vacuum); err != nil && ctx.Err() == nil {
					b.Errorf("autovacuum's stand-in: %v", err)
				}
			}
		}
	}()
}

// tidy analyses table, vacuuming it first when vacuum is set.
func tidy(ctx context.Context, db *gorm.DB, table string, vacuum bool) error {
	command := "ANALYZE"
	if vacuum {
		command = "VACUUM (ANALYZE)"
	}
	if err := db.WithContext(ctx).Exec(command + ` "` + table + `"`).Error; err != nil {
		return fmt.Errorf("%s %s: %w", command, table, err)
	}
	return nil
}
