package testenv

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/store"
)

// Statement is one SQL statement a store ran, with its arguments, and the transaction it ran in
// (nil: on its own, committed alone): the connection gorm ran it on, a *sql.Tx or the connection
// of a store.TransactionHolding, anything but the pool.
type Statement struct {
	SQL  string
	Vars []any
	Tx   gorm.ConnPool
	// Deferred: a write that, in a transaction holding locks on PostgreSQL, goes to the server with
	// the statement after it (store.WentDeferred).
	Deferred bool
}

// IsRead says whether the statement only reads.
func (s Statement) IsRead() bool {
	return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(s.SQL)), "SELECT")
}

// StatementRecorder records the statements a store runs while it is on: what a path through Kring
// costs the database, and the statements to explain.
type StatementRecorder struct {
	mu         sync.Mutex
	on         bool
	statements []Statement
}

// RecordStatements hooks a recorder into st's gorm callbacks (query, row, raw, create, update and
// delete, after each ran). It records nothing until During.
func RecordStatements(t testing.TB, st *store.Store) *StatementRecorder {
	t.Helper()
	r := &StatementRecorder{}
	record := func(db *gorm.DB) {
		r.mu.Lock()
		defer r.mu.Unlock()
		// gorm builds a subquery by running its query callbacks in dry-run mode: not a statement of
		// its own.
		if !r.on || db.Statement.SQL.Len() == 0 || db.DryRun {
			return
		}
		var tx gorm.ConnPool
		if _, pooled := db.Statement.ConnPool.(*sql.DB); !pooled {
			tx = db.Statement.ConnPool
		}
		r.statements = append(r.statements, Statement{SQL: db.Statement.SQL.String(), Vars: append([]any(nil), db.Statement.Vars...), Tx: tx,
			Deferred: store.WentDeferred(db)})
	}
	callbacks := st.DB().Callback()
	for name, register := range map[string]func(string, func(*gorm.DB)) error{
		"query":  callbacks.Query().After("gorm:query").Register,
		"row":    callbacks.Row().After("gorm:row").Register,
		"raw":    callbacks.Raw().After("gorm:raw").Register,
		"create": callbacks.Create().After("gorm:create").Register,
		"update": callbacks.Update().After("gorm:update").Register,
		"delete": callbacks.Delete().After("gorm:delete").Register,
	} {
		if err := register("testenv:record_"+name, record); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// During records the statements fn causes, in order.
func (r *StatementRecorder) During(fn func()) []Statement {
	r.mu.Lock()
	r.on, r.statements = true, nil
	r.mu.Unlock()
	fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.statements
}

// Sent counts the statements that go to the server on their own, each a round trip: all but the
// deferred writes, which go with the statement after them. (BEGIN and COMMIT, which go with a
// statement or alone, are not counted.)
func Sent(statements []Statement) int {
	n := 0
	for _, s := range statements {
		if !s.Deferred {
			n++
		}
	}
	return n
}

// Commits counts what statements commit: each transaction once, and each write outside one.
func Commits(statements []Statement) int {
	txs := map[gorm.ConnPool]bool{}
	n := 0
	for _, s := range statements {
		switch {
		case s.Tx != nil:
			txs[s.Tx] = true
		case !s.IsRead():
			n++
		}
	}
	return n + len(txs)
}

// PlanNode is one node of a PostgreSQL plan, as EXPLAIN (FORMAT JSON) gives it.
type PlanNode struct {
	NodeType     string     `json:"Node Type"`
	RelationName string     `json:"Relation Name"`
	IndexName    string     `json:"Index Name"`
	ActualRows   float64    `json:"Actual Rows"`
	ActualLoops  float64    `json:"Actual Loops"`
	Plans        []PlanNode `json:"Plans"`

	// RowsRemovedByFilter are the rows the node read and let go (analyze): read for nothing.
	RowsRemovedByFilter float64 `json:"Rows Removed by Filter"`
}

// Walk calls visit for the node and every node under it.
func (n PlanNode) Walk(visit func(PlanNode)) {
	visit(n)
	for _, child := range n.Plans {
		child.Walk(visit)
	}
}

// Explain returns PostgreSQL's plan for s on conn; with analyze, it runs the statement (inside a
// transaction it rolls back) and the plan carries the rows each node read.
func Explain(t testing.TB, conn *sql.Conn, s Statement, analyze bool) PlanNode {
	t.Helper()
	ctx := context.Background()
	options := "FORMAT JSON"
	if analyze {
		options = "ANALYZE, FORMAT JSON"
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // only ever rolled back: ANALYZE must change nothing
	var raw []byte
	statement := explained(s)
	if statement == "" {
		return PlanNode{}
	}
	if err := tx.QueryRowContext(ctx, fmt.Sprintf("EXPLAIN (%s) %s", options, statement), s.Vars...).Scan(&raw); err != nil {
		t.Fatalf("explain %s: %v", s.SQL, err)
	}
	return decodedPlan(t, s, raw)
}

// explained is the statement of s a plan is made of. The first statement of a
// store.TransactionHolding carries the transaction's BEGIN: the plan is the statement's after it.
// One with no lock, opened before a read that cannot carry it, sends BEGIN alone, which reads
// nothing: "".
func explained(s Statement) string {
	statement := strings.TrimPrefix(s.SQL, "BEGIN; ")
	if statement == "BEGIN" {
		return ""
	}
	return statement
}

// decodedPlan reads the plan of s that EXPLAIN (FORMAT JSON) wrote.
func decodedPlan(t testing.TB, s Statement, raw []byte) PlanNode {
	t.Helper()
	var plans []struct {
		Plan PlanNode `json:"Plan"`
	}
	if err := json.Unmarshal(raw, &plans); err != nil || len(plans) != 1 {
		t.Fatalf("plan of %s: %v (%s)", s.SQL, err, raw)
	}
	return plans[0].Plan
}

// ExplainGeneric returns the generic plan PostgreSQL makes of s (a read), the one it runs on when a
// transaction uses generic plans (store.TransactionHoldingOnGenericPlans): made without the
// statement's values, as a prepared statement's, then shown for them.
func ExplainGeneric(t testing.TB, conn *sql.Conn, s Statement) PlanNode {
	t.Helper()
	statement := explained(s)
	if statement == "" {
		return PlanNode{}
	}
	ctx := context.Background()
	// A prepared statement outlives its transaction: it goes once the transaction is rolled back.
	defer conn.ExecContext(ctx, "DEALLOCATE kring_generic") //nolint:errcheck // absent if PREPARE failed
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // only ever rolled back
	for _, setup := range []string{"SET LOCAL plan_cache_mode = force_generic_plan", "PREPARE kring_generic AS " + statement} {
		if _, err := tx.ExecContext(ctx, setup); err != nil {
			t.Fatalf("%s: %v", setup, err)
		}
	}
	// EXECUTE takes its values as literals: a utility statement has no parameters.
	literals := make([]string, len(s.Vars))
	for i, v := range s.Vars {
		literals[i] = sqlLiteral(t, v)
	}
	var raw []byte
	explain := "EXPLAIN (FORMAT JSON) EXECUTE kring_generic"
	if len(literals) > 0 {
		explain += "(" + strings.Join(literals, ", ") + ")"
	}
	if err := tx.QueryRowContext(ctx, explain).Scan(&raw); err != nil {
		t.Fatalf("explain the generic plan of %s: %v", s.SQL, err)
	}
	return decodedPlan(t, s, raw)
}

// sqlLiteral writes a statement's value as a literal of SQL.
func sqlLiteral(t testing.TB, v any) string {
	t.Helper()
	if valuer, ok := v.(driver.Valuer); ok {
		value, err := valuer.Value()
		if err != nil {
			t.Fatal(err)
		}
		v = value
	}
	quote := func(text string) string { return "'" + strings.ReplaceAll(text, "'", "''") + "'" }
	switch value := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return quote(value.UTC().Format("2006-01-02 15:04:05.999999"))
	case []byte:
		return quote(string(value))
	}
	value := reflect.ValueOf(v)
	switch value.Kind() {
	case reflect.Pointer:
		if value.IsNil() {
			return "NULL"
		}
		return sqlLiteral(t, value.Elem().Interface())
	case reflect.String:
		return quote(value.String())
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return fmt.Sprint(v)
	}
	t.Fatalf("no SQL literal for %T", v)
	return ""
}

// SeqScans names the tables a plan reads whole.
func SeqScans(plan PlanNode) []string {
	var tables []string
	plan.Walk(func(n PlanNode) {
		if n.NodeType == "Seq Scan" {
			tables = append(tables, n.RelationName)
		}
	})
	return tables
}

// Conn holds one connection of st's pool for the test (closed when it ends): session settings such
// as enable_seqscan stay on it, for the statements explained there.
func Conn(t testing.TB, st *store.Store) *sql.Conn {
	t.Helper()
	sqlDB, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sqlDB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}
