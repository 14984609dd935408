package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// Shared counters (a group's figures of the day, a post's likes) are rows that every event of a
// group or post adds to: a busy group's posts all add to one group_daily_stats row. An UPDATE holds
// its row's lock until COMMIT, so an increment made early in a transaction makes every other
// transaction of the same group wait for the whole rest of it: the group's events are processed one
// at a time however many workers run (measured: 6,000 posts to one group, each waiting 100 ms on
// average for the row, 148 processed per second). Inside a transaction such increments therefore
// run last, just before COMMIT, and hold their rows only for as long as the commit takes. They are
// sorted, so two transactions adding to the same rows lock them in the same order and never deadlock
// each other.
//
// Only increments whose outcome does not depend on what the transaction writes after them may wait:
// they add a constant, or read rows the transaction does not change (a delivery's activity, a
// post's group).
//
// On PostgreSQL the tail is one statement when its increments are to different tables (a post's
// count of the day and its author's activity; a settle's three rollups): each increment a
// data-modifying CTE, so the tail costs one round trip however many counters it adds to. Two
// increments of one table could touch the same row, which one statement may not change twice (an
// UPDATE's second change of a row is silently lost): such a tail runs statement by statement. The
// increments read nothing another one writes, so sharing one snapshot changes no result.

// commitTail is what a transaction runs last.
type commitTail struct {
	statements []tailStatement
	final      *finalWrite
}

// finalWrite is a transaction's last write of its own (execFinal): it runs before the increments,
// which keep their rows locked for as short a time as ever, and carries the COMMIT when there are
// none.
type finalWrite struct {
	describe string
	sql      string
	args     []any
	check    func(rowsAffected int64) error
}

// tailStatement is one deferred increment; order sorts it among the others.
type tailStatement struct {
	table string
	order string
	sql   string
	args  []any
}

// execLast runs sql, an increment of shared counters that may wait, as one of the last statements
// of the transaction, or at once outside one.
func (s *Store) execLast(ctx context.Context, table, sql string, args ...any) error {
	if s.tail == nil {
		return s.conn(ctx).Exec(sql, args...).Error
	}
	s.tail.statements = append(s.tail.statements, tailStatement{table: table, order: table + "\x00" + fmt.Sprint(args...), sql: sql, args: args})
	return nil
}

// execFinal runs sql as the transaction's last write, whose outcome nothing in the transaction
// reads, so that its round trip carries the COMMIT (on a TransactionHolding's connection): a
// member's message that continues her conversation costs its transaction two round trips instead of
// three. check judges its rows affected; describe names it in errors. Outside a transaction it runs
// at once. A transaction has one final write.
//
// When the write carries the COMMIT, check runs after the commit: a check that fails then reports a
// write that is committed. Checks are for what the statement's own errors rule out already (a
// conversation gone fails the message's foreign key before its update can find no row).
func (s *Store) execFinal(ctx context.Context, describe string, check func(rowsAffected int64) error, sql string, args ...any) error {
	write := &finalWrite{describe: describe, sql: sql, args: args, check: check}
	if s.tail == nil {
		return write.run(s.conn(ctx))
	}
	if s.tail.final != nil {
		return fmt.Errorf("%s: the transaction has a final write already (%s)", describe, s.tail.final.describe)
	}
	s.tail.final = write
	return nil
}

func (w *finalWrite) run(db *gorm.DB) error {
	result := db.Exec(w.sql, w.args...)
	if result.Error != nil {
		return fmt.Errorf("%s: %w", w.describe, classify(result.Error))
	}
	return w.check(result.RowsAffected)
}

// run executes the final write, then the deferred increments in a stable order of table and
// arguments; the last statement carries the transaction's COMMIT when commitAfter
// (withCommitAfter).
func (t *commitTail) run(ctx context.Context, s *Store, commitAfter bool) error {
	slices.SortStableFunc(t.statements, func(a, b tailStatement) int { return strings.Compare(a.order, b.order) })
	statements := t.statements
	final := t.final
	t.statements, t.final = nil, nil
	if s.dialect == Postgres && len(statements) > 1 && differentTables(statements) {
		sql, args := combined(statements)
		statements = []tailStatement{{sql: sql, args: args}}
	}
	if final != nil {
		at := ctx
		if commitAfter && len(statements) == 0 {
			at = withCommitAfter(ctx)
		}
		if err := final.run(s.conn(at)); err != nil {
			return err
		}
	}
	for i, statement := range statements {
		at := ctx
		if commitAfter && i == len(statements)-1 {
			at = withCommitAfter(ctx)
		}
		if err := s.conn(at).Exec(statement.sql, statement.args...).Error; err != nil {
			return fmt.Errorf("add to counters before commit: %w", err)
		}
	}
	return nil
}

func differentTables(statements []tailStatement) bool {
	seen := map[string]bool{}
	for _, statement := range statements {
		if seen[statement.table] || strings.HasPrefix(strings.TrimSpace(statement.sql), "WITH") {
			return false // a statement with a WITH of its own cannot be one of another's
		}
		seen[statement.table] = true
	}
	return true
}

// combined makes one statement of the increments, in their order: PostgreSQL runs the main
// statement first, then the data-modifying CTEs it does not read from last to first (measured on
// PostgreSQL 15, and checked by TestCommitTailIsOneStatementInItsOrder), so the first increment is
// the main statement and the others are listed in reverse. Rows are then locked in the same order
// as by a tail run statement by statement, and two transactions never wait for each other's rows.
func combined(statements []tailStatement) (string, []any) {
	var sql strings.Builder
	var args []any
	sql.WriteString("WITH ")
	for i := len(statements) - 1; i >= 1; i-- {
		fmt.Fprintf(&sql, "increment_%d AS (%s)", i, statements[i].sql)
		if i > 1 {
			sql.WriteString(",\n")
		}
		args = append(args, statements[i].args...)
	}
	sql.WriteString("\n")
	sql.WriteString(statements[0].sql)
	return sql.String(), append(args, statements[0].args...)
}
