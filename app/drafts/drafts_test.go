package drafts_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/drafts"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// fakePublisher counts what it was asked to publish; once refuse is set, nothing can be prepared
// (a mention that stopped resolving, say).
// With a barrier, Prepare waits until that many callers are preparing at once, so they all go on to
// publish together.
type fakePublisher struct {
	barrier   *barrier
	refuse    atomic.Bool
	published atomic.Int32
	mu        sync.Mutex
	groups    []string
	by        *string
	pubID     string
}

func (p *fakePublisher) Prepare(_ context.Context, content string) (any, error) {
	if p.refuse.Load() {
		return nil, apperror.Invalid("text", "mentions @nobody@gone.example, who cannot be found")
	}
	if p.barrier != nil {
		p.barrier.arrive()
	}
	return content, nil
}

// barrier lets callers through once n of them have arrived.
type barrier struct {
	mu      sync.Mutex
	waiting int
	n       int
	open    chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, open: make(chan struct{})} }

func (b *barrier) arrive() {
	b.mu.Lock()
	b.waiting++
	if b.waiting == b.n {
		close(b.open)
	}
	b.mu.Unlock()
	<-b.open
}

func (p *fakePublisher) PublishIn(_ context.Context, _ *store.Store, groupIDs []string, staffID *string, _ any, publicationID string) error {
	p.published.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.groups, p.by, p.pubID = groupIDs, staffID, publicationID
	return nil
}

type fixture struct {
	t         *testing.T
	store     *store.Store
	drafts    *drafts.Service
	publisher *fakePublisher
	org       model.Organisation
	groups    []model.Group
	author    *string
	reviewer  *string
	clock     *time.Time
}

func newFixture(t *testing.T, st *store.Store, requireReview bool) *fixture {
	t.Helper()
	ctx := context.Background()
	org, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetRequireReview(ctx, org.ID, requireReview); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, store: st, publisher: &fakePublisher{}, org: org}
	for _, slug := range []string{"lobby", "news"} {
		group, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: slug, Name: slug})
		if err != nil {
			t.Fatal(err)
		}
		f.groups = append(f.groups, group)
	}
	for _, email := range []string{"author@acme.test", "reviewer@acme.test"} {
		staff, err := st.CreateStaffAccount(ctx, model.StaffAccount{Email: email, PasswordHash: "h"})
		if err != nil {
			t.Fatal(err)
		}
		if f.author == nil {
			f.author = &staff.ID
		} else {
			f.reviewer = &staff.ID
		}
	}
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	f.clock = &now
	f.drafts = drafts.NewService(st, f.publisher).WithClock(func() time.Time { return *f.clock })
	return f
}

func (f *fixture) create(content string) model.PostDraft {
	f.t.Helper()
	draft, err := f.drafts.Create(context.Background(), f.author, drafts.Input{GroupIDs: []string{f.groups[0].ID, f.groups[1].ID}, Content: content})
	if err != nil {
		f.t.Fatal(err)
	}
	return draft
}

