package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// AdvisoryLock names a PostgreSQL transaction-scoped advisory lock (advisoryKey of its parts).
type AdvisoryLock int64

// SupportInboxLock holds the messages of one server's accounts to one group's support inbox: the
// hourly limits counted after it (per member and per server), and the choice between continuing a
// conversation and opening one, hold until the message is stored.
func SupportInboxLock(groupID, host string) AdvisoryLock {
	return AdvisoryLock(advisoryKey("kring support inbox", groupID, host))
}

// PostingRateLocks hold the posting rate limits of one remote actor and of its host: counts taken
// after them stay true until the post they admit is stored and committed. Every caller takes the
// actor's, then the host's, so two never wait on each other in a cycle.
func PostingRateLocks(remoteActorID, host string) []AdvisoryLock {
	return []AdvisoryLock{
		AdvisoryLock(advisoryKey("kring posting rate", "actor", remoteActorID)),
		AdvisoryLock(advisoryKey("kring posting rate", "host", host)),
	}
}

// TransactionHolding is Transaction for work that takes advisory locks before anything else, to
// make counts it reads hold until it commits (the inbox's rate limits). Other transactions taking
// any of the locks wait until this one ends; the locks are taken in the order given.
//
// On PostgreSQL the transaction's BEGIN and its locks go with its first statement, in one round
// trip, where database/sql would send BEGIN alone, then the locks, then the statement; and its
// COMMIT goes with the last statement of its commit tail, if it has one: this is the transaction
// every direct message and every post a member sends costs, and a round trip costs both sides more
// than these statements. The locks are therefore taken when fn runs its first statement, not before
// fn starts; that statement, and every one after it, takes its snapshot after they are held
// (holding_connection.go). SQLite runs one writing transaction at a time already and takes no lock.
//
// With no locks it is Transaction with those round trips saved, and its deferred writes
// (deferred_writes.go) going with the statements after them: for inbound work that needs no lock
// (a Like) but runs often.
func (s *Store) TransactionHolding(ctx context.Context, locks []AdvisoryLock, fn func(tx *Store) error) error {
	return s.transactionHolding(ctx, locks, false, fn)
}

// TransactionHoldingOnGenericPlans is TransactionHolding whose statements run on PostgreSQL's
// generic plans: each statement is planned once per connection, for any values, and not again on
// each execution. PostgreSQL otherwise plans a statement afresh every time it judges the generic plan
// dearer than the plans it makes for the values given, as it does for a post's first read (its
// standing, the posting-rate counts bounded by a time, the mentions: ten subqueries, four of them on
// the posts table and its twelve indexes): 1.6 ms of planning for 0.6 ms of execution, measured per
// post in the production benchmark with pg_stat_statements; on generic plans 0.2 and 0.5.
//
// Only for transactions whose statements are served by the same index whatever their values
// (lookups by key, counts by key and time, bounded): a generic plan is made without the values, so a
// statement whose best plan depends on them must not run here. And only where the generic plan is
// cheap to make: each connection makes it again after every ANALYZE of a table it reads. A direct
// message's standing stays on custom plans: its generic plan took 9.9 ms to make, 142 times in 4,200
// messages of one benchmark round, more planning in all than a custom plan every time (0.34 against
// 0.22 ms a message).
func (s *Store) TransactionHoldingOnGenericPlans(ctx context.Context, locks []AdvisoryLock, fn func(tx *Store) error) error {
	return s.transactionHolding(ctx, locks, true, fn)
}

