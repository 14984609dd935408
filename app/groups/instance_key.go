package groups

import (
	"context"
	"errors"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// EnsureInstanceKey returns the instance actor's active signing key, creating it the first time.
// Processes starting together may each generate a key; the partial unique index on active instance
// keys lets one insert win, and the others return the winner's key.
func (s *Service) EnsureInstanceKey(ctx context.Context) (model.SigningKey, error) {
	key, err := s.store.ActiveInstanceKey(ctx)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return key, err
	}
	publicPEM, privatePEM, err := s.generateKey()
	if err != nil {
		return model.SigningKey{}, err
	}
	key, err = s.store.CreateSigningKey(ctx, model.SigningKey{OwnerKind: model.OwnerInstance,
		KeySuffix: model.MainKeySuffix, PublicPEM: publicPEM, PrivatePEM: privatePEM})
	if errors.Is(err, store.ErrDuplicate) {
		return s.store.ActiveInstanceKey(ctx)
	}
	return key, err
}
