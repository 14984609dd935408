package testenv

import (
	"context"
	"testing"
)

// The pool's promise: a schema comes back to the next test migrated and with no rows, and a schema
// whose tables changed is dropped rather than reused. These tests do not run in parallel with each
// other (nothing else in this package takes schemas), so the pool's idle list is theirs.
func TestPooledSchemaComesBackEmpty(t *testing.T) {
	ctx := context.Background()
	var schema string
	t.Run("first test", func(t *testing.T) {
		st := Postgres(t)
		if err := st.DB().Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
			t.Fatal(err)
		}
		if err := st.DB().Exec(`INSERT INTO organisations (id, slug, name, created_at, updated_at)
			VALUES ('org-1', 'org', 'Org', now(), now())`).Error; err != nil {
			t.Fatal(err)
		}
		// A row referring to it, so emptying must cope with foreign keys.
		if err := st.DB().Exec(`INSERT INTO domain_blocks (id, organisation_id, domain, severity, created_at, updated_at)
			VALUES ('block-1', 'org-1', 'bad.example', 'suspend', now(), now())`).Error; err != nil {
			t.Fatal(err)
		}
	})

	pool := testSchemaPool(t)
	reused, migrated, err := pool.take(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pool.giveBack(ctx, reused); err != nil {
			t.Error(err)
		}
	})
	if reused != schema || !migrated {
		t.Fatalf("took %s (migrated %v), want the first test's %s back, migrated", reused, migrated, schema)
	}
	for _, table := range pool.tables {
		var rows int
		if err := pool.admin.QueryRowContext(ctx, "SELECT count(*) FROM "+reused+"."+table).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if table == gooseTable && rows == 0 {
			t.Errorf("%s lost its migration record", reused)
		}
		if table != gooseTable && rows != 0 {
			t.Errorf("%s.%s has %d rows after it was handed back", reused, table, rows)
		}
	}
}

func TestPooledSchemaWithOtherTablesIsDropped(t *testing.T) {
	ctx := context.Background()
	var schema string
	t.Run("test adding a table", func(t *testing.T) {
		st := Postgres(t)
		if err := st.DB().Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
			t.Fatal(err)
		}
		if err := st.DB().Exec("CREATE TABLE bench_scratch (id INT)").Error; err != nil {
			t.Fatal(err)
		}
	})
	pool := testSchemaPool(t)
	var exists bool
	if err := pool.admin.QueryRowContext(ctx,
		"SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("schema %s with an extra table was kept", schema)
	}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for _, idle := range pool.idle {
		if idle == schema {
			t.Errorf("schema %s with an extra table is in the idle list", schema)
		}
	}
}
