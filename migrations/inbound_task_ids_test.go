package migrations_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/migrations"
)

// Migration 30 gives the outbox rows of inbound activities' tasks their activity's id, which the
// sweep looks for before it gives a pending activity a task; other rows keep theirs.
func TestInboundTaskRowsTakeTheirActivitysID(t *testing.T) {
	t.Parallel()
	forEachEngineAt(t, 29, func(t *testing.T, st *store.Store, db *sql.DB, engine engine) {
		ctx := context.Background()
		at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
		execSteps(t, st, []sqlStep{
			{`INSERT INTO queued_tasks (id, task_type, queue, payload, run_at, attempts, last_error, created_at) VALUES
					('t1', 'inbound:activity', 'inbound', '{"inbound_activity_id":"act-1"}', ?, 0, '', ?),
					('t2', 'inbound:activity', 'inbound', '{"inbound_activity_id":"act-2"}', ?, 3, 'down', ?),
					('t3', 'delivery:activity', 'deliveries', '{"delivery_id":"d-1"}', ?, 0, '', ?)`,
				[]any{at, at, at, at, at, at}},
		})
		if _, err := migrations.Up(ctx, db, engine.dialect, nil); err != nil {
			t.Fatal(err)
		}
		var ids []string
		if err := st.DB().Raw("SELECT id FROM queued_tasks ORDER BY id").Scan(&ids).Error; err != nil {
			t.Fatal(err)
		}
		if want := []string{"act-1", "act-2", "t3"}; !slices.Equal(ids, want) {
			t.Errorf("task ids after the migration: %v, want %v", ids, want)
		}
	})
}
