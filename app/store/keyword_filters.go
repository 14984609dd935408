package store

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// CreateKeywordFilter inserts a group's keyword filter, giving it an id and a time; ErrDuplicate when
// the group already filters that keyword.
func (s *Store) CreateKeywordFilter(ctx context.Context, filter model.KeywordFilter) (model.KeywordFilter, error) {
	filter.ID = model.NewID()
	filter.CreatedAt = s.now()
	if err := s.conn(ctx).Create(&filter).Error; err != nil {
		return model.KeywordFilter{}, fmt.Errorf("add keyword filter %q to group %s: %w", filter.Keyword, filter.GroupID, classify(err))
	}
	return filter, nil
}

// KeywordFilters lists a group's keyword filters by keyword.
func (s *Store) KeywordFilters(ctx context.Context, groupID string) ([]model.KeywordFilter, error) {
	var filters []model.KeywordFilter
	if err := s.conn(ctx).Where("group_id = ?", groupID).Order("keyword").Find(&filters).Error; err != nil {
		return nil, fmt.Errorf("list keyword filters of group %s: %w", groupID, err)
	}
	return filters, nil
}

// KeywordFilterByID loads a keyword filter.
func (s *Store) KeywordFilterByID(ctx context.Context, id string) (model.KeywordFilter, error) {
	var filter model.KeywordFilter
	if err := s.conn(ctx).Where("id = ?", id).Take(&filter).Error; err != nil {
		return model.KeywordFilter{}, fmt.Errorf("find keyword filter %s: %w", id, classify(err))
	}
	return filter, nil
}

// DeleteKeywordFilter removes a keyword filter; ErrNotFound when there is none with that id.
func (s *Store) DeleteKeywordFilter(ctx context.Context, id string) error {
	res := s.conn(ctx).Where("id = ?", id).Delete(&model.KeywordFilter{})
	if res.Error != nil {
		return fmt.Errorf("delete keyword filter %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete keyword filter %s: %w", id, ErrNotFound)
	}
	return nil
}
