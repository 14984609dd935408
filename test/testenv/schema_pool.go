package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/kring-social/kring/app/store"
)

// Migrating a fresh schema costs about 0.2 s of PostgreSQL's CPU (a hundred DDL statements), and the
// suite did it for nearly 300 tests. A test process instead keeps the schemas its finished tests
// migrated, empties them, and hands them to its next tests: emptying costs one round trip.
//
// Pooled schemas are named tp_<process token>_<n>. The process holds a session advisory lock named
// after its token for as long as it runs; a schema whose owner's lock is free belongs to a process
// that has ended, and the next test process to start drops it.
const pooledSchemaPrefix = "tp_"

type schemaPool struct {
	admin *sql.DB   // creates, empties and drops schemas
	owner *sql.Conn // holds this process's advisory lock; never returned to its pool
	token string
	base  *url.URL

	mu     sync.Mutex
	idle   []string
	made   int
	tables []string // the migrated schema's tables, learned from the first schema migrated
}

// schemaPools has one pool per database URL: in practice one per test process.
var schemaPools sync.Map // string -> *schemaPoolResult

type schemaPoolResult struct {
	once sync.Once
	pool *schemaPool
	err  error
}

func sharedSchemaPool(rawURL string) (*schemaPool, error) {
	entry, _ := schemaPools.LoadOrStore(rawURL, &schemaPoolResult{})
	result := entry.(*schemaPoolResult)
	result.once.Do(func() { result.pool, result.err = openSchemaPool(rawURL) })
	return result.pool, result.err
}

func openSchemaPool(rawURL string) (*schemaPool, error) {
	ctx := context.Background()
	base, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("KRING_TEST_DATABASE_URL %q is not a URL: %w", rawURL, err)
	}
	st, err := store.Open(ctx, store.Options{DatabaseURL: rawURL, Logger: quietLogger()})
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s is unreachable (%w): start PostgreSQL: scripts/test does it, or set KRING_TEST_DATABASE_URL",
			base.Redacted(), err)
	}
	admin, err := st.DB().DB()
	if err != nil {
		return nil, err
	}
	admin.SetMaxOpenConns(6)
	admin.SetMaxIdleConns(6)
	owner, err := admin.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("hold a connection to PostgreSQL: %w", err)
	}
	// Lower case: PostgreSQL folds unquoted names, and dropOrphans reads the token back from the
	// schema's name to find its owner's lock.
	token := strings.ToLower(rand.Text()[:12])
	if _, err := owner.ExecContext(ctx, "SELECT pg_advisory_lock($1)", ownerLockKey(token)); err != nil {
		return nil, fmt.Errorf("take the test process's schema lock: %w", err)
	}
	pool := &schemaPool{admin: admin, owner: owner, token: token, base: base}
	// Best effort: a leftover schema another process is dropping at the same moment, or one that
	// cannot be dropped, costs disk space, not correctness; the next test process tries again.
	_ = pool.dropOrphans(ctx)
	return pool, nil
}

// ownerLockKey is the advisory lock a test process holds while its pooled schemas are in use.
func ownerLockKey(token string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("kring test schemas " + token))
	return int64(h.Sum64() >> 1)
}

// dropOrphans drops the pooled schemas of test processes that have ended.
func (p *schemaPool) dropOrphans(ctx context.Context) error {
	rows, err := p.admin.QueryContext(ctx,
		`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tp\_%'`)
	if err != nil {
		return fmt.Errorf("list test schemas: %w", err)
	}
	var schemas []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			_ = rows.Close()
			return err
		}
		schemas = append(schemas, name)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("list test schemas: %w", err)
	}
	var errs []error
	for _, schema := range schemas {
		token, _, ok := strings.Cut(strings.TrimPrefix(schema, pooledSchemaPrefix), "_")
		if !ok || token == p.token {
			continue
		}
		errs = append(errs, p.dropIfOrphaned(ctx, schema, token))
	}
	return errors.Join(errs...)
}

