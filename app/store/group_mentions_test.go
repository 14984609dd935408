package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// Mentions are kept within their bounds per author and per host, a repeated one is neither kept
// nor counted again, and pruning deletes those received before a time, leaving the day's count.
func TestGroupMentionBoundsAndPruning(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		var authors []model.RemoteActor
		for i := range 3 {
			actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: fmt.Sprintf("https://far.example/users/u%d", i), Host: "far.example",
				ActorType: "Person", PreferredUsername: fmt.Sprintf("u%d", i), InboxURL: "https://far.example/inbox", FetchedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			authors = append(authors, actor)
		}
		bounds := store.MentionBounds{PerAuthor: 2, PerHost: 3, Since: time.Now().Add(-time.Hour)}
		keep := func(author model.RemoteActor, n int) bool {
			t.Helper()
			var kept bool
			err := st.Transaction(ctx, func(tx *store.Store) (err error) {
				kept, err = tx.RecordGroupMention(ctx, model.GroupMention{GroupID: group.ID, ObjectIRI: fmt.Sprintf("%s/statuses/%d", author.IRI, n),
					RemoteActorID: author.ID, AuthorHost: author.Host, PublishedAt: time.Now()}, bounds)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return kept
		}
		for _, step := range []struct {
			author model.RemoteActor
			n      int
			kept   bool
		}{
			{authors[0], 1, true}, {authors[0], 1, false}, // the same post again
			{authors[0], 2, true}, {authors[0], 3, false}, // her bound of 2
			{authors[1], 1, true}, {authors[2], 1, false}, // the host's bound of 3
		} {
			if got := keep(step.author, step.n); got != step.kept {
				t.Errorf("%s's post %d kept: %t, want %t", step.author.PreferredUsername, step.n, got, step.kept)
			}
		}
		today := store.StatsDay(time.Now())
		counted := func() int64 {
			days, err := st.GroupDays(ctx, group.ID, store.StatsDay(time.Now().AddDate(0, 0, -1)), today)
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for _, day := range days {
				sum += day.Mentions
			}
			return sum
		}
		if got := counted(); got != 3 {
			t.Errorf("counted %d mentions, want the 3 kept", got)
		}
		if n, err := st.PruneGroupMentions(ctx, time.Now().Add(-time.Minute)); err != nil || n != 0 {
			t.Errorf("pruning before a minute ago deleted %d (%v), want none", n, err)
		}
		if n, err := st.PruneGroupMentions(ctx, time.Now().Add(time.Minute)); err != nil || n != 3 {
			t.Errorf("pruning deleted %d (%v), want 3", n, err)
		}
		if left, err := st.GroupMentionsBefore(ctx, group.ID, "", 10); err != nil || len(left) != 0 || counted() != 3 {
			t.Errorf("after pruning: %d left (%v), %d counted; want none left and the count kept", len(left), err, counted())
		}
	})
}

// A submission's first read counts the author's and her host's mentions of the group with her
// standing when asked, each up to its bound, so that keeping her post as a mention needs no read of
// its own; unasked, it reads none.
func TestPostStandingCountsMentionsWhenAsked(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		ann, bea := newActorOn(t, st, "far.example", "ann"), newActorOn(t, st, "far.example", "bea")
		unbounded := store.MentionBounds{PerAuthor: 100, PerHost: 100, Since: time.Now().Add(-time.Hour)}
		for i, author := range []model.RemoteActor{ann, ann, bea} {
			err := st.Transaction(ctx, func(tx *store.Store) error {
				_, err := tx.RecordGroupMention(ctx, model.GroupMention{GroupID: group.ID, ObjectIRI: fmt.Sprintf("%s/statuses/%d", author.IRI, i),
					RemoteActorID: author.ID, AuthorHost: author.Host, PublishedAt: time.Now()}, unbounded)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		recent := store.RecentPostsQuery{Since: time.Now().Add(-time.Hour), UpTo: store.PostingCounts{ByActor: 20, ByHost: 300}}
		for _, tc := range []struct {
			bounds *store.MentionBounds
			want   *store.MentionCounts
		}{
			{nil, nil},
			{&unbounded, &store.MentionCounts{ByAuthor: 2, ByHost: 3}},
			{&store.MentionBounds{PerAuthor: 1, PerHost: 2, Since: unbounded.Since}, &store.MentionCounts{ByAuthor: 1, ByHost: 2}}, // counted up to the bounds
			{&store.MentionBounds{PerAuthor: 100, PerHost: 100, Since: time.Now().Add(time.Minute)}, &store.MentionCounts{}},       // none since
		} {
			recent.Mentions = tc.bounds
			standing, _, err := st.PostStandingCounting(ctx, group, ann, ann.IRI+"/statuses/9", recent)
			if err != nil {
				t.Fatal(err)
			}
			if (standing.Mentions == nil) != (tc.want == nil) || (tc.want != nil && *standing.Mentions != *tc.want) {
				t.Errorf("bounds %+v: mentions %+v, want %+v", tc.bounds, standing.Mentions, tc.want)
			}
		}
	})
}
