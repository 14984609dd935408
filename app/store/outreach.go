package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// OutreachFilter selects what an organisation sent out and has waiting to go: of its groups GroupIDs
// only (the reader's; none selects nothing), of one campaign when CampaignID is set, at times in
// [From, To) when they are set. Limit bounds the rows (0: 1000).
type OutreachFilter struct {
	OrganisationID string
	GroupIDs       []string
	CampaignID     string
	From, To       time.Time
	Limit          int
	// Newest orders newest first (a campaign's page) instead of oldest first (a calendar).
	Newest bool
}

func (f OutreachFilter) limit() int {
	if f.Limit > 0 {
		return f.Limit
	}
	return 1000
}

// apply narrows query to the filter, column naming the time the range applies to. Every query it
// serves starts from an index on its group or organisation with that time (posts_group_state_published,
// events_group_starts, post_drafts_organisation_state), so only the range is read.
func (f OutreachFilter) apply(query *gorm.DB, groupColumn, campaignColumn, column string) *gorm.DB {
	query = query.Where(groupColumn+" IN ?", f.GroupIDs)
	if f.CampaignID != "" {
		query = query.Where(campaignColumn+" = ?", f.CampaignID)
	}
	if !f.From.IsZero() {
		query = query.Where(column+" >= ?", dbTime(f.From))
	}
	if !f.To.IsZero() {
		query = query.Where(column+" < ?", dbTime(f.To))
	}
	order := column + ", " + groupColumn
	if f.Newest {
		order = column + " DESC, " + groupColumn
	}
	return query.Order(order).Limit(f.limit())
}

// CampaignLabel names the campaign an entry belongs to; empty when none.
type CampaignLabel struct {
	CampaignID      *string
	CampaignName    string
	CampaignHashtag string
}

// campaignColumns are CampaignLabel's columns, from a LEFT JOIN of campaigns.
const campaignColumns = "campaigns.id AS campaign_id, COALESCE(campaigns.name, '') AS campaign_name, " +
	"COALESCE(campaigns.hashtag, '') AS campaign_hashtag"

// GroupLabel names the group a row is of.
type GroupLabel struct {
	GroupID   string
	GroupSlug string
	GroupName string
}

// SentGroupPost is one post a group published itself, with its group and campaign: several of them
// share a PublicationKey when staff published one text in several groups at once.
type SentGroupPost struct {
	PostID         string
	PublicationKey string // the publication id, or the post's own id when it went out alone
	PublishedAt    time.Time
	ContentHTML    string
	Summary        string
	GroupLabel
	CampaignLabel
}

// SentGroupPosts lists the visible posts the filter's groups published themselves, published in its
// range.
func (s *Store) SentGroupPosts(ctx context.Context, f OutreachFilter) ([]SentGroupPost, error) {
	if len(f.GroupIDs) == 0 {
		return nil, nil
	}
	query := s.conn(ctx).Table("posts").
		Select("posts.id AS post_id, COALESCE(posts.publication_id, posts.id) AS publication_key, posts.published_at, "+
			"posts.content_html, posts.summary, groups.id AS group_id, groups.slug AS group_slug, groups.name AS group_name, "+campaignColumns).
		Joins("JOIN groups ON groups.id = posts.group_id").
		Joins("LEFT JOIN campaigns ON campaigns.id = posts.campaign_id").
		Where("posts.state = ? AND posts.author_kind = ?", model.PostVisible, model.AuthorGroup)
	var rows []SentGroupPost
	if err := scan(f.apply(query, "posts.group_id", "posts.campaign_id", "posts.published_at"), &rows); err != nil {
		return nil, fmt.Errorf("list posts groups of organisation %s sent: %w", f.OrganisationID, err)
	}
	return rows, nil
}

// EventOfGroup is an event with its group and campaign.
type EventOfGroup struct {
	model.Event
	GroupSlug       string
	GroupName       string
	CampaignName    string
	CampaignHashtag string
}

// EventsOfGroups lists the filter's groups' events starting in its range, cancelled ones too.
func (s *Store) EventsOfGroups(ctx context.Context, f OutreachFilter) ([]EventOfGroup, error) {
	if len(f.GroupIDs) == 0 {
		return nil, nil
	}
	query := s.conn(ctx).Table("events").
		Select("events.*, groups.slug AS group_slug, groups.name AS group_name, " +
			"COALESCE(campaigns.name, '') AS campaign_name, COALESCE(campaigns.hashtag, '') AS campaign_hashtag").
		Joins("JOIN groups ON groups.id = events.group_id").
		Joins("LEFT JOIN campaigns ON campaigns.id = events.campaign_id")
	var rows []EventOfGroup
	if err := scan(f.apply(query, "events.group_id", "events.campaign_id", "events.starts_at"), &rows); err != nil {
		return nil, fmt.Errorf("list events of organisation %s: %w", f.OrganisationID, err)
	}
	return rows, nil
}

