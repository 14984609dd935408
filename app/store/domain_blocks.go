package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/kring-social/kring/app/model"
)

// CreateDomainBlock inserts a block; ErrDuplicate when the organisation (or the instance, for a nil
// organisation) already blocks the domain.
func (s *Store) CreateDomainBlock(ctx context.Context, block model.DomainBlock) (model.DomainBlock, error) {
	block.ID = model.NewID()
	block.CreatedAt = s.now()
	block.UpdatedAt = block.CreatedAt
	if err := s.conn(ctx).Create(&block).Error; err != nil {
		return model.DomainBlock{}, fmt.Errorf("block domain %s: %w", block.Domain, classify(err))
	}
	return block, nil
}

// DomainBlocksFor returns the blocks that cover host: blocks of the host itself and of every parent
// domain (a block of example.com covers social.example.com, as on Mastodon), instance-wide ones and,
// when organisationID is not empty, that organisation's. host must already be normalised (lowercase,
// no trailing dot).
func (s *Store) DomainBlocksFor(ctx context.Context, host, organisationID string) ([]model.DomainBlock, error) {
	query := s.conn(ctx).Where("domain IN ?", slices.Collect(model.DomainAndParents(host)))
	if organisationID == "" {
		query = query.Where("organisation_id IS NULL")
	} else {
		query = query.Where("organisation_id IS NULL OR organisation_id = ?", organisationID)
	}
	var blocks []model.DomainBlock
	if err := query.Order("id").Find(&blocks).Error; err != nil {
		return nil, fmt.Errorf("find domain blocks covering %s: %w", host, err)
	}
	return blocks, nil
}

// ListDomainBlocks returns the blocks of an organisation, or the instance-wide ones when
// organisationID is empty, by domain.
func (s *Store) ListDomainBlocks(ctx context.Context, organisationID string) ([]model.DomainBlock, error) {
	query := s.conn(ctx).Where("organisation_id IS NULL")
	if organisationID != "" {
		query = s.conn(ctx).Where("organisation_id = ?", organisationID)
	}
	var blocks []model.DomainBlock
	if err := query.Order("domain").Find(&blocks).Error; err != nil {
		return nil, fmt.Errorf("list domain blocks: %w", err)
	}
	return blocks, nil
}

// SuspendedDomainsOf returns the domains suspended instance-wide or by the organisation: those its
// groups send nothing to. One statement, for every fan-out; it goes ahead of the transaction's
// deferred writes (a post's insert), as FollowerInboxes does.
func (s *Store) SuspendedDomainsOf(ctx context.Context, organisationID string) ([]string, error) {
	var domains []string
	err := s.conn(readBeforeDeferred(ctx)).Model(&model.DomainBlock{}).
		Where("severity = ? AND (organisation_id IS NULL OR organisation_id = ?)", model.SeveritySuspend, organisationID).
		Distinct().Pluck("domain", &domains).Error
	if err != nil {
		return nil, fmt.Errorf("list the domains suspended for organisation %s: %w", organisationID, err)
	}
	return domains, nil
}

// SuspendedDomains returns every suspend-level block, instance-wide and of every organisation.
func (s *Store) SuspendedDomains(ctx context.Context) ([]model.DomainBlock, error) {
	var blocks []model.DomainBlock
	if err := s.conn(ctx).Where("severity = ?", model.SeveritySuspend).Find(&blocks).Error; err != nil {
		return nil, fmt.Errorf("list suspended domains: %w", err)
	}
	return blocks, nil
}
