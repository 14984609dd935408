package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrTargetNotEmpty refuses a copy into a database that already holds Kring's rows: merging two
// communities is not what a move is, and ids would clash.
var ErrTargetNotEmpty = errors.New("the target database is not empty")

// TableCount is one table's rows in the source and, after the copy, in the target.
type TableCount struct {
	Table  string
	Source int64
	Target int64
}

// CopyToPostgres copies every row of the SQLite database from into the PostgreSQL database to,
// which must be migrated to the same schema version and hold no rows. Rows keep their ids, times,
// booleans and NULLs. The copy runs in one transaction on the target, committed only when every
// table's count matches the source's; it reads the source in one transaction too, so it copies one
// moment of it. It returns the counts of both sides, read again after the commit.
func CopyToPostgres(ctx context.Context, from, to *Store) ([]TableCount, error) {
	if from.dialect != SQLite || to.dialect != Postgres {
		return nil, fmt.Errorf("copy goes from SQLite to PostgreSQL, not from %s to %s", from.dialect, to.dialect)
	}
	sourceDB, err := from.db.DB()
	if err != nil {
		return nil, err
	}
	targetDB, err := to.db.DB()
	if err != nil {
		return nil, err
	}
	source, err := sourceDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("start reading SQLite: %w", err)
	}
	defer func() { _ = source.Rollback() }()
	target, err := targetDB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("start writing PostgreSQL: %w", err)
	}
	defer func() { _ = target.Rollback() }()

	plan, err := planCopy(ctx, source)
	if err != nil {
		return nil, err
	}
	targetTypes, err := postgresColumnTypes(ctx, target)
	if err != nil {
		return nil, err
	}
	if err := matchTarget(plan, targetTypes); err != nil {
		return nil, err
	}
	if err := refuseRows(ctx, target, plan); err != nil {
		return nil, err
	}
	for _, table := range plan {
		if _, err := copyRows(ctx, source, target, table); err != nil {
			return nil, err
		}
	}
	for _, table := range plan {
		if err := fillDeferred(ctx, source, target, table); err != nil {
			return nil, err
		}
	}
	counts, err := countBoth(ctx, source, target, plan)
	if err != nil {
		return nil, err
	}
	if err := mismatch(counts); err != nil {
		return nil, err
	}
	if err := target.Commit(); err != nil {
		return nil, fmt.Errorf("commit the copy: %w", err)
	}
	// Counted again outside the copy's transaction: what the report shows is what is committed.
	committed, err := targetDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = committed.Rollback() }()
	return countBoth(ctx, source, committed, plan)
}

// refuseRows fails when any of Kring's tables in the target has a row.
func refuseRows(ctx context.Context, target *sql.Tx, plan []copyTable) error {
	for _, table := range plan {
		var hasRows bool
		if err := target.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+quote(table.name)+")").Scan(&hasRows); err != nil {
			return fmt.Errorf("check %s is empty: %w", table.name, err)
		}
		if hasRows {
			return fmt.Errorf("%w: table %s has rows; copy into a new, empty database (migrated is fine)", ErrTargetNotEmpty, table.name)
		}
	}
	return nil
}

func countBoth(ctx context.Context, source, target *sql.Tx, plan []copyTable) ([]TableCount, error) {
	counts := make([]TableCount, 0, len(plan))
	for _, table := range plan {
		c := TableCount{Table: table.name}
		query := "SELECT COUNT(*) FROM " + quote(table.name)
		if err := source.QueryRowContext(ctx, query).Scan(&c.Source); err != nil {
			return nil, fmt.Errorf("count %s in SQLite: %w", table.name, err)
		}
		if err := target.QueryRowContext(ctx, query).Scan(&c.Target); err != nil {
			return nil, fmt.Errorf("count %s in PostgreSQL: %w", table.name, err)
		}
		counts = append(counts, c)
	}
	return counts, nil
}

func mismatch(counts []TableCount) error {
	var problems []error
	for _, c := range counts {
		if c.Source != c.Target {
			problems = append(problems, fmt.Errorf("%s: %d rows in SQLite, %d in PostgreSQL", c.Table, c.Source, c.Target))
		}
	}
	if err := errors.Join(problems...); err != nil {
		return fmt.Errorf("row counts differ, nothing was committed: %w", err)
	}
	return nil
}
