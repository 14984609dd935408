package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// maxBatchRows bounds one INSERT; the 60,000 below keeps a batch under PostgreSQL's 65,535
// parameters per statement for tables with many columns.
const (
	maxBatchRows       = 500
	maxBatchParameters = 60000
)

// copyRows streams a table's rows from SQLite into PostgreSQL in multi-row INSERTs, deferred
// columns as NULL, and returns how many rows it copied.
func copyRows(ctx context.Context, source, target *sql.Tx, table copyTable) (int64, error) {
	order := table.primaryKey
	if len(order) == 0 {
		order = []string{"rowid"}
	}
	rows, err := source.QueryContext(ctx, "SELECT "+quoteAll(table.columns)+" FROM "+quote(table.name)+
		" ORDER BY "+quoteAll(order))
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", table.name, err)
	}
	defer rows.Close()
	batchRows := min(maxBatchRows, maxBatchParameters/len(table.columns))
	var (
		batch  []any
		copied int64
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n := len(batch) / len(table.columns)
		if _, err := target.ExecContext(ctx, insertStatement(table, n), batch...); err != nil {
			return fmt.Errorf("write %s: %w", table.name, err)
		}
		copied += int64(n)
		batch = batch[:0]
		return nil
	}
	values := make([]any, len(table.columns))
	pointers := make([]any, len(values))
	for i := range values {
		pointers[i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(pointers...); err != nil {
			return 0, fmt.Errorf("read %s: %w", table.name, err)
		}
		for i, column := range table.columns {
			if slices.Contains(table.deferred, column) {
				batch = append(batch, nil)
				continue
			}
			v, err := toPostgres(values[i], table.targetTypes[column])
			if err != nil {
				return 0, fmt.Errorf("convert %s.%s: %w", table.name, column, err)
			}
			batch = append(batch, v)
		}
		if len(batch)/len(table.columns) == batchRows {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read %s: %w", table.name, err)
	}
	if err := flush(); err != nil {
		return 0, err
	}
	return copied, nil
}

// fillDeferred sets the deferred foreign keys of table, now that every row they point at exists.
func fillDeferred(ctx context.Context, source, target *sql.Tx, table copyTable) error {
	if len(table.primaryKey) == 0 {
		return fmt.Errorf("table %s has a foreign key in a cycle but no primary key to find its rows by", table.name)
	}
	for _, column := range table.deferred {
		rows, err := source.QueryContext(ctx, "SELECT "+quote(column)+", "+quoteAll(table.primaryKey)+
			" FROM "+quote(table.name)+" WHERE "+quote(column)+" IS NOT NULL")
		if err != nil {
			return fmt.Errorf("read %s.%s: %w", table.name, column, err)
		}
		update := "UPDATE " + quote(table.name) + " SET " + quote(column) + " = $1 WHERE " + keyCondition(table.primaryKey, 2)
		values := make([]any, 1+len(table.primaryKey))
		pointers := make([]any, len(values))
		for i := range values {
			pointers[i] = &values[i]
		}
		err = func() error {
			defer rows.Close()
			for rows.Next() {
				if err := rows.Scan(pointers...); err != nil {
					return err
				}
				args := make([]any, len(values))
				for i, v := range values {
					name := column
					if i > 0 {
						name = table.primaryKey[i-1]
					}
					if args[i], err = toPostgres(v, table.targetTypes[name]); err != nil {
						return err
					}
				}
				if _, err := target.ExecContext(ctx, update, args...); err != nil {
					return err
				}
			}
			return rows.Err()
		}()
		if err != nil {
			return fmt.Errorf("set %s.%s: %w", table.name, column, err)
		}
	}
	return nil
}

func insertStatement(table copyTable, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + quote(table.name) + " (" + quoteAll(table.columns) + ") VALUES ")
	n := 1
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range table.columns {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + strconv.Itoa(n))
			n++
		}
		b.WriteByte(')')
	}
	return b.String()
}

func keyCondition(columns []string, firstParameter int) string {
	parts := make([]string, len(columns))
	for i, column := range columns {
		parts[i] = quote(column) + " = $" + strconv.Itoa(firstParameter+i)
	}
	return strings.Join(parts, " AND ")
}

// quote makes a name from the schema an SQL identifier both engines read alike.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func quoteAll(names []string) string {
	quoted := make([]string, len(names))
	for i, name := range names {
		quoted[i] = quote(name)
	}
	return strings.Join(quoted, ", ")
}