func (f *fixture) reload(id string) model.PostDraft {
	f.t.Helper()
	draft, err := f.store.DraftByID(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return draft
}

func (f *fixture) log(id string) []model.ReviewKind {
	f.t.Helper()
	entries, err := f.store.DraftReviews(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	var kinds []model.ReviewKind
	for _, e := range entries {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

func at(f *fixture, d time.Duration) *time.Time {
	t := f.clock.Add(d)
	return &t
}

func TestDraftPublishedNowGoesOutOnceInEveryGroup(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, false)
		draft := f.create(`{"Text":"hello"}`)
		outcome, err := f.drafts.Send(context.Background(), draft.ID, f.author, drafts.When{Zone: "Europe/Amsterdam"})
		if err != nil || outcome != drafts.OutcomePublished {
			t.Fatalf("send now: %v, %v", outcome, err)
		}
		if got := f.publisher.published.Load(); got != 1 || len(f.publisher.groups) != 2 || f.publisher.pubID != draft.ID || *f.publisher.by != *f.author {
			t.Fatalf("published %d times in %v as %v by %v", got, f.publisher.groups, f.publisher.pubID, f.publisher.by)
		}
		if got := f.reload(draft.ID); got.State != model.DraftPublished || got.PublishedAt == nil {
			t.Fatalf("draft after publishing: %+v", got)
		}
		if _, err := f.drafts.Send(context.Background(), draft.ID, f.author, drafts.When{Zone: "UTC"}); apperror.KindOf(err) != apperror.KindConflict {
			t.Fatalf("sending a published draft again: %v, want a conflict", err)
		}
		if _, err := f.drafts.Edit(context.Background(), draft.ID, f.author, drafts.Input{GroupIDs: []string{f.groups[0].ID}, Content: "x"}); apperror.KindOf(err) != apperror.KindConflict {
			t.Fatalf("editing a published draft: %v, want a conflict", err)
		}
		if got := f.publisher.published.Load(); got != 1 {
			t.Fatalf("published %d times", got)
		}
	})
}

func TestScheduledDraftGoesOutOnceAtItsTime(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, false)
		ctx := context.Background()
		draft := f.create(`{"Text":"later"}`)
		if _, err := f.drafts.Send(ctx, draft.ID, f.author, drafts.When{At: at(f, -time.Minute), Zone: "UTC"}); apperror.KindOf(err) != apperror.KindInvalid {
			t.Fatalf("scheduling in the past: %v, want invalid", err)
		}
		if _, err := f.drafts.Send(ctx, draft.ID, f.author, drafts.When{At: at(f, time.Hour), Zone: "Mars/Olympus"}); apperror.KindOf(err) != apperror.KindInvalid {
			t.Fatalf("scheduling in an unknown zone: %v, want invalid", err)
		}
		first := at(f, time.Hour)
		outcome, err := f.drafts.Send(ctx, draft.ID, f.author, drafts.When{At: first, Zone: "Europe/Amsterdam"})
		if err != nil || outcome != drafts.OutcomeScheduled {
			t.Fatalf("schedule: %v, %v", outcome, err)
		}
		// Rescheduled: the first task is stale and publishes nothing.
		second := at(f, 2*time.Hour)
		if _, err := f.drafts.Send(ctx, draft.ID, f.author, drafts.When{At: second, Zone: "Europe/Amsterdam"}); err != nil {
			t.Fatal(err)
		}
		*f.clock = *second
		if err := f.drafts.PublishDue(ctx, draft.ID, *first); err != nil || f.publisher.published.Load() != 0 {
			t.Fatalf("the stale task: %v, published %d", err, f.publisher.published.Load())
		}
		// The due task, run many times at once (a redelivered task, a swept one): published once.
		f.publisher.barrier = newBarrier(20)
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for range 20 {
			wg.Go(func() { errs <- f.drafts.PublishDue(ctx, draft.ID, *second) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("publish due: %v", err)
			}
		}
		if got := f.publisher.published.Load(); got != 1 {
			t.Fatalf("published %d times, want once", got)
		}
		if got := f.reload(draft.ID); got.State != model.DraftPublished || got.TimeZone != "Europe/Amsterdam" {
			t.Fatalf("draft after its time: %+v", got)
		}
	})
}

func TestCancelledDraftDoesNotGoOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testenv.Postgres(t), false)
	ctx := context.Background()
	draft := f.create(`{"Text":"maybe"}`)
	when := at(f, time.Hour)
	if _, err := f.drafts.Send(ctx, draft.ID, f.author, drafts.When{At: when, Zone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	if err := f.drafts.Cancel(ctx, draft.ID, f.author); err != nil {
		t.Fatal(err)
	}
	*f.clock = *when
	if err := f.drafts.PublishDue(ctx, draft.ID, *when); err != nil || f.publisher.published.Load() != 0 {
		t.Fatalf("a cancelled draft's task: %v, published %d", err, f.publisher.published.Load())
	}
	if got := f.reload(draft.ID); got.State != model.DraftWriting {
		t.Fatalf("cancelled draft is %s", got.State)
	}
	if err := f.drafts.Cancel(ctx, draft.ID, f.author); apperror.KindOf(err) != apperror.KindConflict {
		t.Fatalf("cancelling a draft being written: %v, want a conflict", err)
	}
}

func TestReviewNeedsASecondStaffMember(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, true)
		ctx := context.Background()
		draft := f.create(`{"Text":"announcement"}`)
		outcome, err := f.drafts.Send(ctx, draft.ID, f.author, drafts.When{Zone: "UTC"})
		if err != nil || outcome != drafts.OutcomeInReview {
			t.Fatalf("send in an organisation requiring review: %v, %v", outcome, err)
		}
		if _, err := f.drafts.Approve(ctx, draft.ID, f.author, ""); apperror.KindOf(err) != apperror.KindForbidden {
			t.Fatalf("the author approving her own draft: %v, want forbidden", err)
		}
		// Sending again does not get around the review.
		if outcome, err := f.drafts.Send(ctx, draft.ID, f.author, drafts.When{Zone: "UTC"}); err != nil || outcome != drafts.OutcomeInReview {
			t.Fatalf("sending again: %v, %v", outcome, err)
		}
		if err := f.drafts.RequestChanges(ctx, draft.ID, f.reviewer, "Add the date."); err != nil {
			t.Fatal(err)
		}
		if _, err := f.drafts.Approve(ctx, draft.ID, f.reviewer, ""); apperror.KindOf(err) != apperror.KindConflict {
			t.Fatalf("approving a draft sent back: %v, want a conflict", err)
		}
		if _, err := f.drafts.Edit(ctx, draft.ID, f.author, drafts.Input{GroupIDs: []string{f.groups[0].ID}, Content: `{"Text":"announcement on 12 December"}`}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.drafts.Send(ctx, draft.ID, f.author, drafts.When{Zone: "UTC"}); err != nil {
			t.Fatal(err)
		}
		if f.publisher.published.Load() != 0 {
			t.Fatal("published before approval")
		}
		outcome, err = f.drafts.Approve(ctx, draft.ID, f.reviewer, "Good to go.")
		if err != nil || outcome != drafts.OutcomePublished {
			t.Fatalf("approve: %v, %v", outcome, err)
		}
		if got := f.publisher.published.Load(); got != 1 || len(f.publisher.groups) != 1 || *f.publisher.by != *f.author {
			t.Fatalf("published %d times in %v by %v, want once in one group by the author", got, f.publisher.groups, f.publisher.by)
		}
		want := []model.ReviewKind{model.ReviewSubmit, model.ReviewSubmit, model.ReviewRequestChanges, model.ReviewSubmit, model.ReviewApprove, model.ReviewPublish}
		if got := f.log(draft.ID); !slices.Equal(got, want) {
			t.Fatalf("review log %v, want %v", got, want)
		}
	})
}

