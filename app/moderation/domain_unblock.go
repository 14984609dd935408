package moderation

import (
	"context"
	"errors"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// DomainBlock loads one block; NotFound when there is none. Callers check who may see it by its
// OrganisationID (nil: instance-wide).
func (s *Service) DomainBlock(ctx context.Context, id string) (model.DomainBlock, error) {
	block, err := s.store.DomainBlockByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return model.DomainBlock{}, apperror.NotFound("no such domain block")
	}
	return block, err
}

// Unblock lifts a block and records it in the moderation log with who lifted it and why. The
// inbox's copy of suspended domains catches up within its refresh time.
func (s *Service) Unblock(ctx context.Context, blockID string, staffID *string, reason string) (model.DomainBlock, error) {
	reason, err := textinput.Text("reason", reason, 2000)
	if err != nil {
		return model.DomainBlock{}, err
	}
	var block model.DomainBlock
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		var err error
		if block, err = tx.DomainBlockByID(ctx, blockID); err != nil {
			return err
		}
		if err := tx.DeleteDomainBlock(ctx, blockID); err != nil {
			return err
		}
		entry := blockLogEntry(block, model.ActionDomainUnblock, staffID, nil)
		entry.Reason = reason
		_, err = tx.RecordModerationAction(ctx, entry)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return model.DomainBlock{}, apperror.NotFound("no such domain block")
	}
	if err != nil {
		return model.DomainBlock{}, err
	}
	return block, nil
}
