package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// A member's post the group announces counts its deliveries as that post's reach, and the server
// they went to as reached; the group's Accepts and welcomes, about no post, count for no post. The
// figures equal the delivery rows of the post's activities.
func TestReachCountsTheAnnouncedPost(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		k := newKring(t, st)
		peer := newRemotePeer(t)
		alice := k.join(t, peer, "alice", k.open)
		k.join(t, peer, "bob", k.open)
		create, note := k.noteOf(alice, k.open, 1)
		if status := k.send(t, alice, k.open, create); status != 202 {
			t.Fatalf("post: %d", status)
		}
		shared, err := st.PostInGroup(ctx, k.open.ID, note["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		var delivered int64
		err = st.DB().Table("deliveries").Joins("JOIN outbound_activities o ON o.id = deliveries.outbound_activity_id").
			Where("o.post_id = ? AND deliveries.state = ?", shared.ID, model.DeliveryDelivered).Count(&delivered).Error
		if err != nil {
			t.Fatal(err)
		}
		from, through := store.StatsDay(time.Now().AddDate(0, 0, -1)), store.StatsDay(time.Now().AddDate(0, 0, 1))
		posts, err := st.PostsReach(ctx, store.OfGroup(k.open.ID), from, through, 10)
		if err != nil {
			t.Fatal(err)
		}
		if delivered == 0 || len(posts) != 1 || posts[0].PostID != shared.ID || posts[0].Succeeded != delivered || posts[0].Failed != 0 {
			t.Errorf("deliveries per post: %+v; want alice's post alone with its %d deliveries", posts, delivered)
		}
		servers, err := st.ServersReached(ctx, store.OfGroup(k.open.ID), from, 10)
		if err != nil || servers.Reached != 1 || servers.UnreachableTotal != 0 {
			t.Errorf("servers: %+v (%v), want the peer's reached", servers, err)
		}
	})
}
