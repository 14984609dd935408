package conversations

import (
	"context"
	"errors"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/campaigntag"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// inCampaign checks the campaign draft names, if any, inside the publishing transaction: an open
// campaign of the group's organisation, kept open until the post commits. It returns the text
// carrying the campaign's hashtag (added as a last paragraph unless the writer wrote it already)
// and the campaign's id for the post.
func inCampaign(ctx context.Context, tx *store.Store, group model.Group, draft Draft, text string) (string, *string, error) {
	if draft.CampaignID == "" {
		return text, nil, nil
	}
	campaign, err := tx.OpenCampaign(ctx, draft.CampaignID, group.OrganisationID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, apperror.Invalid("campaign_id", "choose an open campaign of the group's organisation")
	}
	if err != nil {
		return "", nil, err
	}
	return campaigntag.Append(text, campaign.Hashtag), &campaign.ID, nil
}
