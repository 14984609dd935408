package drafts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// errStale says a scheduled draft's task no longer matches the draft: it was rescheduled,
// cancelled or sent already, and a newer task (or none) carries it.
var errStale = errors.New("the draft's task is stale")

// errChangedMeanwhile says the draft was edited between preparing and publishing it: a scheduled
// draft's task tries again, a staff member sends it again.
var errChangedMeanwhile = apperror.Conflict("draft", "the draft changed while it was being published: send it again")

// errNeedsReview says the organisation requires review and nobody but the author approved the
// draft as it stands.
var errNeedsReview = apperror.Conflict("draft", "the organisation requires review: a second staff member approves the draft first")

// publish prepares the draft's content outside any transaction (resolving mentions takes the
// network), then, with the draft locked, checks that it is still the revision prepared, that check
// passes and that it may go out, and publishes it as each of its groups in the transaction that marks
// it published: it goes out once, however often it is asked to.
func (s *Service) publish(ctx context.Context, draftID string, staffID *string, check func(model.PostDraft) error) error {
	draft, err := s.store.DraftByID(ctx, draftID)
	if errors.Is(err, store.ErrNotFound) {
		return apperror.NotFound("draft %q not found", draftID)
	}
	if err != nil {
		return err
	}
	prepared, err := s.publisher.Prepare(ctx, draft.Content)
	if err != nil {
		return fmt.Errorf("draft %s: %w", draftID, err)
	}
	_, err = s.change(ctx, draftID, func(tx *store.Store, current model.PostDraft, organisation model.Organisation) (model.PostDraft, error) {
		if current.Revision != draft.Revision {
			return current, errChangedMeanwhile
		}
		if err := check(current); err != nil {
			return current, err
		}
		approved, err := s.approved(ctx, tx, current, organisation)
		if err != nil {
			return current, err
		}
		if !approved {
			return current, errNeedsReview
		}
		groups, err := tx.DraftGroupIDs(ctx, current.ID)
		if err != nil {
			return current, err
		}
		author := staffID
		if author == nil {
			author = current.AuthorStaffID
		}
		if err := s.publisher.PublishIn(ctx, tx, groups[current.ID], author, prepared, current.ID); err != nil {
			return current, err
		}
		now := s.now()
		current.State, current.PublishedAt = model.DraftPublished, &now
		if err := tx.UpdateDraft(ctx, current.ID, store.DraftChange{State: store.To(current.State), PublishedAt: store.To(current.PublishedAt)}); err != nil {
			return current, err
		}
		return current, s.log(ctx, tx, current, staffID, model.ReviewPublish, "")
	})
	return err
}

// PublishDue publishes a scheduled draft whose time has come; publishAt is the time its task was
// recorded for. A stale task (the draft was rescheduled, cancelled, edited back into review,
// deleted or sent already) publishes nothing. A draft that cannot go out as it stands (a group
// archived, a mention that no longer resolves) goes back to its writers with the reason in its log,
// rather than being retried for ever; a failure of Kring or of the network is retried.
func (s *Service) PublishDue(ctx context.Context, draftID string, publishAt time.Time) error {
	due := func(draft model.PostDraft) error {
		if draft.State != model.DraftScheduled || draft.PublishAt == nil || !sameSecond(*draft.PublishAt, publishAt) {
			return errStale
		}
		return nil
	}
	draft, err := s.store.DraftByID(ctx, draftID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if due(draft) != nil {
		return nil
	}
	err = s.publish(ctx, draftID, nil, due)
	switch {
	case err == nil, errors.Is(err, errStale), errors.Is(err, errGoneOut):
		return nil
	case apperror.KindOf(err) == apperror.KindInternal, errors.Is(err, errChangedMeanwhile):
		return err
	case errors.Is(err, errNeedsReview):
		// Review was required after it was scheduled: it goes out once approved.
		return s.setAside(ctx, draftID, publishAt, model.DraftInReview, model.ReviewSubmit,
			"It came due, but the organisation now requires review: it goes out once approved.")
	}
	return s.setAside(ctx, draftID, publishAt, model.DraftWriting, model.ReviewCancel, "It could not go out at its time: "+apperror.SafeMessage(err))
}

// setAside moves a scheduled draft that could not go out at publishAt to state, saying why in its
// log, unless it was rescheduled or changed state meanwhile.
func (s *Service) setAside(ctx context.Context, draftID string, publishAt time.Time, state model.DraftState, kind model.ReviewKind, reason string) error {
	_, err := s.change(ctx, draftID, func(tx *store.Store, draft model.PostDraft, _ model.Organisation) (model.PostDraft, error) {
		if draft.State != model.DraftScheduled || draft.PublishAt == nil || !sameSecond(*draft.PublishAt, publishAt) {
			return draft, nil
		}
		if err := tx.UpdateDraft(ctx, draft.ID, store.DraftChange{State: store.To(state)}); err != nil {
			return draft, err
		}
		if err := s.log(ctx, tx, draft, nil, kind, reason); err != nil {
			return draft, err
		}
		if state == model.DraftInReview {
			return draft, s.tellReviewers(ctx, tx, draft)
		}
		return draft, nil
	})
	if apperror.KindOf(err) == apperror.KindNotFound || errors.Is(err, errGoneOut) {
		return nil // deleted or sent meanwhile: nothing left to set aside
	}
	return err
}

func sameSecond(a, b time.Time) bool {
	return a.UTC().Truncate(time.Second).Equal(b.UTC().Truncate(time.Second))
}
