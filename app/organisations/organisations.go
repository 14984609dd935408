package organisations

import (
	"context"
	"errors"
	"fmt"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// CreateOrganisation creates an organisation with a unique slug.
func (s *Service) CreateOrganisation(ctx context.Context, slug, name string) (model.Organisation, error) {
	if err := textinput.Slug("slug", slug); err != nil {
		return model.Organisation{}, err
	}
	name, err := textinput.Name("name", name, true)
	if err != nil {
		return model.Organisation{}, err
	}
	org, err := s.store.CreateOrganisation(ctx, model.Organisation{Slug: slug, Name: name})
	if errors.Is(err, store.ErrDuplicate) {
		return model.Organisation{}, apperror.Conflict("slug", "an organisation with slug %q already exists", slug)
	}
	if err != nil {
		return model.Organisation{}, err
	}
	return org, nil
}

// ListOrganisations returns every organisation, ordered by slug.
func (s *Service) ListOrganisations(ctx context.Context) ([]model.Organisation, error) {
	return s.store.ListOrganisations(ctx)
}

// OrganisationBySlug finds an organisation; NotFound when there is none.
func (s *Service) OrganisationBySlug(ctx context.Context, slug string) (model.Organisation, error) {
	org, err := s.store.OrganisationBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return model.Organisation{}, organisationNotFound(slug, err)
	}
	if err != nil {
		return model.Organisation{}, fmt.Errorf("find organisation: %w", err)
	}
	return org, nil
}

func organisationNotFound(slug string, cause error) error {
	return &apperror.Error{Kind: apperror.KindNotFound, Field: "organisation",
		Message: fmt.Sprintf("no organisation with slug %q", slug), Cause: cause}
}
