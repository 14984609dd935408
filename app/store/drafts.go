package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// CreateDraft inserts draft with the groups it goes out in, giving it an id (unless set) and
// timestamps.
func (s *Store) CreateDraft(ctx context.Context, draft model.PostDraft, groupIDs []string) (model.PostDraft, error) {
	now := s.now()
	if draft.ID == "" {
		draft.ID = model.NewID()
	}
	draft.CreatedAt, draft.UpdatedAt = now, now
	draft.PublishAt, draft.PublishedAt = dbTimePtr(draft.PublishAt), dbTimePtr(draft.PublishedAt)
	err := s.Transaction(ctx, func(tx *Store) error {
		if err := tx.conn(ctx).Create(&draft).Error; err != nil {
			return classify(err)
		}
		return tx.SetDraftGroups(ctx, draft.ID, groupIDs)
	})
	if err != nil {
		return model.PostDraft{}, fmt.Errorf("create post draft in organisation %s: %w", draft.OrganisationID, err)
	}
	return draft, nil
}

// SetDraftGroups makes groupIDs the groups the draft goes out in, replacing those it had.
func (s *Store) SetDraftGroups(ctx context.Context, draftID string, groupIDs []string) error {
	if err := s.conn(ctx).Where("draft_id = ?", draftID).Delete(&model.PostDraftGroup{}).Error; err != nil {
		return fmt.Errorf("set the groups of draft %s: %w", draftID, err)
	}
	rows := make([]model.PostDraftGroup, len(groupIDs))
	for i, id := range groupIDs {
		rows[i] = model.PostDraftGroup{DraftID: draftID, GroupID: id}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := s.conn(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("set the groups of draft %s: %w", draftID, classify(err))
	}
	return nil
}

// DraftByID loads a post draft.
func (s *Store) DraftByID(ctx context.Context, id string) (model.PostDraft, error) {
	var draft model.PostDraft
	if err := s.conn(ctx).Where("id = ?", id).Take(&draft).Error; err != nil {
		return model.PostDraft{}, fmt.Errorf("find post draft %s: %w", id, classify(err))
	}
	return draft, nil
}

// LockDraft loads a draft and, on PostgreSQL, locks its row until the transaction ends: the
// scheduled task, approvals and edits of one draft happen one after the other, so it goes out once.
func (s *Store) LockDraft(ctx context.Context, id string) (model.PostDraft, error) {
	return lockRow[model.PostDraft](ctx, s, "post draft", id)
}

// DraftGroupIDs are the groups each of the drafts goes out in, by draft id, in a stable order.
func (s *Store) DraftGroupIDs(ctx context.Context, draftIDs ...string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(draftIDs) == 0 {
		return out, nil
	}
	var rows []model.PostDraftGroup
	err := s.conn(ctx).Where("draft_id IN ?", draftIDs).Order("draft_id, group_id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list the groups of drafts: %w", err)
	}
	for _, r := range rows {
		out[r.DraftID] = append(out[r.DraftID], r.GroupID)
	}
	return out, nil
}

// DraftChange says which columns of a draft UpdateDraft writes; a field left zero keeps its column.
type DraftChange struct {
	Content     Set[string]
	CampaignID  Set[*string]
	State       Set[model.DraftState]
	Revision    Set[int]
	PublishAt   Set[*time.Time]
	TimeZone    Set[string]
	PublishedAt Set[*time.Time]
}

func (c DraftChange) columns() columns {
	out := columns{}
	put(out, "content", c.Content)
	put(out, "campaign_id", c.CampaignID)
	put(out, "state", c.State)
	put(out, "revision", c.Revision)
	put(out, "publish_at", c.PublishAt)
	put(out, "time_zone", c.TimeZone)
	put(out, "published_at", c.PublishedAt)
	return out
}

// UpdateDraft writes the columns change sets and bumps updated_at.
func (s *Store) UpdateDraft(ctx context.Context, id string, change DraftChange) error {
	return s.updateRow(ctx, &model.PostDraft{}, "post draft", id, change.columns())
}

// DeleteDraft removes a draft with its groups and review log.
func (s *Store) DeleteDraft(ctx context.Context, id string) error {
	if err := s.conn(ctx).Where("id = ?", id).Delete(&model.PostDraft{}).Error; err != nil {
		return fmt.Errorf("delete post draft %s: %w", id, err)
	}
	return nil
}

