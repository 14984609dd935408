package organisations

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// SetRequireReview says whether posts drafted in the organisation need the approval of a second
// staff member with publishing rights before they go out; logged in by's name. Drafts already
// scheduled keep their time: those nobody approved wait in review when they come due.
func (s *Service) SetRequireReview(ctx context.Context, organisationID string, required bool, by *string) error {
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		org, err := tx.OrganisationByID(ctx, organisationID)
		if err != nil {
			return err
		}
		if org.RequireReview == required {
			return nil
		}
		if err := tx.SetRequireReview(ctx, organisationID, required); err != nil {
			return err
		}
		_, err = tx.RecordModerationAction(ctx, store.LogEntry{OrganisationID: &org.ID, StaffAccountID: by,
			Action: model.ActionOrganisationReview, TargetKind: model.TargetOrganisation, TargetID: org.Slug,
			Metadata: map[string]any{"require_review": required}})
		return err
	})
	if err != nil {
		return fmt.Errorf("set review of organisation %s: %w", organisationID, err)
	}
	return nil
}
