package conversations_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestMentionBoundHoldsUnderConcurrency: 50 posts naming the group, submitted at once by one author
// who is not its member, are all shared by an open group (the posting limits here are wide) or all
// refused by a followers-only one, but in both only 10 are kept as mentions and counted: what a
// stranger can make the group keep is bounded, counted in the transaction that keeps it with her
// posting serialised, so concurrent deliveries never pass it together. (A refused post stores
// nothing else: no other row's lock lines the transactions up.)
func TestMentionBoundHoldsUnderConcurrency(t *testing.T) {
	t.Parallel()
	for _, policy := range []model.PostingPolicy{model.PostingAnyone, model.PostingFollowers} {
		t.Run(string(policy), func(t *testing.T) {
			t.Parallel()
			mentionBoundUnderConcurrency(t, policy)
		})
	}
}

func mentionBoundUnderConcurrency(t *testing.T, policy model.PostingPolicy) {
	const submissions, bound = 50, 10
	want := conversations.Shared
	if policy != model.PostingAnyone {
		want = conversations.Refused
	}
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		if err := st.UpdateGroup(ctx, f.group.ID, store.GroupChange{PostingPolicy: store.To(policy)}); err != nil {
			t.Fatal(err)
		}
		f.group.PostingPolicy = policy
		talk := conversations.NewService(st, f.fed, conversations.Limits{Window: time.Hour, PerActor: 1000, PerHost: 1000})
		start := make(chan struct{})
		errs := make([]error, submissions)
		var wg sync.WaitGroup
		for i := range submissions {
			wg.Go(func() {
				id := fmt.Sprintf("%s/statuses/mention-%d", f.author.IRI, i)
				<-start
				got, err := talk.Submit(ctx, f.author, conversations.Submission{ActivityIRI: id + "/activity",
					ActivityJSON: `{"id":"` + id + `/activity","type":"Create"}`, ObjectIRI: id, ObjectType: "Note",
					ContentHTML: "<p>hello</p>", Visibility: model.VisibilityPublic, Addressed: []model.Group{f.group}})
				if err == nil && (len(got) != 1 || got[0].Outcome != want) {
					err = fmt.Errorf("results %+v, want one %s", got, want)
				}
				errs[i] = err
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("post %d: %v", i, err)
			}
		}
		kept, err := st.GroupMentionsBefore(ctx, f.group.ID, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		days, err := st.GroupDays(ctx, f.group.ID, store.StatsDay(now.AddDate(0, 0, -1)), store.StatsDay(now.AddDate(0, 0, 1)))
		if err != nil {
			t.Fatal(err)
		}
		var counted int64
		for _, day := range days {
			counted += day.Mentions
		}
		if len(kept) != bound || counted != bound {
			t.Errorf("%d mentions at once: %d kept, %d counted; want %d and %d", submissions, len(kept), counted, bound, bound)
		}
		for _, m := range kept {
			if (m.PostID != nil) != (want == conversations.Shared) {
				t.Errorf("mention %s names post %v; the group's outcome was %s", m.ObjectIRI, m.PostID, want)
			}
		}
	})
}
