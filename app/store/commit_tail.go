package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
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

// commitTail is what a transaction runs last.
type commitTail struct {
	statements []tailStatement
}

// tailStatement is one deferred increment; order sorts it among the others.
type tailStatement struct {
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
	s.tail.statements = append(s.tail.statements, tailStatement{order: table + "\x00" + fmt.Sprint(args...), sql: sql, args: args})
	return nil
}

// run executes the deferred increments in a stable order of table and arguments.
func (t *commitTail) run(ctx context.Context, s *Store) error {
	slices.SortStableFunc(t.statements, func(a, b tailStatement) int { return strings.Compare(a.order, b.order) })
	for _, statement := range t.statements {
		if err := s.conn(ctx).Exec(statement.sql, statement.args...).Error; err != nil {
			return fmt.Errorf("add to counters before commit: %w", err)
		}
	}
	t.statements = nil
	return nil
}
