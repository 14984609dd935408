package store

import (
	"github.com/jackc/pgx/v5/pgtype"
)

// A statement whose text has one placeholder per value (a VALUES row per call) is a different
// statement for each count of values: every connection of the pool parses it again and plans it
// afresh for its first five executions of each count before PostgreSQL keeps a generic plan. The
// inbox's shared accept takes each column as one array instead, so it is one statement whatever its
// batch's size, and PostgreSQL keeps its generic plan after the first few executions (a plan for 12
// of 3,569 accepts in 10 s of the production benchmark's direct messages, against 104 ms of
// planning for its VALUES forms; pg_stat_statements, 2026-12-07).
//
// The shared first read and settle, and the enqueue marks, keep their lists: with an array, their
// generic plan is costed for the ten elements PostgreSQL assumes of an array it cannot see, a batch
// of one or two costs far less, and PostgreSQL planned them anew on every execution (planning went
// from 0.5 to 1.6 s in the same 10 s). With lists each count converges to its generic plan on each
// connection, which a long-running process reaches within minutes.

// pgArray is values as one PostgreSQL array parameter. gorm passes it through as one value (it
// would spread a slice into a list), and pgx encodes it for the parameter's array type.
func pgArray[T any](values []T) pgtype.Array[T] {
	return pgtype.Array[T]{Elements: values, Valid: true,
		Dims: []pgtype.ArrayDimension{{Length: int32(len(values)), LowerBound: 1}}}
}
