package campaigns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/campaigntag"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// MaxDescription bounds what staff write about a campaign: a note for colleagues, not a post.
const MaxDescription = 2000

// Input is a campaign as staff write it. StartsOn and EndsOn are dates: only their year, month and
// day count. Both are optional.
type Input struct {
	Name, Hashtag, Description string
	StartsOn, EndsOn           *time.Time
}

// checked returns the campaign in describes, or why it will not do.
func (in Input) checked() (model.Campaign, error) {
	var c model.Campaign
	var err error
	if c.Name, err = textinput.Name("name", in.Name, true); err != nil {
		return c, err
	}
	if c.Hashtag, err = campaigntag.Check("hashtag", in.Hashtag); err != nil {
		return c, err
	}
	if c.Description, err = textinput.Text("description", strings.ReplaceAll(in.Description, "\r\n", "\n"), MaxDescription); err != nil {
		return c, err
	}
	c.StartsOn, c.EndsOn = dateOnly(in.StartsOn), dateOnly(in.EndsOn)
	for field, date := range map[string]*time.Time{"starts_on": c.StartsOn, "ends_on": c.EndsOn} {
		if date != nil && (date.Year() < FirstYear || date.Year() > LastYear) {
			return c, apperror.Invalid(field, "must be between %d and %d", FirstYear, LastYear)
		}
	}
	if c.StartsOn != nil && c.EndsOn != nil && c.EndsOn.Before(*c.StartsOn) {
		return c, apperror.Invalid("ends_on", "must not be before the start")
	}
	return c, nil
}

// dateOnly keeps a date's year, month and day, as midnight UTC: the same day wherever it is read.
func dateOnly(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// Create adds a campaign to the organisation, logged in staffID's name. A name the organisation's
// campaigns have already, in any letter case, is a conflict.
func (s *Service) Create(ctx context.Context, organisationID string, staffID *string, in Input) (model.Campaign, error) {
	campaign, err := in.checked()
	if err != nil {
		return model.Campaign{}, err
	}
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		if err := nameFree(ctx, tx, organisationID, "", campaign.Name); err != nil {
			return err
		}
		campaign.OrganisationID, campaign.CreatedByStaffID = organisationID, staffID
		if campaign, err = tx.CreateCampaign(ctx, campaign); err != nil {
			return asNameTaken(err, campaign.Name)
		}
		return logCampaign(ctx, tx, staffID, model.ActionCampaignCreate, campaign)
	})
	if err != nil {
		return model.Campaign{}, fmt.Errorf("create campaign in organisation %s: %w", organisationID, err)
	}
	return campaign, nil
}

// Edit changes a campaign's name, hashtag, description and dates. Posts already out keep the
// hashtag they went out with: a post is not edited behind its readers' backs.
func (s *Service) Edit(ctx context.Context, campaignID string, staffID *string, in Input) (model.Campaign, error) {
	changed, err := in.checked()
	if err != nil {
		return model.Campaign{}, err
	}
	return s.change(ctx, campaignID, staffID, model.ActionCampaignEdit, func(tx *store.Store, campaign model.Campaign) (model.Campaign, error) {
		if err := nameFree(ctx, tx, campaign.OrganisationID, campaign.ID, changed.Name); err != nil {
			return campaign, err
		}
		err := tx.UpdateCampaign(ctx, campaign.ID, store.CampaignChange{Name: store.To(changed.Name), Hashtag: store.To(changed.Hashtag),
			Description: store.To(changed.Description), StartsOn: store.To(changed.StartsOn), EndsOn: store.To(changed.EndsOn)})
		if err != nil {
			return campaign, asNameTaken(err, changed.Name)
		}
		campaign.Name, campaign.Hashtag, campaign.Description = changed.Name, changed.Hashtag, changed.Description
		campaign.StartsOn, campaign.EndsOn = changed.StartsOn, changed.EndsOn
		return campaign, nil
	})
}

// Archive closes a campaign: new posts and events can no longer name it, and it leaves the forms'
// choices; what went out in it stays in it.
func (s *Service) Archive(ctx context.Context, campaignID string, staffID *string) (model.Campaign, error) {
	return s.setArchived(ctx, campaignID, staffID, true)
}

// Unarchive opens an archived campaign again.
func (s *Service) Unarchive(ctx context.Context, campaignID string, staffID *string) (model.Campaign, error) {
	return s.setArchived(ctx, campaignID, staffID, false)
}