func (p *schemaPool) dropIfOrphaned(ctx context.Context, schema, token string) error {
	conn, err := p.admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var free bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", ownerLockKey(token)).Scan(&free); err != nil {
		return fmt.Errorf("check the owner of %s: %w", schema, err)
	}
	if !free {
		return nil // another test process is running and owns it
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", ownerLockKey(token)) //nolint:errcheck
	if _, err := conn.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
		return fmt.Errorf("drop the orphaned test schema %s: %w", schema, err)
	}
	return nil
}

// gooseTable is the migrations' own record, which stays when a schema is emptied.
const gooseTable = "goose_db_version"

// take returns an empty schema for one test: an idle one, already migrated, or a new one to migrate.
func (p *schemaPool) take(ctx context.Context) (schema string, migrated bool, err error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		schema = p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return schema, true, nil
	}
	p.made++
	schema = fmt.Sprintf("%s%s_%d", pooledSchemaPrefix, p.token, p.made)
	p.mu.Unlock()
	if _, err := p.admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", false, fmt.Errorf("create test schema %s: %w", schema, err)
	}
	return schema, false, nil
}

// learnTables records the tables a freshly migrated schema has: the shape every schema handed back
// must still have to be reused.
func (p *schemaPool) learnTables(ctx context.Context, schema string) error {
	tables, err := p.tablesOf(ctx, schema)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tables == nil {
		p.tables = tables
	}
	return nil
}

func (p *schemaPool) tablesOf(ctx context.Context, schema string) ([]string, error) {
	rows, err := p.admin.QueryContext(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename", schema)
	if err != nil {
		return nil, fmt.Errorf("list the tables of %s: %w", schema, err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var table string
		if err := rows.Scan(&table); err != nil {
			return nil, err
		}
		tables = append(tables, table)
	}
	return tables, rows.Err()
}

// giveBack empties a schema whose test has ended and keeps it for the next test. A schema whose
// tables differ from a freshly migrated one's (a failed migration, a benchmark's own table) is
// dropped instead. The test's store must be closed: nothing may write to the schema any more.
func (p *schemaPool) giveBack(ctx context.Context, schema string) error {
	tables, err := p.tablesOf(ctx, schema)
	if err != nil {
		return err
	}
	p.mu.Lock()
	reusable := p.tables != nil && slices.Equal(tables, p.tables)
	p.mu.Unlock()
	if !reusable || p.empty(ctx, schema, tables) != nil {
		return p.drop(ctx, schema)
	}
	p.mu.Lock()
	p.idle = append(p.idle, schema)
	p.mu.Unlock()
	return nil
}

// empty deletes every row but the migration record, in one round trip. Foreign keys are not checked
// (session_replication_role needs a superuser, which the tests' PostgreSQL has; elsewhere this
// fails and the schema is dropped instead).
func (p *schemaPool) empty(ctx context.Context, schema string, tables []string) error {
	var sql strings.Builder
	sql.WriteString("BEGIN; SET LOCAL session_replication_role = replica;")
	for _, table := range tables {
		if table != gooseTable {
			fmt.Fprintf(&sql, " DELETE FROM %s.%s;", schema, table)
		}
	}
	sql.WriteString(" COMMIT;")
	conn, err := p.admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, sql.String()); err != nil {
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
		return fmt.Errorf("empty test schema %s: %w", schema, err)
	}
	return nil
}

func (p *schemaPool) drop(ctx context.Context, schema string) error {
	if _, err := p.admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
		return fmt.Errorf("drop test schema %s: %w", schema, err)
	}
	return nil
}

// schemaURL is the database URL whose connections use schema: pgx passes unknown URL parameters to
// the server as run-time parameters, so every connection of a pool starts with this search_path.
func (p *schemaPool) schemaURL(schema string) string {
	u := *p.base
	query := u.Query()
	query.Set("search_path", schema)
	u.RawQuery = query.Encode()
	return u.String()
}