// WaitingDraftGroup is one group of a draft that waits to go out (in review or scheduled): a draft
// in several groups is several rows.
type WaitingDraftGroup struct {
	DraftID   string
	State     model.DraftState
	PublishAt *time.Time
	Content   string
	GroupLabel
	CampaignLabel
}

// WaitingDrafts lists the organisation's drafts in review or scheduled that go out only in the
// filter's groups (the reader may write in every one of them, as the drafts' own pages require),
// one row per group. With a range, only drafts whose publish_at falls in it;
// without, those with no time yet too.
func (s *Store) WaitingDrafts(ctx context.Context, f OutreachFilter) ([]WaitingDraftGroup, error) {
	if len(f.GroupIDs) == 0 {
		return nil, nil
	}
	query := s.conn(ctx).Table("post_drafts").
		Select("post_drafts.id AS draft_id, post_drafts.state, post_drafts.publish_at, post_drafts.content, "+
			"groups.id AS group_id, groups.slug AS group_slug, groups.name AS group_name, "+campaignColumns).
		Joins("JOIN post_draft_groups ON post_draft_groups.draft_id = post_drafts.id").
		Joins("JOIN groups ON groups.id = post_draft_groups.group_id").
		Joins("LEFT JOIN campaigns ON campaigns.id = post_drafts.campaign_id").
		Where("post_drafts.organisation_id = ? AND post_drafts.state IN ?", f.OrganisationID,
			[]model.DraftState{model.DraftInReview, model.DraftScheduled}).
		Where("NOT EXISTS (SELECT 1 FROM post_draft_groups AS elsewhere WHERE elsewhere.draft_id = post_drafts.id AND elsewhere.group_id NOT IN ?)", f.GroupIDs)
	var rows []WaitingDraftGroup
	if err := scan(f.apply(query, "post_draft_groups.group_id", "post_drafts.campaign_id", "post_drafts.publish_at"), &rows); err != nil {
		return nil, fmt.Errorf("list waiting drafts of organisation %s: %w", f.OrganisationID, err)
	}
	return rows, nil
}

// CampaignCounts are what one campaign holds, in the groups a reader sees.
type CampaignCounts struct {
	Publications  int64 // posts published together count once
	Posts         int64
	Events        int64
	WaitingDrafts int64
}

// CountCampaign counts a campaign's publications, posts, events and drafts waiting to go out, in
// groupIDs only.
func (s *Store) CountCampaign(ctx context.Context, campaignID string, groupIDs []string) (CampaignCounts, error) {
	var counts CampaignCounts
	if len(groupIDs) == 0 {
		return counts, nil
	}
	var posts struct{ Publications, Posts int64 }
	err := scan(s.conn(ctx).Table("posts").
		Select("COUNT(DISTINCT COALESCE(publication_id, id)) AS publications, COUNT(*) AS posts").
		Where("campaign_id = ? AND group_id IN ? AND state = ? AND author_kind = ?", campaignID, groupIDs, model.PostVisible, model.AuthorGroup),
		&posts)
	if err != nil {
		return counts, fmt.Errorf("count posts of campaign %s: %w", campaignID, err)
	}
	counts.Publications, counts.Posts = posts.Publications, posts.Posts
	err = s.conn(ctx).Model(&model.Event{}).Where("campaign_id = ? AND group_id IN ?", campaignID, groupIDs).Count(&counts.Events).Error
	if err != nil {
		return counts, fmt.Errorf("count events of campaign %s: %w", campaignID, err)
	}
	err = s.conn(ctx).Table("post_drafts").
		Where("campaign_id = ? AND state IN ?", campaignID, []model.DraftState{model.DraftInReview, model.DraftScheduled}).
		Where("EXISTS (SELECT 1 FROM post_draft_groups WHERE post_draft_groups.draft_id = post_drafts.id AND post_draft_groups.group_id IN ?)", groupIDs).
		Count(&counts.WaitingDrafts).Error
	if err != nil {
		return counts, fmt.Errorf("count drafts of campaign %s: %w", campaignID, err)
	}
	return counts, nil
}
