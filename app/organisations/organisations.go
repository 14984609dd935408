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

// CreateOrganisation creates an organisation with a unique slug, logged as Kring's own (the command
// line's).
func (s *Service) CreateOrganisation(ctx context.Context, slug, name string) (model.Organisation, error) {
	return s.CreateOrganisationBy(ctx, slug, name, nil)
}

// CreateOrganisationBy creates an organisation with a unique slug and logs it in the name of the
// instance admin by.
func (s *Service) CreateOrganisationBy(ctx context.Context, slug, name string, by *string) (model.Organisation, error) {
	if err := textinput.Slug("slug", slug); err != nil {
		return model.Organisation{}, err
	}
	name, err := textinput.Name("name", name, true)
	if err != nil {
		return model.Organisation{}, err
	}
	var org model.Organisation
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		org, err = tx.CreateOrganisation(ctx, model.Organisation{Slug: slug, Name: name})
		if errors.Is(err, store.ErrDuplicate) {
			return apperror.Conflict("slug", "an organisation with slug %q already exists", slug)
		}
		if err != nil {
			return err
		}
		_, err = tx.RecordModerationAction(ctx, store.LogEntry{OrganisationID: &org.ID, StaffAccountID: by,
			Action: model.ActionOrganisationCreate, TargetKind: model.TargetOrganisation, TargetID: org.Slug,
			Metadata: map[string]any{"name": org.Name}})
		return err
	})
	if err != nil {
		return model.Organisation{}, fmt.Errorf("create organisation %s: %w", slug, err)
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
