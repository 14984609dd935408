package store

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// InsertInstanceSetting records key once; a key already present is ErrDuplicate. Inside a
// transaction this is what lets only one of two racing transactions commit.
func (s *Store) InsertInstanceSetting(ctx context.Context, key, value string) error {
	now := s.now()
	row := model.InstanceSetting{Key: key, Value: value, CreatedAt: now, UpdatedAt: now}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("record instance setting %q: %w", key, classify(err))
	}
	return nil
}

// InstanceSetting loads the setting stored under key.
func (s *Store) InstanceSetting(ctx context.Context, key string) (model.InstanceSetting, error) {
	var row model.InstanceSetting
	if err := s.conn(ctx).Where("key = ?", key).Take(&row).Error; err != nil {
		return model.InstanceSetting{}, fmt.Errorf("find instance setting %q: %w", key, classify(err))
	}
	return row, nil
}
