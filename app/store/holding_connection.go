package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// connWithoutTransactions is the connection of a TransactionHolding as gorm's pool of one. It lacks
// BeginTx, so nothing gorm does can open a transaction of its own on it (and commit this one early).
// It saves the transaction two round trips at its ends, each by sending statements in one pipeline
// (pgx's batch: the statements, then one Sync):
//   - its BEGIN and locks go with the first statement it runs, when that statement is an Exec or an
//     opening read (scanOpening); before any other, alone, as one simple query;
//   - its COMMIT goes with its last statement, when that is the commit tail's (commit_tail.go), an
//     Exec marked by withCommitAfter.
//
// A transaction that begins with its tail (BEGIN, locks, the tail, COMMIT) costs one round trip.
type connWithoutTransactions struct {
	conn    *sql.Conn
	pending *transactionOpening // the BEGIN and locks not sent yet
	sent    bool                // BEGIN was sent (whatever came back)
	// committed says the COMMIT went with the last statement, and the transaction is over.
	committed bool
	// failed is the error of a pipeline that went wrong: the transaction may not have begun, or may
	// have ended, so every later statement fails with it rather than run on its own, committed alone.
	failed error
}

// errAfterCommit: a statement came after the one that carried the COMMIT, and would run on its own.
var errAfterCommit = errors.New("a statement after the transaction's commit")

// transactionOpening is a BEGIN and the locks to take after it.
type transactionOpening struct {
	locks []AdvisoryLock
	alone func() error // sends them as one query through gorm, seen by its callbacks as any statement
}

var _ gorm.ConnPool = (*connWithoutTransactions)(nil)

// begun says whether BEGIN went to the server, so that there is a transaction to end.
func (c *connWithoutTransactions) begun() bool { return c.sent }

// opensWithNext says whether the next statement is the transaction's first, which carries its BEGIN.
func (c *connWithoutTransactions) opensWithNext() bool { return c.pending != nil && c.failed == nil }

// beginAlone sends a pending BEGIN and its locks on their own, before a statement that cannot
// carry them.
func (c *connWithoutTransactions) beginAlone() error {
	if c.failed != nil {
		return c.failed
	}
	if c.committed {
		return errAfterCommit
	}
	opening := c.pending
	if opening == nil {
		return nil
	}
	c.pending, c.sent = nil, true
	if err := opening.alone(); err != nil {
		c.failed = fmt.Errorf("begin a transaction holding %d locks: %w", len(opening.locks), err)
		return c.failed
	}
	return nil
}

func (c *connWithoutTransactions) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if err := c.beginAlone(); err != nil {
		return nil, err
	}
	return c.conn.PrepareContext(ctx, query)
}

func (c *connWithoutTransactions) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	commitAfter := ctx.Value(commitAfterKey{}) != nil
	if c.opensWithNext() || (commitAfter && c.failed == nil && !c.committed) {
		into, _ := ctx.Value(openingReadKey{}).(*openingRead)
		return c.pipeline(ctx, query, args, into, commitAfter)
	}
	if err := c.beginAlone(); err != nil {
		return nil, err
	}
	return c.conn.ExecContext(ctx, query, args...)
}

func (c *connWithoutTransactions) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := c.beginAlone(); err != nil {
		return nil, err
	}
	return c.conn.QueryContext(ctx, query, args...)
}

func (c *connWithoutTransactions) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := c.beginAlone(); err != nil {
		// A *sql.Row carrying an error comes only from database/sql: a cancelled context makes
		// one without reaching the server.
		cancelled, cancel := context.WithCancelCause(ctx)
		cancel(err)
		return c.conn.QueryRowContext(cancelled, query, args...)
	}
	return c.conn.QueryRowContext(ctx, query, args...)
}

// pipeline sends the statement in one round trip with what goes with it: the pending BEGIN and
// locks before it, COMMIT after it when commitAfter. The statement's first row goes into into when
// it is an opening read.
func (c *connWithoutTransactions) pipeline(ctx context.Context, query string, args []any, into *openingRead, commitAfter bool) (sql.Result, error) {
	opening := c.pending
	if opening != nil {
		c.pending, c.sent = nil, true
	}
	var affected int64
	err := onPgx(c.conn, func(pgxConn *pgx.Conn) error {
		batch := &pgx.Batch{}
		if opening != nil {
			batch.Queue("BEGIN")
			keys := make([]any, len(opening.locks))
			for i, lock := range opening.locks {
				keys[i] = int64(lock)
			}
			batch.Queue(lockStatement(len(keys)), keys...)
		}
		batch.Queue(query, args...)
		if commitAfter {
			batch.Queue("COMMIT")
		}
		results := pgxConn.SendBatch(ctx, batch)
		var err error
		affected, err = c.readPipeline(results, opening != nil, into, commitAfter)
		return errors.Join(err, results.Close())
	})
	if err != nil {
		c.failed = err
		if opening != nil {
			c.failed = fmt.Errorf("begin a transaction holding %d locks with its first statement: %w", len(opening.locks), err)
		}
		return nil, c.failed
	}
	return rowsAffected(affected), nil
}

