package drafts

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// MaxComment bounds one comment on a draft.
const MaxComment = 5_000

// Input is what the writer's form says of a draft: the groups it goes out in (all of one
// organisation), its content as the form's JSON, and its campaign.
type Input struct {
	GroupIDs   []string
	Content    string
	CampaignID *string
}

// Create keeps a new draft, in the writing state, for the groups of input; content that could not
// be published is refused. The caller checks that authorID may write in every one of the groups.
func (s *Service) Create(ctx context.Context, authorID *string, input Input) (model.PostDraft, error) {
	if _, err := s.publisher.Prepare(ctx, input.Content); err != nil {
		return model.PostDraft{}, err
	}
	organisationID, err := s.checkInput(ctx, s.store, input)
	if err != nil {
		return model.PostDraft{}, err
	}
	draft := model.PostDraft{OrganisationID: organisationID, AuthorStaffID: authorID, CampaignID: input.CampaignID,
		Content: input.Content, State: model.DraftWriting, Revision: 1, TimeZone: "UTC"}
	return s.store.CreateDraft(ctx, draft, input.GroupIDs)
}

// checkInput makes sure the draft names at least one group, all of one organisation and none
// archived, and returns that organisation.
func (s *Service) checkInput(ctx context.Context, st *store.Store, input Input) (string, error) {
	if len(input.GroupIDs) == 0 {
		return "", apperror.Invalid("groups", "choose at least one group")
	}
	if input.Content == "" {
		return "", apperror.Invalid("content", "must not be empty")
	}
	var organisationID string
	for _, id := range input.GroupIDs {
		group, err := st.GroupByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return "", apperror.NotFound("group %q not found", id)
		}
		if err != nil {
			return "", err
		}
		if organisationID != "" && group.OrganisationID != organisationID {
			return "", apperror.Invalid("groups", "a draft goes out in groups of one organisation")
		}
		if group.ArchivedAt != nil {
			return "", apperror.Conflict("groups", "group %s is archived", group.Slug)
		}
		organisationID = group.OrganisationID
	}
	return organisationID, nil
}

// Edit changes what a draft says, its groups or its campaign, until it has gone out. A change of
// any of them is a new revision: a draft that was approved, or waits for review, or is scheduled in
// an organisation that requires review, needs a new approval before it goes out (it waits in
// review); a scheduled draft of an organisation without review stays scheduled.
func (s *Service) Edit(ctx context.Context, draftID string, staffID *string, input Input) (model.PostDraft, error) {
	if _, err := s.publisher.Prepare(ctx, input.Content); err != nil {
		return model.PostDraft{}, err
	}
	return s.change(ctx, draftID, func(tx *store.Store, draft model.PostDraft, organisation model.Organisation) (model.PostDraft, error) {
		organisationID, err := s.checkInput(ctx, tx, input)
		if err != nil {
			return draft, err
		}
		if organisationID != draft.OrganisationID {
			return draft, apperror.Invalid("groups", "a draft stays in its organisation")
		}
		groups, err := tx.DraftGroupIDs(ctx, draft.ID)
		if err != nil {
			return draft, err
		}
		chosen := slices.Sorted(slices.Values(input.GroupIDs))
		if draft.Content == input.Content && slices.Equal(groups[draft.ID], chosen) && sameCampaign(draft.CampaignID, input.CampaignID) {
			return draft, nil
		}
		draft.Content, draft.CampaignID, draft.Revision = input.Content, input.CampaignID, draft.Revision+1
		if organisation.RequireReview && draft.State == model.DraftScheduled {
			draft.State = model.DraftInReview
		}
		if err := tx.SetDraftGroups(ctx, draft.ID, chosen); err != nil {
			return draft, err
		}
		err = tx.UpdateDraft(ctx, draft.ID, store.DraftChange{Content: store.To(draft.Content), CampaignID: store.To(draft.CampaignID),
			Revision: store.To(draft.Revision), State: store.To(draft.State)})
		return draft, err
	})
}

func sameCampaign(a, b *string) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// errGoneOut refuses changes to a draft that was published.
var errGoneOut = apperror.Conflict("draft", "the post has gone out: edit, pin or delete it in its group's posts")

// change runs fn on the draft, locked, inside one transaction, refusing drafts that went out.
func (s *Service) change(ctx context.Context, draftID string, fn func(tx *store.Store, draft model.PostDraft, organisation model.Organisation) (model.PostDraft, error)) (model.PostDraft, error) {
	var out model.PostDraft
	err := s.store.Transaction(ctx, func(tx *store.Store) error {
		draft, err := tx.LockDraft(ctx, draftID)
		if errors.Is(err, store.ErrNotFound) {
			return apperror.NotFound("draft %q not found", draftID)
		}
		if err != nil {
			return err
		}
		if draft.State == model.DraftPublished {
			return errGoneOut
		}
		organisation, err := tx.OrganisationByID(ctx, draft.OrganisationID)
		if err != nil {
			return err
		}
		out, err = fn(tx, draft, organisation)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("draft %s: %w", draftID, err)
	}
	return out, nil
}

// Delete throws a draft away, until it has gone out.
func (s *Service) Delete(ctx context.Context, draftID string) error {
	_, err := s.change(ctx, draftID, func(tx *store.Store, draft model.PostDraft, _ model.Organisation) (model.PostDraft, error) {
		return draft, tx.DeleteDraft(ctx, draft.ID)
	})
	return err
}

// Comment adds staffID's comment to the draft's conversation.
func (s *Service) Comment(ctx context.Context, draftID string, staffID *string, body string) error {
	body, err := textinput.Text("comment", body, MaxComment)
	if err != nil {
		return err
	}
	if body == "" {
		return apperror.Invalid("comment", "must not be empty")
	}
	_, err = s.change(ctx, draftID, func(tx *store.Store, draft model.PostDraft, _ model.Organisation) (model.PostDraft, error) {
		return draft, s.log(ctx, tx, draft, staffID, model.ReviewComment, body)
	})
	return err
}

// log appends to the draft's review log.
func (s *Service) log(ctx context.Context, tx *store.Store, draft model.PostDraft, staffID *string, kind model.ReviewKind, body string) error {
	_, err := tx.AddDraftReview(ctx, model.PostDraftReview{DraftID: draft.ID, StaffAccountID: staffID, Kind: kind, Revision: draft.Revision, Body: body})
	return err
}
