package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// SavedReplies lists an organisation's saved replies by title.
func (s *Store) SavedReplies(ctx context.Context, organisationID string) ([]model.SavedReply, error) {
	var rows []model.SavedReply
	if err := s.conn(ctx).Where("organisation_id = ?", organisationID).Order("title, id").Limit(500).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list saved replies of organisation %s: %w", organisationID, err)
	}
	return rows, nil
}

// SavedReplyByID loads one saved reply.
func (s *Store) SavedReplyByID(ctx context.Context, id string) (model.SavedReply, error) {
	var r model.SavedReply
	err := s.conn(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, fmt.Errorf("saved reply %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("load saved reply %s: %w", id, err)
	}
	return r, nil
}

// CountSavedReplies counts an organisation's saved replies (they are bounded).
func (s *Store) CountSavedReplies(ctx context.Context, organisationID string) (int64, error) {
	var n int64
	if err := s.conn(ctx).Model(&model.SavedReply{}).Where("organisation_id = ?", organisationID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count saved replies of organisation %s: %w", organisationID, err)
	}
	return n, nil
}

// SaveReply creates a saved reply (no id) or changes one; a title the organisation uses already is
// ErrDuplicate.
func (s *Store) SaveReply(ctx context.Context, r model.SavedReply) (model.SavedReply, error) {
	now := s.now()
	r.UpdatedAt = now
	if r.ID == "" {
		r.ID, r.CreatedAt = model.NewID(), now
		if err := s.conn(ctx).Create(&r).Error; err != nil {
			return r, fmt.Errorf("save reply %q: %w", r.Title, classify(err))
		}
		return r, nil
	}
	result := s.conn(ctx).Model(&model.SavedReply{}).Where("id = ? AND organisation_id = ?", r.ID, r.OrganisationID).
		Updates(map[string]any{"title": r.Title, "body": r.Body, "updated_at": now})
	if result.Error != nil {
		return r, fmt.Errorf("save reply %q: %w", r.Title, classify(result.Error))
	}
	if result.RowsAffected == 0 {
		return r, fmt.Errorf("saved reply %s: %w", r.ID, ErrNotFound)
	}
	return r, nil
}

// DeleteSavedReply deletes one of an organisation's saved replies.
func (s *Store) DeleteSavedReply(ctx context.Context, organisationID, id string) error {
	result := s.conn(ctx).Where("id = ? AND organisation_id = ?", id, organisationID).Delete(&model.SavedReply{})
	if result.Error != nil {
		return fmt.Errorf("delete saved reply %s: %w", id, result.Error)
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("saved reply %s: %w", id, ErrNotFound)
	}
	return nil
}
