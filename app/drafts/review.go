package drafts

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/app/textinput"
)

// When is when a draft should go out: At nil means now; Zone is the IANA zone the writer chose the
// time in, kept to show it back the same way.
type When struct {
	At   *time.Time
	Zone string
}

// Outcome says what became of a draft sent on its way.
type Outcome string

const (
	OutcomePublished Outcome = "published"
	OutcomeScheduled Outcome = "scheduled"
	OutcomeInReview  Outcome = "in_review"
)

// Send sends the draft on its way: now or at a time. In an organisation that requires review, a
// draft whose revision nobody approved waits for a second staff member's approval; otherwise it is
// published now or scheduled for its time.
func (s *Service) Send(ctx context.Context, draftID string, staffID *string, when When) (Outcome, error) {
	if _, err := time.LoadLocation(when.Zone); err != nil || when.Zone == "" {
		return "", apperror.Invalid("zone", "choose a time zone such as Europe/Amsterdam")
	}
	if when.At != nil && !when.At.After(s.now()) {
		return "", apperror.Invalid("publish_at", "choose a time ahead, or publish now")
	}
	var outcome Outcome
	_, err := s.change(ctx, draftID, func(tx *store.Store, draft model.PostDraft, organisation model.Organisation) (model.PostDraft, error) {
		approved, err := s.approved(ctx, tx, draft, organisation)
		if err != nil {
			return draft, err
		}
		draft.PublishAt, draft.TimeZone = when.At, when.Zone
		switch {
		case !approved:
			outcome, draft.State = OutcomeInReview, model.DraftInReview
		case when.At == nil:
			outcome = OutcomePublished // below, once the content is prepared outside this transaction
		default:
			outcome, draft.State = OutcomeScheduled, model.DraftScheduled
		}
		if err := tx.UpdateDraft(ctx, draft.ID, store.DraftChange{PublishAt: store.To(draft.PublishAt), TimeZone: store.To(draft.TimeZone),
			State: store.To(draft.State)}); err != nil {
			return draft, err
		}
		return draft, s.logOutcome(ctx, tx, draft, staffID, outcome)
	})
	if err != nil || outcome != OutcomePublished {
		return outcome, err
	}
	return outcome, s.publish(ctx, draftID, staffID, func(draft model.PostDraft) error { return nil })
}

// logOutcome records in the review log that the draft was submitted or scheduled, and records the
// task that publishes a scheduled draft at its time.
func (s *Service) logOutcome(ctx context.Context, tx *store.Store, draft model.PostDraft, staffID *string, outcome Outcome) error {
	switch outcome {
	case OutcomeInReview:
		if err := s.log(ctx, tx, draft, staffID, model.ReviewSubmit, ""); err != nil {
			return err
		}
		return s.tellReviewers(ctx, tx, draft)
	case OutcomeScheduled:
		if err := tx.RecordTasks(ctx, []store.NewTask{tasks.NewPublishDraftTask(draft.ID, *draft.PublishAt)}); err != nil {
			return err
		}
		return s.log(ctx, tx, draft, staffID, model.ReviewSchedule, "for "+inZone(*draft.PublishAt, draft.TimeZone))
	}
	return nil
}

// tellReviewers lets the staff who may approve the draft know it waits for them.
func (s *Service) tellReviewers(ctx context.Context, tx *store.Store, draft model.PostDraft) error {
	if s.notifier == nil {
		return nil
	}
	groups, err := tx.DraftGroupIDs(ctx, draft.ID)
	if err != nil {
		return err
	}
	return s.notifier.DraftSubmitted(ctx, tx, draft, groups[draft.ID])
}

// approved reports whether the draft may go out as it stands: always in an organisation that does
// not require review, else once someone other than its author approved its current revision.
func (s *Service) approved(ctx context.Context, tx *store.Store, draft model.PostDraft, organisation model.Organisation) (bool, error) {
	if !organisation.RequireReview {
		return true, nil
	}
	approver, ok, err := tx.DraftApprover(ctx, draft.ID, draft.Revision)
	if err != nil || !ok {
		return false, err
	}
	return !sameStaff(approver, draft.AuthorStaffID), nil
}

