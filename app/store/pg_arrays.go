package store

import (
	"github.com/jackc/pgx/v5/pgtype"
)

// A statement whose text has one placeholder per value (an IN list, a VALUES row per call) is a
// different statement for each count of values: every connection of the pool parses it again and
// plans it afresh for its first executions (PostgreSQL keeps a generic plan only after five). While
// the inbox took direct messages, planning was a tenth of PostgreSQL's time in statements, three
// quarters of it for the batched statements of the inbox path and the enqueue marks, each seen in
// dozens of sizes (pg_stat_statements, 2026-12-07). On PostgreSQL such statements take each column
// as one array parameter instead, so each is one statement whatever the count.

// pgArray is values as one PostgreSQL array parameter. gorm passes it through as one value (it
// would spread a slice into a list), and pgx encodes it for the parameter's array type.
func pgArray[T any](values []T) pgtype.Array[T] {
	return pgtype.Array[T]{Elements: values, Valid: true,
		Dims: []pgtype.ArrayDimension{{Length: int32(len(values)), LowerBound: 1}}}
}

// oneOf is the condition that column is one of values, and its argument: one array parameter on
// PostgreSQL, an IN list on SQLite (which keeps no plans across calls, and has no arrays).
func (s *Store) oneOf(column string, values []string) (string, any) {
	if s.dialect == Postgres {
		return column + " = ANY(?)", pgArray(values)
	}
	return column + " IN ?", values
}
