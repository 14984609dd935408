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
// who is not its member, are all shared (the posting limits here are wide), but only 10 are kept as
// mentions and counted: what a stranger can make the group keep is bounded, counted in the
// transaction that keeps it with her posting serialised, so concurrent deliveries never pass it
// together.
func TestMentionBoundHoldsUnderConcurrency(t *testing.T) {
	t.Parallel()
	const submissions, bound = 50, 10
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
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
				if err == nil && (len(got) != 1 || got[0].Outcome != conversations.Shared) {
					err = fmt.Errorf("results %+v, want one shared", got)
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
		days, err := st.GroupMentionDays(ctx, f.group.ID, store.StatsDay(now.AddDate(0, 0, -1)), store.StatsDay(now.AddDate(0, 0, 1)))
		if err != nil {
			t.Fatal(err)
		}
		var counted int64
		for _, n := range days {
			counted += n
		}
		if len(kept) != bound || counted != bound {
			t.Errorf("%d mentions at once: %d kept, %d counted; want %d and %d", submissions, len(kept), counted, bound, bound)
		}
		for _, m := range kept {
			if m.PostID == nil {
				t.Errorf("mention %s of a post the group shared names no post", m.ObjectIRI)
			}
		}
	})
}