func (s *Store) transactionHolding(ctx context.Context, locks []AdvisoryLock, genericPlans bool, fn func(tx *Store) error) error {
	if s.dialect != Postgres || s.InTransaction() {
		return s.Transaction(ctx, func(tx *Store) error {
			if err := tx.holdLocks(ctx, locks); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("take a connection: %w", err)
	}
	// A connection given back with its transaction open is discarded by the driver (pgx's
	// ResetSession), so one left open by a failed ROLLBACK harms no later caller.
	defer conn.Close()
	session := s.db.Session(&gorm.Session{Context: ctx, NewDB: true})
	opening := &transactionOpening{locks: locks, genericPlans: genericPlans}
	opening.alone = func() error { return session.Exec(opening.simpleQuery()).Error }
	holding := &connWithoutTransactions{conn: conn, pending: opening}
	session.Statement.ConnPool = holding
	committed := false
	defer func() {
		if !committed && holding.begun() && !holding.committed {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	tasks, err := s.runTransaction(ctx, session, fn, true)
	if err == nil {
		err = holding.failed // a pipeline's error, though fn went on without it
	}
	if err != nil {
		return err
	}
	if err := holding.finish(ctx); err != nil {
		return err
	}
	committed = true
	s.dispatch(ctx, tasks)
	return nil
}

// holdLocks takes locks inside the transaction s is in (PostgreSQL; nothing on SQLite).
func (s *Store) holdLocks(ctx context.Context, locks []AdvisoryLock) error {
	if s.dialect != Postgres || len(locks) == 0 {
		return nil
	}
	if err := s.conn(ctx).Exec(lockQuery(locks)).Error; err != nil {
		return fmt.Errorf("take %d advisory locks: %w", len(locks), err)
	}
	return nil
}

// setGenericPlans makes the rest of the transaction run on generic plans
// (TransactionHoldingOnGenericPlans).
const setGenericPlans = "SET LOCAL plan_cache_mode = force_generic_plan"

// simpleQuery is the opening sent alone: BEGIN, the plans' setting and the locks in one query.
func (o *transactionOpening) simpleQuery() string {
	query := "BEGIN"
	if o.genericPlans {
		query += "; " + setGenericPlans
	}
	if len(o.locks) > 0 {
		query += "; " + lockQuery(o.locks)
	}
	return query
}

// lockQuery takes locks, in order, in one statement with their keys written into it: it goes by
// the simple protocol, which takes several statements in one query (BEGIN with it) but no
// parameters.
func lockQuery(locks []AdvisoryLock) string {
	calls := make([]string, len(locks))
	for i, lock := range locks {
		calls[i] = fmt.Sprintf("pg_advisory_xact_lock(%d)", int64(lock))
	}
	return "SELECT " + strings.Join(calls, ", ")
}

// lockStatement takes n advisory locks, given as its parameters, in order, in one statement: a
// pipeline's (holding_connection.go), prepared once for each n rather than once for each set of keys.
func lockStatement(n int) string {
	calls := make([]string, n)
	for i := range calls {
		calls[i] = fmt.Sprintf("pg_advisory_xact_lock($%d)", i+1)
	}
	return "SELECT " + strings.Join(calls, ", ")
}

// errCommitRolledBack: PostgreSQL answered COMMIT by rolling back, because a statement of the
// transaction had failed (an error some caller took for an answer).
var errCommitRolledBack = errors.New("commit: the transaction was rolled back")

// commit commits the transaction open on conn.
func commit(ctx context.Context, conn *sql.Conn) error {
	return onPgx(conn, func(pgxConn *pgx.Conn) error { return commitAnswer(pgxConn.Exec(ctx, "COMMIT")) })
}

// commitAnswer reads PostgreSQL's answer to a COMMIT. It answers the COMMIT of a transaction that
// has failed with ROLLBACK, not an error: the command tag tells.
func commitAnswer(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if tag.String() == "ROLLBACK" {
		return errCommitRolledBack
	}
	return nil
}

// onPgx runs fn on the pgx connection under conn, for what database/sql cannot send: a COMMIT whose
// command tag is read, a pipeline.
func onPgx(conn *sql.Conn, fn func(*pgx.Conn) error) error {
	return conn.Raw(func(driverConn any) error {
		pgxConn, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("connection %T is not pgx's", driverConn)
		}
		return fn(pgxConn.Conn())
	})
}
