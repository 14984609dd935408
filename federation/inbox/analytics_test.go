package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// groupTotals sums a group's daily figures over the days around today (a test may cross midnight).
func groupTotals(t *testing.T, st *store.Store, group model.Group) store.GroupDay {
	t.Helper()
	now := time.Now()
	days, err := st.GroupDays(context.Background(), group.ID, store.StatsDay(now.AddDate(0, 0, -1)), store.StatsDay(now.AddDate(0, 0, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var sum store.GroupDay
	for _, d := range days {
		sum.Joins, sum.Leaves, sum.PostsShared = sum.Joins+d.Joins, sum.Leaves+d.Leaves, sum.PostsShared+d.PostsShared
		sum.Likes, sum.Boosts, sum.Replies = sum.Likes+d.Likes, sum.Boosts+d.Boosts, sum.Replies+d.Replies
		sum.DeliveriesAttempted += d.DeliveriesAttempted
		sum.DeliveriesSucceeded += d.DeliveriesSucceeded
		sum.DeliveriesFailed += d.DeliveriesFailed
	}
	return sum
}

// postTotals is what one post drew around today.
func postTotals(t *testing.T, st *store.Store, group model.Group, postID string) store.PostEngagement {
	t.Helper()
	now := time.Now()
	top, err := st.TopPosts(context.Background(), group.ID, store.StatsDay(now.AddDate(0, 0, -1)), store.StatsDay(now.AddDate(0, 0, 1)), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range top {
		if p.PostID == postID {
			return p
		}
	}
	return store.PostEngagement{PostID: postID}
}

// The group's daily figures move with real signed activities as the worker applies them: a Follow
// is a join, its Undo a leave, a Like and someone else's Announce of the group's post a like and a
// boost of the group and of the post, a member's post a post shared and a reply to it a reply of
// the post; the deliveries the group sent are counted as they settle, equal to the rows. Repeated
// and foreign activities count nothing.
func TestDailyStatsFollowInboundActivities(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		k := newKring(t, st)
		peer := newRemotePeer(t)
		alice := k.join(t, peer, "alice", k.open)
		bob := k.join(t, peer, "bob", k.open)
		if got := groupTotals(t, st, k.open); got.Joins != 2 || got.Leaves != 0 {
			t.Fatalf("after two follows: %d joins, %d leaves", got.Joins, got.Leaves)
		}
		// A repeated Follow of a member is no new member.
		if status := k.send(t, bob, k.open, activityOf(bob, "Follow", "follows/again", k.iris.GroupActor("lobby"))); status != 202 {
			t.Fatalf("repeated follow: %d", status)
		}

		ours, err := st.CreatePost(ctx, model.Post{GroupID: k.open.ID, ObjectIRI: k.iris.GroupActor("lobby") + "/posts/1",
			AuthorKind: model.AuthorGroup, ObjectType: "Note", Visibility: model.VisibilityPublic, State: model.PostVisible,
			PublishedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []struct {
			from     member
			activity map[string]any
		}{
			{bob, activityOf(bob, "Like", "likes/1", ours.ObjectIRI)},
			{bob, activityOf(bob, "Announce", "boosts/1", ours.ObjectIRI)},
			{alice, activityOf(alice, "Announce", "boosts/2", alice.actor()+"/statuses/404")}, // not the group's
		} {
			if status := k.send(t, a.from, k.open, a.activity); status != 202 {
				t.Fatalf("%s: %d", a.activity["type"], status)
			}
		}
		if got := postTotals(t, st, k.open, ours.ID); got.Likes != 1 || got.Boosts != 1 {
			t.Errorf("the group's post: %d likes, %d boosts, want 1 and 1", got.Likes, got.Boosts)
		}

		create, note := k.noteOf(alice, k.open, 1)
		if status := k.send(t, alice, k.open, create); status != 202 {
			t.Fatalf("post: %d", status)
		}
		reply, replyNote := k.noteOf(bob, k.open, 2)
		replyNote["inReplyTo"] = note["id"]
		if status := k.send(t, bob, k.open, reply); status != 202 {
			t.Fatalf("reply: %d", status)
		}
		shared, err := st.PostInGroup(ctx, k.open.ID, note["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if got := postTotals(t, st, k.open, shared.ID); got.Replies != 1 {
			t.Errorf("alice's post: %d replies, want 1", got.Replies)
		}

		undo := activityOf(alice, "Undo", "undo/1", map[string]any{"id": alice.actor() + "/follows/lobby", "type": "Follow",
			"actor": alice.actor(), "object": k.iris.GroupActor("lobby")})
		if status := k.send(t, alice, k.open, undo); status != 202 {
			t.Fatalf("undo: %d", status)
		}

		got := groupTotals(t, st, k.open)
		want := store.GroupDay{Joins: 2, Leaves: 1, PostsShared: 1, Likes: 1, Boosts: 1, Replies: 1}
		if got.Joins != want.Joins || got.Leaves != want.Leaves || got.PostsShared != want.PostsShared ||
			got.Likes != want.Likes || got.Boosts != want.Boosts || got.Replies != want.Replies {
			t.Errorf("group figures %+v, want %+v", got, want)
		}
		var delivered, attempts int64
		err = st.DB().Table("deliveries").Joins("JOIN outbound_activities o ON o.id = deliveries.outbound_activity_id").
			Where("o.group_id = ? AND deliveries.state = ?", k.open.ID, model.DeliveryDelivered).Count(&delivered).Error
		if err != nil {
			t.Fatal(err)
		}
		err = st.DB().Table("deliveries").Joins("JOIN outbound_activities o ON o.id = deliveries.outbound_activity_id").
			Where("o.group_id = ?", k.open.ID).Select("COALESCE(SUM(attempts), 0)").Scan(&attempts).Error
		if err != nil {
			t.Fatal(err)
		}
		if delivered == 0 || got.DeliveriesSucceeded != delivered || got.DeliveriesAttempted != attempts || got.DeliveriesFailed != 0 {
			t.Errorf("deliveries counted %d attempted, %d succeeded, %d failed; the rows say %d attempts, %d delivered",
				got.DeliveriesAttempted, got.DeliveriesSucceeded, got.DeliveriesFailed, attempts, delivered)
		}
	})
}
