package store

import (
	"errors"
	"fmt"
	"time"
)

// ErrDuplicate is returned, wrapped together with the driver's error, when a write would break a
// unique index. Services turn it into an apperror.Conflict naming the field.
var ErrDuplicate = errors.New("duplicate")

// classify makes a driver error recognisable with errors.Is: ErrNotFound for a missing row,
// ErrDuplicate for a unique violation (keeping the driver's error in the chain for the logs).
func classify(err error) error {
	if err == nil {
		return nil
	}
	if isUniqueViolation(err) {
		return fmt.Errorf("%w: %w", ErrDuplicate, err)
	}
	return notFoundAs(err)
}

// now is the time the store writes for "now": UTC, microseconds, like every time it stores.
func (s *Store) now() time.Time { return s.db.NowFunc() }

// dbTime normalises a time for storage. PostgreSQL keeps microseconds and TIMESTAMP drops the zone;
// SQLite keeps the text the driver writes. Storing every time as UTC with microseconds makes both
// read back a value equal to the one written, and keeps SQLite's text comparable in order (the same
// offset, +00:00, on every value).
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// dbTimePtr is dbTime for nullable columns.
func dbTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := dbTime(*t)
	return &v
}
