package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// CreateCampaign inserts campaign, giving it an id and timestamps. A name the organisation has
// already is ErrDuplicate (the unique index on organisation and name).
func (s *Store) CreateCampaign(ctx context.Context, campaign model.Campaign) (model.Campaign, error) {
	now := s.now()
	campaign.ID, campaign.CreatedAt, campaign.UpdatedAt = model.NewID(), now, now
	campaign.StartsOn, campaign.EndsOn = dbTimePtr(campaign.StartsOn), dbTimePtr(campaign.EndsOn)
	if err := s.conn(ctx).Create(&campaign).Error; err != nil {
		return model.Campaign{}, fmt.Errorf("create campaign %q: %w", campaign.Name, classify(err))
	}
	return campaign, nil
}

// CampaignChange says which columns of a campaign UpdateCampaign writes; a field left zero keeps
// its column.
type CampaignChange struct {
	Name        Set[string]
	Hashtag     Set[string]
	Description Set[string]
	StartsOn    Set[*time.Time]
	EndsOn      Set[*time.Time]
	ArchivedAt  Set[*time.Time]
}

func (c CampaignChange) columns() columns {
	out := columns{}
	put(out, "name", c.Name)
	put(out, "hashtag", c.Hashtag)
	put(out, "description", c.Description)
	put(out, "starts_on", c.StartsOn)
	put(out, "ends_on", c.EndsOn)
	put(out, "archived_at", c.ArchivedAt)
	return out
}

// UpdateCampaign writes the columns change sets and bumps updated_at. A name taken in the
// organisation is ErrDuplicate.
func (s *Store) UpdateCampaign(ctx context.Context, id string, change CampaignChange) error {
	return s.updateRow(ctx, &model.Campaign{}, "campaign", id, change.columns())
}

// DeleteCampaign removes a campaign. Its posts, events and drafts stay: their campaign_id becomes
// NULL by the foreign keys.
func (s *Store) DeleteCampaign(ctx context.Context, id string) error {
	res := s.conn(ctx).Where("id = ?", id).Delete(&model.Campaign{})
	if res.Error != nil {
		return fmt.Errorf("delete campaign %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete campaign %s: %w", id, ErrNotFound)
	}
	return nil
}

// CampaignByID loads a campaign.
func (s *Store) CampaignByID(ctx context.Context, id string) (model.Campaign, error) {
	var campaign model.Campaign
	if !storableText(id) {
		return campaign, fmt.Errorf("find campaign %q: %w", id, ErrNotFound)
	}
	if err := s.conn(ctx).Where("id = ?", id).Take(&campaign).Error; err != nil {
		return model.Campaign{}, fmt.Errorf("find campaign %s: %w", id, classify(err))
	}
	return campaign, nil
}

// LockCampaign loads a campaign and, on PostgreSQL, locks its row until the transaction ends, so a
// change to it waits for posts being published in it (OpenCampaign) and they for the change.
func (s *Store) LockCampaign(ctx context.Context, id string) (model.Campaign, error) {
	if !storableText(id) {
		return model.Campaign{}, fmt.Errorf("campaign %q: %w", id, ErrNotFound)
	}
	return lockRow[model.Campaign](ctx, s, "campaign", id)
}

// LockOrganisation loads an organisation and, on PostgreSQL, locks its row until the transaction
// ends: what is counted across the organisation (its campaigns' names) is counted by one writer at a
// time. SQLite runs one write transaction at a time already.
func (s *Store) LockOrganisation(ctx context.Context, id string) (model.Organisation, error) {
	return lockRow[model.Organisation](ctx, s, "organisation", id)
}

// OpenCampaign loads the campaign id if it is one of the organisation's and not archived, the one
// a group's new post or event may name, and keeps it so until the transaction ends: on PostgreSQL
// its row is share-locked, so it is not archived meanwhile, while other posts may name it at once.
// Anything else (another organisation's, archived, no such campaign) is ErrNotFound.
func (s *Store) OpenCampaign(ctx context.Context, id, organisationID string) (model.Campaign, error) {
	var campaign model.Campaign
	if !storableText(id) {
		return campaign, fmt.Errorf("open campaign %q: %w", id, ErrNotFound)
	}
	query := s.conn(ctx)
	if s.dialect == Postgres && s.InTransaction() {
		query = query.Clauses(clause.Locking{Strength: "SHARE"})
	}
	err := query.Where("id = ? AND organisation_id = ? AND archived_at IS NULL", id, organisationID).Take(&campaign).Error
	if err != nil {
		return model.Campaign{}, fmt.Errorf("open campaign %s: %w", id, classify(err))
	}
	return campaign, nil
}

// CampaignsOf lists an organisation's campaigns, open ones first, each part by name.
func (s *Store) CampaignsOf(ctx context.Context, organisationID string) ([]model.Campaign, error) {
	var campaigns []model.Campaign
	err := s.conn(ctx).Where("organisation_id = ?", organisationID).
		Order("CASE WHEN archived_at IS NULL THEN 0 ELSE 1 END, name, id").Find(&campaigns).Error
	if err != nil {
		return nil, fmt.Errorf("list campaigns of organisation %s: %w", organisationID, err)
	}
	return campaigns, nil
}

// CampaignNamesOf maps the ids of an organisation's campaigns to their names: what a new name is
// compared with.
func (s *Store) CampaignNamesOf(ctx context.Context, organisationID string) (map[string]string, error) {
	var rows []struct{ ID, Name string }
	if err := scan(s.conn(ctx).Model(&model.Campaign{}).Select("id, name").Where("organisation_id = ?", organisationID), &rows); err != nil {
		return nil, fmt.Errorf("names of the campaigns of organisation %s: %w", organisationID, err)
	}
	names := make(map[string]string, len(rows))
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	return names, nil
}
