package events

import (
	"context"
	"errors"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// campaignOf checks the campaign an event's draft names, inside the transaction that writes the
// event: an open campaign of the group's organisation (kept open until the event commits), or the
// campaign the event is in already, which an edit may keep after it was archived. It returns the id
// for the event's campaign_id; nil for none.
func campaignOf(ctx context.Context, tx *store.Store, group model.Group, named string, current *string) (*string, error) {
	if named == "" {
		return nil, nil
	}
	if current != nil && *current == named {
		return current, nil
	}
	campaign, err := tx.OpenCampaign(ctx, named, group.OrganisationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperror.Invalid("campaign_id", "choose an open campaign of the group's organisation")
	}
	if err != nil {
		return nil, err
	}
	return &campaign.ID, nil
}
