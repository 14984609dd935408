package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// UpdateGroup writes the given columns of a group and bumps updated_at. A taken slug is ErrDuplicate;
// an unknown group ErrNotFound.
func (s *Store) UpdateGroup(ctx context.Context, id string, columns map[string]any) error {
	columns["updated_at"] = s.now()
	for name, value := range columns {
		switch v := value.(type) {
		case time.Time:
			columns[name] = dbTime(v)
		case *time.Time:
			columns[name] = dbTimePtr(v)
		}
	}
	res := s.conn(ctx).Model(&model.Group{}).Where("id = ?", id).Updates(columns)
	if res.Error != nil {
		return fmt.Errorf("update group %s: %w", id, classify(res.Error))
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("update group %s: %w", id, ErrNotFound)
	}
	return nil
}

// GroupHasFederated reports whether other servers may know the group: it has been marked federated,
// anyone has followed it, posted in it or written to its inbox, or it has sent an activity. Its slug,
// part of every IRI they hold, must then stay as it is. (A server that only looked the group up
// leaves no trace; Kring accepts that gap rather than record every lookup.)
func (s *Store) GroupHasFederated(ctx context.Context, group model.Group) (bool, error) {
	if group.FederatedAt != nil {
		return true, nil
	}
	for _, table := range []any{&model.Follow{}, &model.Post{}, &model.InboundActivity{}, &model.OutboundActivity{}} {
		var ids []string
		if err := s.conn(ctx).Model(table).Where("group_id = ?", group.ID).Limit(1).Pluck("id", &ids).Error; err != nil {
			return false, fmt.Errorf("find whether group %s has federated: %w", group.ID, err)
		}
		if len(ids) > 0 {
			return true, nil
		}
	}
	return false, nil
}
