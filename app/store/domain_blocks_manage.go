package store

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// importBatchSize keeps each multi-row INSERT of an import well under PostgreSQL's 65,535 bind
// parameters (and SQLite's 32,766): about ten columns a row.
const importBatchSize = 500

// DomainBlockByID loads one block; ErrNotFound when there is none.
func (s *Store) DomainBlockByID(ctx context.Context, id string) (model.DomainBlock, error) {
	var block model.DomainBlock
	if err := s.conn(ctx).Where("id = ?", id).Take(&block).Error; err != nil {
		return model.DomainBlock{}, fmt.Errorf("find domain block %s: %w", id, classify(err))
	}
	return block, nil
}

// DeleteDomainBlock lifts a block; ErrNotFound when it was already gone.
func (s *Store) DeleteDomainBlock(ctx context.Context, id string) error {
	result := s.conn(ctx).Where("id = ?", id).Delete(&model.DomainBlock{})
	if result.Error != nil {
		return fmt.Errorf("delete domain block %s: %w", id, result.Error)
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("delete domain block %s: %w", id, ErrNotFound)
	}
	return nil
}

// CreateDomainBlocks inserts many blocks in batches (an import), giving each an id and timestamps.
// Any duplicate fails the whole call with ErrDuplicate; callers leave known duplicates out first.
func (s *Store) CreateDomainBlocks(ctx context.Context, blocks []model.DomainBlock) ([]model.DomainBlock, error) {
	if len(blocks) == 0 {
		return blocks, nil
	}
	now := s.now()
	for i := range blocks {
		blocks[i].ID = model.NewID()
		blocks[i].CreatedAt, blocks[i].UpdatedAt = now, now
	}
	if err := s.conn(ctx).CreateInBatches(blocks, importBatchSize).Error; err != nil {
		return nil, fmt.Errorf("block %d domains: %w", len(blocks), classify(err))
	}
	return blocks, nil
}
