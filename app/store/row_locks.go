package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// LockGroup loads a group and, on PostgreSQL, locks its row until the transaction ends, so two
// moderators changing what the group points at (its introductions prompt) do so one after the other.
// SQLite runs one write transaction at a time already.
func (s *Store) LockGroup(ctx context.Context, id string) (model.Group, error) {
	return lockRow[model.Group](ctx, s, "group", id)
}

// LockPost loads a post and, on PostgreSQL, locks its row until the transaction ends, so two
// moderators deciding on it at once decide one after the other, the second on the post as the first
// left it (declining a post just declined is refused, and neither counted nor federated twice).
func (s *Store) LockPost(ctx context.Context, id string) (model.Post, error) {
	return lockRow[model.Post](ctx, s, "post", id)
}

// lockRow loads the row id of T's table inside the transaction and, on PostgreSQL, locks it until the
// transaction ends (SELECT ... FOR UPDATE). SQLite runs one write transaction at a time already.
func lockRow[T any](ctx context.Context, s *Store, what, id string) (T, error) {
	var row T
	if !s.InTransaction() {
		return row, fmt.Errorf("lock %s %s: not inside a transaction", what, id)
	}
	query := s.conn(ctx)
	if s.dialect == Postgres {
		query = query.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := query.Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, fmt.Errorf("%s %s: %w", what, id, ErrNotFound)
	}
	if err != nil {
		return row, fmt.Errorf("lock %s %s: %w", what, id, err)
	}
	return row, nil
}
