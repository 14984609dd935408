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
// It saves the transaction round trips by sending statements in one pipeline (pgx's batch: the
// statements, then one Sync):
//   - its BEGIN and locks go with the first statement it runs, when that statement is an Exec or an
//     opening read (scanOpening); before any other, alone, as one simple query;
//   - its deferred writes (deferred_writes.go) go with the statement that follows them;
//   - its COMMIT goes with its last statement, when that is the commit tail's (commit_tail.go), an
//     Exec marked by withCommitAfter, or with the writes still deferred at its end.
//
// A transaction that begins with its tail (BEGIN, locks, the tail, COMMIT) costs one round trip.
type connWithoutTransactions struct {
	conn    *sql.Conn
	pending *transactionOpening // the BEGIN and locks not sent yet
	// deferred are writes held to go ahead of the transaction's next statement, in its pipeline.
	deferred []deferredWrite
	sent     bool // BEGIN was sent (whatever came back)
	// committed says the COMMIT went with the last statement, and the transaction is over.
	committed bool
	// failed is the error of a pipeline that went wrong: the transaction may not have begun, or may
	// have ended, so every later statement fails with it rather than run on its own, committed alone.
	failed error
	// roundTrips counts the statements and pipelines sent and answered, for the tests.
	roundTrips int
}

// errAfterCommit: a statement came after the one that carried the COMMIT, and would run on its own.
var errAfterCommit = errors.New("a statement after the transaction's commit")

// transactionOpening is a BEGIN and the locks to take after it.
type transactionOpening struct {
	locks        []AdvisoryLock
	genericPlans bool         // the transaction runs on generic plans (TransactionHoldingOnGenericPlans)
	alone        func() error // sends them as one query through gorm, seen by its callbacks as any statement
}

// queueIn queues the opening in a pipeline: BEGIN, the plans' setting, the locks with their keys as
// parameters (lockStatement). readFrom reads their results, in the same order.
func (o *transactionOpening) queueIn(batch *pgx.Batch) {
	batch.Queue("BEGIN")
	if o.genericPlans {
		batch.Queue(setGenericPlans)
	}
	if len(o.locks) > 0 {
		keys := make([]any, len(o.locks))
		for i, lock := range o.locks {
			keys[i] = int64(lock)
		}
		batch.Queue(lockStatement(len(keys)), keys...)
	}
}

func (o *transactionOpening) readFrom(results pgx.BatchResults) error {
	if _, err := results.Exec(); err != nil {
		return fmt.Errorf("BEGIN: %w", err)
	}
	if o.genericPlans {
		if _, err := results.Exec(); err != nil {
			return fmt.Errorf("use generic plans: %w", err)
		}
	}
	if len(o.locks) > 0 {
		if _, err := results.Exec(); err != nil {
			return fmt.Errorf("take the locks: %w", err)
		}
	}
	return nil
}

var _ gorm.ConnPool = (*connWithoutTransactions)(nil)

// begun says whether BEGIN went to the server, so that there is a transaction to end.
func (c *connWithoutTransactions) begun() bool { return c.sent }

// opensWithNext says whether the next statement is the transaction's first, which carries its BEGIN.
func (c *connWithoutTransactions) opensWithNext() bool { return c.pending != nil && c.failed == nil }

// usable says why nothing more may be sent on the connection, if anything does.
func (c *connWithoutTransactions) usable() error {
	if c.failed != nil {
		return c.failed
	}
	if c.committed {
		return errAfterCommit
	}
	return nil
}

// sendAhead sends what must reach the server before a statement that cannot carry it in its own
// pipeline (a read through database/sql): a pending BEGIN and its locks, and the deferred writes,
// unless the statement is a read that goes before them (readBeforeDeferred) and the
// transaction has begun.
func (c *connWithoutTransactions) sendAhead(ctx context.Context) error {
	if err := c.usable(); err != nil {
		return err
	}
	if len(c.deferred) > 0 && (c.pending != nil || ctx.Value(readBeforeDeferredKey{}) == nil) {
		_, err := c.pipeline(ctx, "", nil, nil, false)
		return err
	}
	opening := c.pending
	if opening == nil {
		return nil
	}
	c.pending, c.sent = nil, true
	// alone goes through gorm to this connection's ExecContext, which counts its round trip.
	if err := opening.alone(); err != nil {
		c.failed = fmt.Errorf("begin a transaction holding %d locks: %w", len(opening.locks), err)
		return c.failed
	}
	return nil
}

