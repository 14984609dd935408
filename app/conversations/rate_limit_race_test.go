package conversations_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// concurrentPosts is how many posts the race tests submit at once: three times the limit, so that a
// count taken apart from the insert lets several through.
const concurrentPosts = 60

// TestPostRateLimitHoldsUnderConcurrency: 60 posts submitted at once, by one actor or by 60 actors of
// one host, store exactly the limit; the others are refused with the rate limit as the reason and
// leave nothing stored. Several worker processes take posts in at once, so the count must be taken
// in the transaction that stores the post, with the actor's and the host's posts serialised.
func TestPostRateLimitHoldsUnderConcurrency(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		limits   conversations.Limits
		limit    int
		oneActor bool
	}{
		{"per actor", conversations.Limits{Window: 10 * time.Minute, PerActor: 20, PerHost: 1000}, 20, true},
		{"per host", conversations.Limits{Window: 10 * time.Minute, PerActor: 1000, PerHost: 20}, 20, false},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				f := newFixture(t, st)
				talk := conversations.NewService(st, f.fed, tc.limits)
				authors := make([]model.RemoteActor, concurrentPosts)
				for i := range authors {
					authors[i] = f.author
					if tc.oneActor {
						continue
					}
					name := fmt.Sprintf("member%d", i)
					actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://remote.example/users/" + name,
						Host: "remote.example", ActorType: "Person", PreferredUsername: name,
						InboxURL: "https://remote.example/users/" + name + "/inbox", FetchedAt: time.Now()})
					if err != nil {
						t.Fatal(err)
					}
					authors[i] = actor
				}

				results := make([]conversations.Result, concurrentPosts)
				errs := make([]error, concurrentPosts)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i := range concurrentPosts {
					wg.Go(func() {
						id := fmt.Sprintf("%s/statuses/race-%d", authors[i].IRI, i)
						<-start
						got, err := talk.Submit(ctx, authors[i], conversations.Submission{ActivityIRI: id + "/activity",
							ActivityJSON: `{"id":"` + id + `/activity","type":"Create"}`, ObjectIRI: id, ObjectType: "Note",
							ContentHTML: "<p>race</p>", Visibility: model.VisibilityPublic, Addressed: []model.Group{f.group}})
						if err == nil && len(got) != 1 {
							err = fmt.Errorf("%d results, want 1", len(got))
						}
						if err == nil {
							results[i] = got[0]
						}
						errs[i] = err
					})
				}
				close(start)
				wg.Wait()

				shared, limited := 0, 0
				for i, result := range results {
					switch {
					case errs[i] != nil:
						t.Errorf("post %d: %v", i, errs[i])
					case result.Outcome == conversations.Shared:
						shared++
					case result.Outcome == conversations.Refused && strings.HasPrefix(result.Reason, "rate limit:"):
						limited++
						if result.PostID != "" {
							t.Errorf("post %d refused by the rate limit but stored as %s", i, result.PostID)
						}
					default:
						t.Errorf("post %d: %+v, want shared or refused by the rate limit", i, result)
					}
				}
				stored, err := st.CountPosts(ctx, f.group.ID, model.PostVisible, model.PostHeld)
				if err != nil {
					t.Fatal(err)
				}
				if shared != tc.limit || limited != concurrentPosts-tc.limit || stored != int64(tc.limit) {
					t.Errorf("%d posts at once: %d shared, %d refused by the rate limit, %d stored; want %d, %d, %d",
						concurrentPosts, shared, limited, stored, tc.limit, concurrentPosts-tc.limit, tc.limit)
				}
			})
		})
	}
}
