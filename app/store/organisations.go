package store

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// CreateOrganisation inserts org, giving it an id and timestamps. A taken slug is ErrDuplicate.
func (s *Store) CreateOrganisation(ctx context.Context, org model.Organisation) (model.Organisation, error) {
	now := s.now()
	org.ID = model.NewID()
	org.CreatedAt, org.UpdatedAt = now, now
	if err := s.conn(ctx).Create(&org).Error; err != nil {
		return model.Organisation{}, fmt.Errorf("create organisation %q: %w", org.Slug, classify(err))
	}
	return org, nil
}

// OrganisationBySlug loads an organisation by its slug.
func (s *Store) OrganisationBySlug(ctx context.Context, slug string) (model.Organisation, error) {
	var org model.Organisation
	if !storableText(slug) {
		return org, fmt.Errorf("find organisation %q: %w", slug, ErrNotFound)
	}
	if err := s.conn(ctx).Where("slug = ?", slug).Take(&org).Error; err != nil {
		return model.Organisation{}, fmt.Errorf("find organisation %q: %w", slug, classify(err))
	}
	return org, nil
}

// OrganisationByID loads an organisation by its id.
func (s *Store) OrganisationByID(ctx context.Context, id string) (model.Organisation, error) {
	var org model.Organisation
	if err := s.conn(ctx).Where("id = ?", id).Take(&org).Error; err != nil {
		return model.Organisation{}, fmt.Errorf("find organisation %s: %w", id, classify(err))
	}
	return org, nil
}

// ListOrganisations returns every organisation, ordered by slug.
func (s *Store) ListOrganisations(ctx context.Context) ([]model.Organisation, error) {
	var orgs []model.Organisation
	if err := s.conn(ctx).Order("slug").Find(&orgs).Error; err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	return orgs, nil
}

// SetRequireReview says whether posts drafted in the organisation need a second staff member's
// approval before they go out.
func (s *Store) SetRequireReview(ctx context.Context, organisationID string, required bool) error {
	return s.updateRow(ctx, &model.Organisation{}, "organisation", organisationID, columns{"require_review": required})
}
