package store

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// CreateSigningKey inserts key as its owner's active key, giving it an id and a creation time. If the
// owner already has an active key the result is ErrDuplicate.
func (s *Store) CreateSigningKey(ctx context.Context, key model.SigningKey) (model.SigningKey, error) {
	key.ID = model.NewID()
	key.CreatedAt = s.now()
	key.RetiredAt = nil
	if err := s.conn(ctx).Create(&key).Error; err != nil {
		return model.SigningKey{}, fmt.Errorf("create %s signing key: %w", key.OwnerKind, classify(err))
	}
	return key, nil
}

// ActiveGroupKey loads the key a group signs with now.
func (s *Store) ActiveGroupKey(ctx context.Context, groupID string) (model.SigningKey, error) {
	var key model.SigningKey
	err := s.conn(ctx).Where("owner_kind = ? AND group_id = ? AND retired_at IS NULL", model.OwnerGroup, groupID).
		Take(&key).Error
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("find signing key of group %s: %w", groupID, classify(err))
	}
	return key, nil
}

// ActiveInstanceKey loads the key the instance actor signs with now.
func (s *Store) ActiveInstanceKey(ctx context.Context) (model.SigningKey, error) {
	var key model.SigningKey
	err := s.conn(ctx).Where("owner_kind = ? AND retired_at IS NULL", model.OwnerInstance).Take(&key).Error
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("find signing key of the instance actor: %w", classify(err))
	}
	return key, nil
}