// readPipeline reads the results of a pipeline: BEGIN's and the locks' if it opened the
// transaction, the statement's, COMMIT's if it ends it.
func (c *connWithoutTransactions) readPipeline(results pgx.BatchResults, opens bool, into *openingRead, commits bool) (int64, error) {
	if opens {
		if _, err := results.Exec(); err != nil {
			return 0, fmt.Errorf("BEGIN: %w", err)
		}
		if _, err := results.Exec(); err != nil {
			return 0, fmt.Errorf("take the locks: %w", err)
		}
	}
	affected, err := readStatement(results, into)
	if err != nil || !commits {
		return affected, err
	}
	if err := commitAnswer(results.Exec()); err != nil {
		return 0, err
	}
	c.committed = true
	return affected, nil
}

// readStatement reads a statement's result, its first row into into when it is an opening read.
func readStatement(results pgx.BatchResults, into *openingRead) (int64, error) {
	if into == nil {
		tag, err := results.Exec()
		return tag.RowsAffected(), err
	}
	rows, err := results.Query()
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if rows.Next() {
		if err := readRowInto(rows, into); err != nil {
			return 0, err
		}
	}
	rows.Close()
	return rows.CommandTag().RowsAffected(), rows.Err()
}

// commitAfterKey marks the context of a TransactionHolding's last statement, its commit tail's:
// COMMIT goes with it.
type commitAfterKey struct{}

// withCommitAfter marks ctx as the last statement's of a TransactionHolding.
func withCommitAfter(ctx context.Context) context.Context {
	return context.WithValue(ctx, commitAfterKey{}, true)
}

type rowsAffected int64

func (r rowsAffected) LastInsertId() (int64, error) {
	return 0, errors.New("PostgreSQL has no last insert id")
}
func (r rowsAffected) RowsAffected() (int64, error) { return int64(r), nil }

// openingReadKey carries, in the context of an opening read's Exec, the struct its row goes into.
type openingReadKey struct{}

// openingSchemas caches the parsed structs opening reads go into.
var openingSchemas sync.Map

// scanOpening runs query, a raw read whose SQL is built, as the first statement of a
// TransactionHolding, into dest, a pointer to a struct: as an Exec through gorm's callbacks (so it is
// traced and logged as any statement), whose row the connection reads into dest. It says false,
// having done nothing, when query is no such read.
func scanOpening(query *gorm.DB, dest any) (bool, error) {
	conn, ok := query.Statement.ConnPool.(*connWithoutTransactions)
	if !ok || !conn.opensWithNext() || query.Statement.SQL.Len() == 0 || query.Error != nil {
		return false, nil
	}
	if value := reflect.ValueOf(dest); value.Kind() != reflect.Pointer || value.Elem().Kind() != reflect.Struct {
		return false, nil
	}
	query.Statement.Context = context.WithValue(query.Statement.Context, openingReadKey{}, &openingRead{dest: dest, namer: query.NamingStrategy})
	return true, query.Callback().Raw().Execute(query).Error
}

// openingRead is where an opening read's row goes.
type openingRead struct {
	dest  any
	namer schema.Namer
}

// readRowInto reads the current row into read's struct by column name, as gorm's scan does: a
// column no field is named for is left out, NULL leaves a field zero.
func readRowInto(rows pgx.Rows, read *openingRead) error {
	parsed, err := schema.Parse(read.dest, &openingSchemas, read.namer)
	if err != nil {
		return err
	}
	values, err := rows.Values()
	if err != nil {
		return err
	}
	target := reflect.ValueOf(read.dest).Elem()
	ctx := context.Background()
	for i, column := range rows.FieldDescriptions() {
		field := parsed.LookUpField(column.Name)
		if field == nil || !field.Readable {
			continue
		}
		if err := field.Set(ctx, target, values[i]); err != nil {
			return fmt.Errorf("read column %s: %w", column.Name, err)
		}
	}
	return nil
}
