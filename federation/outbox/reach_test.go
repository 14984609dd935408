package outbox_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/test/testenv"
)

// The group's Create and Update of its own post name the post, so their deliveries count as its
// reach; the Delete, which takes the post away, names none.
func TestGroupPostActivitiesNameThePost(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newBanFixture(t, st)
		fed, err := wiring.Build(ctx, wiring.Config{PublicURL: &url.URL{Scheme: "https", Host: "kring.example"}, Version: "test",
			SigningKeys: testenv.SigningKeys(t)}, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		post, err := fed.Conversations.PublishAsGroup(ctx, f.group.ID, nil, conversations.Draft{Text: "The spring fair is on"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fed.Conversations.EditGroupPost(ctx, post.ID, nil, conversations.Draft{Text: "The spring fair moved"}); err != nil {
			t.Fatal(err)
		}
		aboutPost := func(activityType string) []string {
			var ids []string
			err := st.DB().Model(&model.OutboundActivity{}).Where("group_id = ? AND activity_type = ? AND post_id = ?",
				f.group.ID, activityType, post.ID).Pluck("id", &ids).Error
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		if creates, updates := aboutPost("Create"), aboutPost("Update"); len(creates) != 1 || len(updates) != 1 {
			t.Errorf("%d Creates and %d Updates name the post, want 1 and 1", len(creates), len(updates))
		}
		if err := fed.Conversations.DeleteGroupPost(ctx, post.ID, nil); err != nil {
			t.Fatal(err)
		}
		var deletes []model.OutboundActivity
		if err := st.DB().Where("group_id = ? AND activity_type = 'Delete'", f.group.ID).Find(&deletes).Error; err != nil {
			t.Fatal(err)
		}
		if len(deletes) != 1 || deletes[0].PostID != nil {
			t.Errorf("the group's Deletes: %+v, want one naming no post", deletes)
		}
	})
}
