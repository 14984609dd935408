package store

import (
	"context"
	"fmt"
	"time"
)

// Set is one column's new value in a change of a row (PostChange, GroupChange): the zero Set leaves
// the column as it is, To(value) writes value. A nullable column takes a pointer, so
// To[*time.Time](nil) clears it.
type Set[T any] struct {
	value T
	set   bool
}

// To is a Set that writes value.
func To[T any](value T) Set[T] { return Set[T]{value: value, set: true} }

// Get returns the value to write, and whether there is one.
func (s Set[T]) Get() (T, bool) { return s.value, s.set }

// columns are the columns of one row an update writes, by name, as gorm's Updates takes them.
type columns map[string]any

// put adds the column name when s writes it, times as the database keeps them (dbTime).
func put[T any](c columns, name string, s Set[T]) {
	if !s.set {
		return
	}
	switch v := any(s.value).(type) {
	case time.Time:
		c[name] = dbTime(v)
	case *time.Time:
		c[name] = dbTimePtr(v)
	default:
		c[name] = s.value
	}
}

// updateRow writes columns and updated_at to the row of row's table with id; what names the row in
// errors ("post", "group"). ErrNotFound when there is no such row.
func (s *Store) updateRow(ctx context.Context, row any, what, id string, change columns) error {
	change["updated_at"] = s.now()
	res := s.conn(ctx).Model(row).Where("id = ?", id).Updates(map[string]any(change))
	if res.Error != nil {
		return fmt.Errorf("update %s %s: %w", what, id, classify(res.Error))
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("update %s %s: %w", what, id, ErrNotFound)
	}
	return nil
}
