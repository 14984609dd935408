package store

import "gorm.io/gorm"

// scan reads a query's rows into dest (a struct, a slice, a map, a value) as gorm's Scan does, but
// traces the query through the store's own logger only. gorm's Scan runs the query under a recorder
// that renders the statement with every value in it (its ExplainSQL) before the store's logger
// decides whether to log it, which it seldom does (logger.go): on the inbox path that rendering took
// 9 % of the serve's CPU (an accept carries every body of its batch) and 4 % of the worker's.
//
// The first statement of a TransactionHolding, when it is such a read into a struct, goes in the
// round trip of the transaction's BEGIN and locks (scanOpening).
func scan(query *gorm.DB, dest any) error {
	if opening, err := scanOpening(query, dest); opening {
		return err
	}
	rows, err := query.Rows()
	if err != nil {
		return err
	}
	if rows.Next() {
		err = query.ScanRows(rows, dest)
	}
	if err == nil {
		err = rows.Err()
	}
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}