func TestEditAfterApprovalNeedsANewOne(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testenv.Postgres(t), true)
	ctx := context.Background()
	draft := f.create(`{"Text":"v1"}`)
	when := at(f, time.Hour)
	if _, err := f.drafts.Send(ctx, draft.ID, f.author, drafts.When{At: when, Zone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	if outcome, err := f.drafts.Approve(ctx, draft.ID, f.reviewer, ""); err != nil || outcome != drafts.OutcomeScheduled {
		t.Fatalf("approve a draft with a time ahead: %v, %v", outcome, err)
	}
	if _, err := f.drafts.Edit(ctx, draft.ID, f.author, drafts.Input{GroupIDs: []string{f.groups[0].ID, f.groups[1].ID}, Content: `{"Text":"v2"}`}); err != nil {
		t.Fatal(err)
	}
	if got := f.reload(draft.ID); got.State != model.DraftInReview || got.Revision != 2 {
		t.Fatalf("an approved, scheduled draft edited: %s revision %d, want in review, revision 2", got.State, got.Revision)
	}
	*f.clock = *when
	if err := f.drafts.PublishDue(ctx, draft.ID, *when); err != nil || f.publisher.published.Load() != 0 {
		t.Fatalf("the task of an edited draft awaiting a new approval: %v, published %d", err, f.publisher.published.Load())
	}
	// Approved after its time: it goes out at once.
	if outcome, err := f.drafts.Approve(ctx, draft.ID, f.reviewer, ""); err != nil || outcome != drafts.OutcomePublished {
		t.Fatalf("approve after its time: %v, %v", outcome, err)
	}
	if got := f.publisher.published.Load(); got != 1 {
		t.Fatalf("published %d times", got)
	}
}

func TestScheduledDraftThatCannotGoOutComesBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testenv.Postgres(t), false)
	ctx := context.Background()
	draft := f.create(`{"Text":"hello @nobody@gone.example"}`)
	when := at(f, time.Hour)
	if _, err := f.drafts.Send(ctx, draft.ID, f.author, drafts.When{At: when, Zone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	f.publisher.refuse.Store(true)
	*f.clock = *when
	if err := f.drafts.PublishDue(ctx, draft.ID, *when); err != nil {
		t.Fatalf("a draft that cannot go out is not retried for ever: %v", err)
	}
	entries, err := f.store.DraftReviews(ctx, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if got := f.reload(draft.ID); got.State != model.DraftWriting || last.Kind != model.ReviewCancel || last.Body == "" {
		t.Fatalf("draft %s, last log entry %+v; want it back with the reason", got.State, last)
	}
}

func TestReviewRequiredAfterSchedulingWaitsForApproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testenv.Postgres(t), false)
	ctx := context.Background()
	draft := f.create(`{"Text":"scheduled before the rule"}`)
	when := at(f, time.Hour)
	if _, err := f.drafts.Send(ctx, draft.ID, f.author, drafts.When{At: when, Zone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetRequireReview(ctx, f.org.ID, true); err != nil {
		t.Fatal(err)
	}
	*f.clock = *when
	if err := f.drafts.PublishDue(ctx, draft.ID, *when); err != nil || f.publisher.published.Load() != 0 {
		t.Fatalf("due without approval: %v, published %d", err, f.publisher.published.Load())
	}
	if got := f.reload(draft.ID); got.State != model.DraftInReview {
		t.Fatalf("draft is %s, want waiting for review", got.State)
	}
}

func TestDraftGroupsStayInOneOrganisation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testenv.Postgres(t), false)
	ctx := context.Background()
	if _, err := f.store.CreateOrganisation(ctx, model.Organisation{Slug: "other", Name: "Other"}); err != nil {
		t.Fatal(err)
	}
	elsewhere, err := testenv.Groups(t, f.store).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "other", Slug: "elsewhere", Name: "Elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.drafts.Create(ctx, f.author, drafts.Input{GroupIDs: []string{f.groups[0].ID, elsewhere.ID}, Content: "{}"})
	if apperror.KindOf(err) != apperror.KindInvalid {
		t.Fatalf("a draft across organisations: %v, want invalid", err)
	}
	if _, err := f.drafts.Create(ctx, f.author, drafts.Input{Content: "{}"}); apperror.KindOf(err) != apperror.KindInvalid {
		t.Fatalf("a draft in no group: %v, want invalid", err)
	}
	if err := f.drafts.Comment(ctx, "no-such-draft", f.author, "hello"); apperror.KindOf(err) != apperror.KindNotFound {
		t.Fatalf("comment on a missing draft: %v, want not found", err)
	}
	if err := f.drafts.PublishDue(ctx, "no-such-draft", time.Now()); err != nil {
		t.Fatalf("the task of a deleted draft: %v", err)
	}
}

// TestParallelApprovalsAndSendsPublishOnce: 50 reviewers approving at once, or the author pressing
// "publish now" 50 times at once, publish the draft once; the others are told it changed.
func TestParallelApprovalsAndSendsPublishOnce(t *testing.T) {
	t.Parallel()
	for name, requireReview := range map[string]bool{"approvals": true, "sends": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, testenv.Postgres(t), requireReview)
			ctx := context.Background()
			draft := f.create(`{"Text":"once"}`)
			if requireReview {
				if _, err := f.drafts.Send(ctx, draft.ID, f.author, drafts.When{Zone: "UTC"}); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			var ok atomic.Int32
			for range 50 {
				wg.Go(func() {
					var err error
					if requireReview {
						_, err = f.drafts.Approve(ctx, draft.ID, f.reviewer, "")
					} else {
						_, err = f.drafts.Send(ctx, draft.ID, f.author, drafts.When{Zone: "UTC"})
					}
					switch {
					case err == nil:
						ok.Add(1)
					case apperror.KindOf(err) != apperror.KindConflict:
						t.Errorf("a parallel %s: %v, want success or a conflict", name, err)
					}
				})
			}
			wg.Wait()
			if got := f.publisher.published.Load(); got != 1 || ok.Load() < 1 {
				t.Fatalf("%d of 50 %s succeeded and published %d times, want once", ok.Load(), name, got)
			}
		})
	}
}
