package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// migrationsTable is goose's record of applied migrations: each database keeps its own, so it is
// never copied.
const migrationsTable = "goose_db_version"

// copyTable is one table to copy: its columns in the source's order, its primary key (to order rows
// and to find them again) and the foreign-key columns filled in only after every table is copied.
type copyTable struct {
	name       string
	columns    []string
	primaryKey []string
	// deferred are nullable foreign keys that close a cycle (groups.rules_post_id points at posts,
	// posts.group_id at groups): inserted as NULL, then set once the rows they point at exist.
	deferred []string
	// targetTypes are the target's column types (information_schema's data_type), which say how
	// SQLite's loosely typed values become PostgreSQL's: 0/1 into boolean, text into timestamp.
	targetTypes map[string]string
}

// foreignKey is a column of one table referring to another table.
type foreignKey struct {
	table, column, references string
	nullable                  bool
}

// planCopy reads the SQLite schema and returns its tables in an order that inserts every row after
// the rows it refers to: a topological order of the foreign keys, with a nullable foreign key
// deferred wherever the keys form a cycle.
func planCopy(ctx context.Context, source *sql.Tx) ([]copyTable, error) {
	names, err := sqliteTables(ctx, source)
	if err != nil {
		return nil, err
	}
	tables := make(map[string]*copyTable, len(names))
	var keys []foreignKey
	for _, name := range names {
		table, nullable, err := sqliteColumns(ctx, source, name)
		if err != nil {
			return nil, err
		}
		tables[name] = table
		tableKeys, err := sqliteForeignKeys(ctx, source, name, nullable)
		if err != nil {
			return nil, err
		}
		keys = append(keys, tableKeys...)
	}
	return orderTables(names, tables, keys)
}

// orderTables is Kahn's algorithm over the foreign keys; when no table is ready, the first nullable
// key between two waiting tables is deferred, which breaks the cycle it is part of.
func orderTables(names []string, tables map[string]*copyTable, keys []foreignKey) ([]copyTable, error) {
	keys = slices.Clone(keys) // deferring a key deletes it from this list, not from the caller's
	done := map[string]bool{}
	var ordered []copyTable
	for len(ordered) < len(names) {
		var ready []string
		for _, name := range names {
			if !done[name] && waitsOnNone(name, keys, done) {
				ready = append(ready, name)
			}
		}
		if len(ready) == 0 {
			i := slices.IndexFunc(keys, func(k foreignKey) bool { return !done[k.table] && !done[k.references] && k.nullable })
			if i < 0 {
				return nil, fmt.Errorf("the foreign keys of %v form a cycle without a nullable column; cannot order the copy", pending(names, done))
			}
			tables[keys[i].table].deferred = append(tables[keys[i].table].deferred, keys[i].column)
			keys = slices.Delete(keys, i, i+1)
			continue
		}
		for _, name := range ready {
			done[name] = true
			ordered = append(ordered, *tables[name])
		}
	}
	return ordered, nil
}

func waitsOnNone(table string, keys []foreignKey, done map[string]bool) bool {
	for _, k := range keys {
		if k.table == table && !done[k.references] {
			return false
		}
	}
	return true
}

func pending(names []string, done map[string]bool) []string {
	var out []string
	for _, name := range names {
		if !done[name] {
			out = append(out, name)
		}
	}
	return out
}

func sqliteTables(ctx context.Context, source *sql.Tx) ([]string, error) {
	rows, err := source.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> ? ORDER BY name`, migrationsTable)
	if err != nil {
		return nil, fmt.Errorf("list the SQLite tables: %w", err)
	}
	return scanStrings(rows)
}

// sqliteColumns returns a table's columns and primary key, and which columns may be NULL.
func sqliteColumns(ctx context.Context, source *sql.Tx, table string) (*copyTable, map[string]bool, error) {
	rows, err := source.QueryContext(ctx, `SELECT name, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, nil, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	defer rows.Close()
	out := &copyTable{name: table}
	nullable := map[string]bool{}
	keyAt := map[int]string{}
	for rows.Next() {
		var (
			name    string
			notNull bool
			pk      int
		)
		if err := rows.Scan(&name, &notNull, &pk); err != nil {
			return nil, nil, fmt.Errorf("read the columns of %s: %w", table, err)
		}
		out.columns = append(out.columns, name)
		nullable[name] = !notNull && pk == 0
		if pk > 0 {
			keyAt[pk] = name
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	for i := 1; i <= len(keyAt); i++ {
		out.primaryKey = append(out.primaryKey, keyAt[i])
	}
	return out, nullable, nil
}

func sqliteForeignKeys(ctx context.Context, source *sql.Tx, table string, nullable map[string]bool) ([]foreignKey, error) {
	rows, err := source.QueryContext(ctx, `SELECT "table", "from" FROM pragma_foreign_key_list(?) ORDER BY id, seq`, table)
	if err != nil {
		return nil, fmt.Errorf("read the foreign keys of %s: %w", table, err)
	}
	defer rows.Close()
	var out []foreignKey
	for rows.Next() {
		k := foreignKey{table: table}
		if err := rows.Scan(&k.references, &k.column); err != nil {
			return nil, fmt.Errorf("read the foreign keys of %s: %w", table, err)
		}
		k.nullable = nullable[k.column]
		out = append(out, k)
	}
	return out, rows.Err()
}

// postgresColumnTypes reads the target's columns per table, in the schema its connections use.
// Generated columns (member_activity.activity) are left out: PostgreSQL computes them, and SQLite's
// table_info does not list them either.
func postgresColumnTypes(ctx context.Context, target *sql.Tx) (map[string]map[string]string, error) {
	rows, err := target.QueryContext(ctx, `SELECT c.table_name, c.column_name, c.data_type
		FROM information_schema.columns c JOIN information_schema.tables t
		  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> $1
		  AND c.is_generated = 'NEVER'`, migrationsTable)
	if err != nil {
		return nil, fmt.Errorf("read the PostgreSQL columns: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var table, column, dataType string
		if err := rows.Scan(&table, &column, &dataType); err != nil {
			return nil, fmt.Errorf("read the PostgreSQL columns: %w", err)
		}
		if out[table] == nil {
			out[table] = map[string]string{}
		}
		out[table][column] = dataType
	}
	return out, rows.Err()
}

// matchTarget checks the target has exactly the source's tables and columns (both migrated to the
// same version, so a difference means something else is wrong) and records the target's types.
func matchTarget(plan []copyTable, target map[string]map[string]string) error {
	var problems []string
	seen := map[string]bool{}
	for i := range plan {
		table := &plan[i]
		seen[table.name] = true
		types, ok := target[table.name]
		if !ok {
			problems = append(problems, "table "+table.name+" is missing")
			continue
		}
		for _, column := range table.columns {
			if _, ok := types[column]; !ok {
				problems = append(problems, "column "+table.name+"."+column+" is missing")
			}
		}
		if len(types) != len(table.columns) {
			problems = append(problems, "table "+table.name+" has other columns")
		}
		table.targetTypes = types
	}
	for name := range target {
		if !seen[name] {
			problems = append(problems, "table "+name+" is not in the SQLite database")
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("the PostgreSQL schema differs from the SQLite one: %s", strings.Join(problems, "; "))
	}
	return nil
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