func (c *connWithoutTransactions) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if err := c.sendAhead(ctx); err != nil {
		return nil, err
	}
	return c.conn.PrepareContext(ctx, query)
}

func (c *connWithoutTransactions) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	if isDeferredWrite(ctx) {
		c.deferred = append(c.deferred, deferredWrite{query: query, args: args})
		return deferredResult{}, nil
	}
	commitAfter := ctx.Value(commitAfterKey{}) != nil
	if c.pending != nil || len(c.deferred) > 0 || commitAfter {
		into, _ := ctx.Value(openingReadKey{}).(*openingRead)
		return c.pipeline(ctx, query, args, into, commitAfter)
	}
	c.roundTrips++
	return c.conn.ExecContext(ctx, query, args...)
}

func (c *connWithoutTransactions) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := c.sendAhead(ctx); err != nil {
		return nil, err
	}
	c.roundTrips++
	return c.conn.QueryContext(ctx, query, args...)
}

func (c *connWithoutTransactions) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := c.sendAhead(ctx); err != nil {
		// A *sql.Row carrying an error comes only from database/sql: a cancelled context makes
		// one without reaching the server.
		cancelled, cancel := context.WithCancelCause(ctx)
		cancel(err)
		return c.conn.QueryRowContext(cancelled, query, args...)
	}
	c.roundTrips++
	return c.conn.QueryRowContext(ctx, query, args...)
}

// finish commits the transaction, with the writes still deferred if there are any, unless its
// tail's last statement carried the COMMIT; a transaction that never sent anything has nothing to
// commit.
func (c *connWithoutTransactions) finish(ctx context.Context) error {
	if c.committed {
		return c.failed // nil when its tail carried the COMMIT
	}
	if c.failed != nil {
		return c.failed
	}
	if len(c.deferred) > 0 {
		_, err := c.pipeline(ctx, "", nil, nil, true)
		return err
	}
	if !c.sent {
		return nil
	}
	c.roundTrips++
	return commit(ctx, c.conn)
}

// pipeline sends in one round trip the statement (none when query is empty) with what goes with it:
// the pending BEGIN and locks, then the deferred writes, before it; COMMIT after it when
// commitAfter. The statement's first row goes into into when it is an opening read.
func (c *connWithoutTransactions) pipeline(ctx context.Context, query string, args []any, into *openingRead, commitAfter bool) (sql.Result, error) {
	opening, deferred := c.pending, c.deferred
	c.pending, c.deferred = nil, nil
	if opening != nil {
		c.sent = true
	}
	var affected int64
	c.roundTrips++
	err := onPgx(c.conn, func(pgxConn *pgx.Conn) error {
		batch := &pgx.Batch{}
		if opening != nil {
			opening.queueIn(batch)
		}
		for _, write := range deferred {
			batch.Queue(write.query, write.args...)
		}
		if query != "" {
			batch.Queue(query, args...)
		}
		if commitAfter {
			batch.Queue("COMMIT")
		}
		results := pgxConn.SendBatch(ctx, batch)
		var err error
		affected, err = c.readPipeline(results, opening, deferred, query != "", into, commitAfter)
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

// readPipeline reads the results of a pipeline: BEGIN's, the plans' setting's and the locks' if it
// opened the transaction, the deferred writes', the statement's if it has one, COMMIT's if it ends it.
func (c *connWithoutTransactions) readPipeline(results pgx.BatchResults, opening *transactionOpening, deferred []deferredWrite, statement bool, into *openingRead, commits bool) (int64, error) {
	if opening != nil {
		if err := opening.readFrom(results); err != nil {
			return 0, err
		}
	}
	for _, write := range deferred {
		if _, err := results.Exec(); err != nil {
			return 0, fmt.Errorf("a deferred write (%s): %w", write.describe(), classify(err))
		}
	}
	var affected int64
	if statement {
		var err error
		if affected, err = readStatement(results, into); err != nil {
			return affected, err
		}
	}
	if !commits {
		return affected, nil
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