// DraftFilter selects an organisation's drafts.
type DraftFilter struct {
	OrganisationIDs []string
	States          []model.DraftState
	// PublishedSince keeps, of the published drafts, those that went out after it.
	PublishedSince time.Time
	Limit          int
}

// Drafts lists drafts of the filter's organisations in the filter's states: those with a time
// soonest first, then the most recently changed.
func (s *Store) Drafts(ctx context.Context, f DraftFilter) ([]model.PostDraft, error) {
	var drafts []model.PostDraft
	if len(f.OrganisationIDs) == 0 || len(f.States) == 0 {
		return drafts, nil
	}
	query := s.conn(ctx).Where("organisation_id IN ? AND state IN ?", f.OrganisationIDs, f.States)
	if !f.PublishedSince.IsZero() {
		query = query.Where("state <> ? OR published_at >= ?", model.DraftPublished, dbTime(f.PublishedSince))
	}
	if f.Limit > 0 {
		query = query.Limit(f.Limit)
	}
	err := query.Order("CASE WHEN publish_at IS NULL THEN 1 ELSE 0 END, publish_at, updated_at DESC, id").Find(&drafts).Error
	if err != nil {
		return nil, fmt.Errorf("list post drafts: %w", err)
	}
	return drafts, nil
}

// AddDraftReview appends an entry to a draft's review log.
func (s *Store) AddDraftReview(ctx context.Context, entry model.PostDraftReview) (model.PostDraftReview, error) {
	if entry.ID == "" {
		entry.ID = model.NewID()
	}
	entry.CreatedAt = s.now()
	if err := s.conn(ctx).Create(&entry).Error; err != nil {
		return model.PostDraftReview{}, fmt.Errorf("add to the review log of draft %s: %w", entry.DraftID, classify(err))
	}
	return entry, nil
}

// DraftReviews is a draft's review log, oldest first.
func (s *Store) DraftReviews(ctx context.Context, draftID string) ([]model.PostDraftReview, error) {
	var entries []model.PostDraftReview
	if err := s.conn(ctx).Where("draft_id = ?", draftID).Order("created_at, id").Find(&entries).Error; err != nil {
		return nil, fmt.Errorf("read the review log of draft %s: %w", draftID, err)
	}
	return entries, nil
}

// DraftApprover returns who approved revision of the draft, and whether anyone did.
func (s *Store) DraftApprover(ctx context.Context, draftID string, revision int) (*string, bool, error) {
	var entries []model.PostDraftReview
	err := s.conn(ctx).Where("draft_id = ? AND revision = ? AND kind = ?", draftID, revision, model.ReviewApprove).
		Order("created_at").Limit(1).Find(&entries).Error
	if err != nil {
		return nil, false, fmt.Errorf("find the approval of draft %s: %w", draftID, err)
	}
	if len(entries) == 0 {
		return nil, false, nil
	}
	return entries[0].StaffAccountID, true, nil
}

// PicturesInUse reports which of names (posts' pictures) a post or a draft that has not gone out
// still names; the others may be deleted.
func (s *Store) PicturesInUse(ctx context.Context, names []string) (map[string]bool, error) {
	used := map[string]bool{}
	if len(names) == 0 {
		return used, nil
	}
	var posted []string
	if err := s.conn(ctx).Table("post_media").Where("name IN ?", names).Distinct().Pluck("name", &posted).Error; err != nil {
		return nil, fmt.Errorf("find pictures in use by posts: %w", err)
	}
	for _, name := range posted {
		used[name] = true
	}
	for _, name := range names {
		if used[name] {
			continue
		}
		var n int64
		// A draft keeps its form as JSON, pictures by name: a name is 32 hex digits and a fixed
		// prefix and suffix, so it matches only itself.
		err := s.conn(ctx).Model(&model.PostDraft{}).Where("state <> ? AND content LIKE ?", model.DraftPublished, "%\""+name+"\"%").
			Limit(1).Count(&n).Error
		if err != nil {
			return nil, fmt.Errorf("find pictures in use by drafts: %w", err)
		}
		used[name] = n > 0
	}
	return used, nil
}
