package conversations_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestRulesPostKeptInStep: rules given to a group are published once as a pinned post even when
// several callers bring it in step at once, an edit of the rules edits that post, emptying them
// deletes it; each change is logged and the group always points at the post that stands.
func TestRulesPostKeptInStep(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		setRules := func(rules string) {
			t.Helper()
			if err := st.UpdateGroup(ctx, f.group.ID, store.GroupChange{Rules: store.To(rules)}); err != nil {
				t.Fatal(err)
			}
		}
		pinned := func() []model.Post {
			t.Helper()
			posts, err := st.ListPosts(ctx, store.PostFilter{GroupID: f.group.ID, Pinned: true})
			if err != nil {
				t.Fatal(err)
			}
			return posts
		}

		setRules("Be kind.")
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				if err := f.talk.SyncRulesPost(ctx, f.group.ID, f.staffID); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		posts := pinned()
		group, err := st.GroupByID(ctx, f.group.ID)
		if err != nil || len(posts) != 1 || group.RulesPostID == nil || *group.RulesPostID != posts[0].ID ||
			!strings.Contains(posts[0].ContentHTML, "Be kind.") {
			t.Fatalf("after syncing at once: posts %+v, group %+v, %v", posts, group, err)
		}

		setRules("Be kind.\n\nNo ads.")
		if err := f.talk.SyncRulesPost(ctx, f.group.ID, f.staffID); err != nil {
			t.Fatal(err)
		}
		if posts := pinned(); len(posts) != 1 || !strings.Contains(posts[0].ContentHTML, "No ads.") || posts[0].EditedAt == nil {
			t.Fatalf("after editing the rules: %+v", posts)
		}

		setRules("")
		if err := f.talk.SyncRulesPost(ctx, f.group.ID, f.staffID); err != nil {
			t.Fatal(err)
		}
		group, err = st.GroupByID(ctx, f.group.ID)
		if posts := pinned(); len(posts) != 0 || err != nil || group.RulesPostID != nil {
			t.Fatalf("after emptying the rules: %+v, group points at %v (%v)", posts, group.RulesPostID, err)
		}
		for action, want := range map[model.LogAction]int{model.ActionPostPublish: 1, model.ActionPostEdit: 1, model.ActionPostDelete: 1} {
			if got := len(f.actions(action)); got != want {
				t.Errorf("%s logged %d times, want %d", action, got, want)
			}
		}
	})
}