// inZone writes a moment as its writer chose it: in her zone, naming it.
func inZone(at time.Time, zone string) string {
	if loc, err := time.LoadLocation(zone); err == nil {
		at = at.In(loc)
	}
	return at.Format("Mon 2 Jan 2006 15:04 MST") + " (" + zone + ")"
}

func sameStaff(a, b *string) bool { return a != nil && b != nil && *a == *b }

// Approve is a second staff member's approval of the draft as it stands (its current revision),
// never its author's. An approved draft goes out at its time: now when it has none or it has passed.
// The caller checks that staffID may publish in every group of the draft.
func (s *Service) Approve(ctx context.Context, draftID string, staffID *string, note string) (Outcome, error) {
	note, err := textinput.Text("comment", note, MaxComment)
	if err != nil {
		return "", err
	}
	var outcome Outcome
	_, err = s.change(ctx, draftID, func(tx *store.Store, draft model.PostDraft, _ model.Organisation) (model.PostDraft, error) {
		if draft.State != model.DraftInReview {
			return draft, apperror.Conflict("draft", "the draft is not waiting for review")
		}
		if staffID == nil || sameStaff(staffID, draft.AuthorStaffID) {
			return draft, apperror.Forbidden("a draft is approved by someone other than its author")
		}
		if err := s.log(ctx, tx, draft, staffID, model.ReviewApprove, note); err != nil {
			return draft, err
		}
		if draft.PublishAt == nil || !draft.PublishAt.After(s.now()) {
			outcome = OutcomePublished
			return draft, nil
		}
		outcome, draft.State = OutcomeScheduled, model.DraftScheduled
		if err := tx.UpdateDraft(ctx, draft.ID, store.DraftChange{State: store.To(draft.State)}); err != nil {
			return draft, err
		}
		return draft, s.logOutcome(ctx, tx, draft, staffID, outcome)
	})
	if err != nil || outcome != OutcomePublished {
		return outcome, err
	}
	// Published in the author's name: the approval is in the review log.
	return outcome, s.publish(ctx, draftID, nil, func(draft model.PostDraft) error {
		if draft.State != model.DraftInReview {
			return apperror.Conflict("draft", "the draft changed while it was approved")
		}
		return nil
	})
}

// RequestChanges sends a draft waiting for review back to its writer, with what should change.
func (s *Service) RequestChanges(ctx context.Context, draftID string, staffID *string, body string) error {
	body, err := textinput.Text("comment", body, MaxComment)
	if err != nil {
		return err
	}
	if body == "" {
		return apperror.Invalid("comment", "say what should change")
	}
	return s.backToWriting(ctx, draftID, staffID, model.ReviewRequestChanges, body, model.DraftInReview)
}

// Cancel stops a scheduled draft, or one waiting for review, from going out: it is a draft being
// written again, keeping its time to send it again.
func (s *Service) Cancel(ctx context.Context, draftID string, staffID *string) error {
	return s.backToWriting(ctx, draftID, staffID, model.ReviewCancel, "", model.DraftInReview, model.DraftScheduled)
}

func (s *Service) backToWriting(ctx context.Context, draftID string, staffID *string, kind model.ReviewKind, body string, from ...model.DraftState) error {
	_, err := s.change(ctx, draftID, func(tx *store.Store, draft model.PostDraft, _ model.Organisation) (model.PostDraft, error) {
		if !slices.Contains(from, draft.State) {
			return draft, apperror.Conflict("draft", "the draft is %s", stateWords(draft.State))
		}
		if err := tx.UpdateDraft(ctx, draft.ID, store.DraftChange{State: store.To(model.DraftWriting)}); err != nil {
			return draft, err
		}
		return draft, s.log(ctx, tx, draft, staffID, kind, body)
	})
	return err
}

// stateWords names a draft's state in a sentence.
func stateWords(state model.DraftState) string {
	switch state {
	case model.DraftWriting:
		return "being written"
	case model.DraftInReview:
		return "waiting for review"
	case model.DraftScheduled:
		return "scheduled"
	case model.DraftPublished:
		return "published"
	}
	return fmt.Sprintf("in state %q", state)
}
