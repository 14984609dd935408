package store

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"
)

// A write whose outcome its caller does not read (an insert of rows with ids made in Go, which
// succeeds or fails the whole transaction) need not cost a round trip of its own. In a
// TransactionHolding on PostgreSQL such a write, run with a context marked by deferWrite, is held by
// the connection and sent ahead of the transaction's next statement, in that statement's pipeline
// (holding_connection.go): a member's post, its Announces, their deliveries and tasks, all inserted
// between the post's first read and its commit, go to the server with the reads and the commit that
// follow them. The statements run in the order they were made, so every statement sees the writes
// made before it; only an error comes later: a deferred write that fails fails the statement it went
// with, and with it the transaction, as its own failure would have. Its arguments are sent when it
// is: a caller must not change, after the call, what a pointer among them points to (the stores'
// writes pass values and pointers of their own).
//
// A read that reads none of the tables the transaction's deferred writes go to may be marked by
// readBeforeDeferred: it goes to the server alone, before them, and leaves them held for the next
// statement (a read through database/sql cannot carry them: only an Exec goes in a pipeline).
//
// Outside a TransactionHolding on PostgreSQL both marks change nothing: the write runs at once.

// deferredWriteKey marks the context of a write whose outcome its caller does not read (deferWrite).
type deferredWriteKey struct{}

// readBeforeDeferredKey marks the context of a read that reads no table the transaction's deferred
// writes change (readBeforeDeferred).
type readBeforeDeferredKey struct{}

// deferWrite marks ctx for a write whose rows affected its caller does not read, and whose error may
// come with the transaction's next statement.
func deferWrite(ctx context.Context) context.Context {
	return context.WithValue(ctx, deferredWriteKey{}, true)
}

// readBeforeDeferred marks ctx for a read that no write deferred before it changes, so it may run
// before them.
func readBeforeDeferred(ctx context.Context) context.Context {
	return context.WithValue(ctx, readBeforeDeferredKey{}, true)
}

// isDeferredWrite says whether ctx marks a write deferred to the transaction's next statement.
func isDeferredWrite(ctx context.Context) bool { return ctx.Value(deferredWriteKey{}) != nil }

// WentDeferred says whether the statement db ran was held by a TransactionHolding's connection to
// go to the server with the next: the tests' statement recorder counts the round trips of a path
// with it.
func WentDeferred(db *gorm.DB) bool {
	_, holding := db.Statement.ConnPool.(*connWithoutTransactions)
	return holding && isDeferredWrite(db.Statement.Context)
}

// deferredWrite is a write held to go ahead of the transaction's next statement.
type deferredWrite struct {
	query string
	args  []any
}

// describe names the write in an error: its statement's first words.
func (w deferredWrite) describe() string {
	words := strings.Fields(w.query)
	return strings.Join(words[:min(len(words), 3)], " ")
}

// errNotYetRun: a deferred write's rows affected are not known when its caller goes on.
var errNotYetRun = errors.New("a deferred write has not run yet")

// deferredResult is the result of a deferred write, before it runs.
type deferredResult struct{}

func (deferredResult) LastInsertId() (int64, error) { return 0, errNotYetRun }
func (deferredResult) RowsAffected() (int64, error) { return 0, errNotYetRun }