func (s *Service) setArchived(ctx context.Context, campaignID string, staffID *string, archive bool) (model.Campaign, error) {
	action := model.ActionCampaignUnarchive
	if archive {
		action = model.ActionCampaignArchive
	}
	return s.change(ctx, campaignID, staffID, action, func(tx *store.Store, campaign model.Campaign) (model.Campaign, error) {
		if archive && campaign.ArchivedAt != nil {
			return campaign, apperror.Conflict("campaign", "campaign %q is archived already", campaign.Name)
		}
		if !archive && campaign.ArchivedAt == nil {
			return campaign, apperror.Conflict("campaign", "campaign %q is open already", campaign.Name)
		}
		campaign.ArchivedAt = nil
		if archive {
			now := s.now().UTC()
			campaign.ArchivedAt = &now
		}
		return campaign, tx.UpdateCampaign(ctx, campaign.ID, store.CampaignChange{ArchivedAt: store.To(campaign.ArchivedAt)})
	})
}

// Delete removes a campaign. Its posts, events and drafts stay, in no campaign any more.
func (s *Service) Delete(ctx context.Context, campaignID string, staffID *string) error {
	_, err := s.change(ctx, campaignID, staffID, model.ActionCampaignDelete, func(tx *store.Store, campaign model.Campaign) (model.Campaign, error) {
		return campaign, tx.DeleteCampaign(ctx, campaign.ID)
	})
	return err
}

// change runs decide on a campaign locked in a transaction, then logs the action. The organisation
// is locked first, as Create locks it, so a rename and a creation compare names one after the other.
func (s *Service) change(ctx context.Context, campaignID string, staffID *string, action model.LogAction,
	decide func(tx *store.Store, campaign model.Campaign) (model.Campaign, error)) (model.Campaign, error) {
	var campaign model.Campaign
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		found, err := tx.CampaignByID(ctx, campaignID)
		if err != nil {
			return asNotFound(err, campaignID)
		}
		if _, err := tx.LockOrganisation(ctx, found.OrganisationID); err != nil {
			return err
		}
		if campaign, err = tx.LockCampaign(ctx, campaignID); err != nil {
			return asNotFound(err, campaignID)
		}
		if campaign, err = decide(tx, campaign); err != nil {
			return err
		}
		return logCampaign(ctx, tx, staffID, action, campaign)
	})
	if err != nil {
		return model.Campaign{}, fmt.Errorf("%s %s: %w", action, campaignID, err)
	}
	return campaign, nil
}

// nameFree refuses name when another campaign of the organisation (not exceptID) has it, in any
// letter case. It locks the organisation's row first, so two staff members naming campaigns at once
// are counted one after the other; the unique index on the exact name stays the last word.
func nameFree(ctx context.Context, tx *store.Store, organisationID, exceptID, name string) error {
	if _, err := tx.LockOrganisation(ctx, organisationID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return apperror.NotFound("organisation %s not found", organisationID)
		}
		return err
	}
	names, err := tx.CampaignNamesOf(ctx, organisationID)
	if err != nil {
		return err
	}
	for id, taken := range names {
		if id != exceptID && strings.EqualFold(taken, name) {
			return nameTaken(name)
		}
	}
	return nil
}

func nameTaken(name string) error {
	return apperror.Conflict("name", "the organisation has a campaign named %q already", name)
}

// asNameTaken turns the unique index's refusal into the conflict nameFree reports.
func asNameTaken(err error, name string) error {
	if errors.Is(err, store.ErrDuplicate) {
		return nameTaken(name)
	}
	return err
}

func asNotFound(err error, campaignID string) error {
	if errors.Is(err, store.ErrNotFound) {
		return apperror.NotFound("campaign %s not found", campaignID)
	}
	return err
}

// logCampaign records an action on a campaign in its organisation's moderation log.
func logCampaign(ctx context.Context, tx *store.Store, staffID *string, action model.LogAction, campaign model.Campaign) error {
	_, err := tx.RecordModerationAction(ctx, store.LogEntry{OrganisationID: &campaign.OrganisationID, StaffAccountID: staffID,
		Action: action, TargetKind: model.TargetCampaign, TargetID: campaign.ID,
		Metadata: map[string]any{"name": campaign.Name, "hashtag": campaign.Hashtag}})
	return err
}
