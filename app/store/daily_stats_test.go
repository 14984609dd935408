package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// statsTotals sums a group's rollups over the days around today, so a test running across midnight
// UTC still sees all it caused.
func statsTotals(t *testing.T, st *store.Store, groupID string) store.GroupDay {
	t.Helper()
	now := time.Now()
	days, err := st.GroupDays(context.Background(), groupID, store.StatsDay(now.AddDate(0, 0, -1)), store.StatsDay(now.AddDate(0, 0, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var sum store.GroupDay
	for _, d := range days {
		sum.Joins += d.Joins
		sum.Leaves += d.Leaves
		sum.PostsShared += d.PostsShared
		sum.GroupPosts += d.GroupPosts
		sum.DeliveriesAttempted += d.DeliveriesAttempted
		sum.DeliveriesSucceeded += d.DeliveriesSucceeded
		sum.DeliveriesFailed += d.DeliveriesFailed
		sum.Likes += d.Likes
		sum.Boosts += d.Boosts
		sum.Replies += d.Replies
		sum.PostsHeld += d.PostsHeld
		sum.PostsDeclined += d.PostsDeclined
		sum.PostsRemoved += d.PostsRemoved
	}
	return sum
}

func groupPost(t *testing.T, st *store.Store, group model.Group, n int) model.Post {
	t.Helper()
	post, err := st.CreatePost(context.Background(), model.Post{GroupID: group.ID, ObjectIRI: fmt.Sprintf("https://kring.example/posts/%d", n),
		AuthorKind: model.AuthorGroup, ObjectType: "Note", Visibility: model.VisibilityPublic, State: model.PostVisible, PublishedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return post
}

// Fifty likes of one post committed at once count fifty: the upsert adds atomically, and the first
// likes of the day racing to create the row do not lose one another.
func TestDailyStatsCountParallelLikes(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		post := groupPost(t, st, group, 1)
		likers := make([]model.RemoteActor, 50)
		for i := range likers {
			likers[i] = newActor(t, st, fmt.Sprintf("liker%d", i))
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(likers))
		for _, liker := range likers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := st.AddLike(ctx, model.PostLike{PostID: post.ID, RemoteActorID: liker.ID, ActivityIRI: liker.IRI + "/likes/1"})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := statsTotals(t, st, group.ID); got.Likes != 50 || got.GroupPosts != 1 {
			t.Errorf("after 50 parallel likes of the group's post: %d likes, %d group posts, want 50 and 1", got.Likes, got.GroupPosts)
		}
		top, err := st.TopPosts(ctx, group.ID, store.StatsDay(time.Now().AddDate(0, 0, -1)), store.StatsDay(time.Now().AddDate(0, 0, 1)), 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(top) != 1 || top[0].PostID != post.ID || top[0].Likes != 50 || top[0].Engagement != 50 {
			t.Errorf("top posts: %+v", top)
		}
	})
}

// Delivery settles add to the sending group's deliveries of the day: a batch settled as delivered
// adds its size with one statement; each single attempt adds one, as a failure when it gives up and
// as neither while retries remain. The instance actor's deliveries count for no group.
func TestDailyStatsCountDeliverySettles(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		activity, err := st.CreateOutboundActivity(ctx, model.OutboundActivity{ActivityIRI: "https://kring.example/a/1",
			ActorKind: model.OwnerGroup, GroupID: &group.ID, ActivityType: "Announce", Body: "{}"})
		if err != nil {
			t.Fatal(err)
		}
		instance, err := st.CreateOutboundActivity(ctx, model.OutboundActivity{ActivityIRI: "https://kring.example/a/2",
			ActorKind: model.OwnerInstance, ActivityType: "Delete", Body: "{}"})
		if err != nil {
			t.Fatal(err)
		}
		targets := make([]store.InboxTarget, 6)
		for i := range targets {
			targets[i] = store.InboxTarget{URL: fmt.Sprintf("https://h%d.example/inbox", i), Host: fmt.Sprintf("h%d.example", i)}
		}
		rows, err := st.CreateDeliveries(ctx, activity.ID, targets)
		if err != nil {
			t.Fatal(err)
		}
		others, err := st.CreateDeliveries(ctx, instance.ID, targets[:2])
		if err != nil {
			t.Fatal(err)
		}
		if err := st.MarkDelivered(ctx, []string{rows[0].ID, rows[1].ID, rows[2].ID, others[0].ID}, 202); err != nil {
			t.Fatal(err)
		}
		attempts := []struct {
			id    string
			state model.DeliveryState
		}{
			{rows[3].ID, model.DeliveryPending}, {rows[3].ID, model.DeliveryDelivered},
			{rows[4].ID, model.DeliveryFailed}, {rows[5].ID, model.DeliveryAbandoned}, {others[1].ID, model.DeliveryFailed},
		}
		for _, a := range attempts {
			if err := st.RecordDeliveryAttempt(ctx, a.id, store.DeliveryOutcome{State: a.state, Status: 500}); err != nil {
				t.Fatal(err)
			}
		}
		got := statsTotals(t, st, group.ID)
		if got.DeliveriesAttempted != 7 || got.DeliveriesSucceeded != 4 || got.DeliveriesFailed != 2 {
			t.Errorf("deliveries attempted, succeeded, failed: %d, %d, %d; want 7, 4, 2",
				got.DeliveriesAttempted, got.DeliveriesSucceeded, got.DeliveriesFailed)
		}
	})
}

// Joins and leaves count members, not Follow activities: a repeated Follow of a member, a follow
// awaiting approval and its withdrawal count nothing; an approval counts a join; a member's follow
// removed counts a leave.
func TestDailyStatsCountMembersNotFollows(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		ann, bea := newActor(t, st, "ann"), newActor(t, st, "bea")
		accepted := model.Follow{GroupID: group.ID, RemoteActorID: ann.ID, FollowActivityIRI: ann.IRI + "/f/1", State: model.FollowAccepted}
		if _, err := st.SaveFollow(ctx, accepted); err != nil {
			t.Fatal(err)
		}
		accepted.FollowActivityIRI = ann.IRI + "/f/2"
		if _, _, err := st.RecordFollowAnswer(ctx, accepted, 0); err != nil {
			t.Fatal(err)
		}
		pending, err := st.SaveFollow(ctx, model.Follow{GroupID: group.ID, RemoteActorID: bea.ID, FollowActivityIRI: bea.IRI + "/f/1", State: model.FollowPending})
		if err != nil {
			t.Fatal(err)
		}
		if got := statsTotals(t, st, group.ID); got.Joins != 1 {
			t.Fatalf("a member, her repeated Follow and a pending follow: %d joins, want 1", got.Joins)
		}
		if err := st.SetFollowState(ctx, pending.ID, model.FollowAccepted); err != nil {
			t.Fatal(err)
		}
		if err := st.SetFollowState(ctx, pending.ID, model.FollowAccepted); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DeleteFollow(ctx, group.ID, ann.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DeleteFollow(ctx, group.ID, ann.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DeleteFollowsOfActor(ctx, bea.ID); err != nil {
			t.Fatal(err)
		}
		if got := statsTotals(t, st, group.ID); got.Joins != 2 || got.Leaves != 2 {
			t.Errorf("after an approval (twice) and two members gone: %d joins, %d leaves, want 2 and 2", got.Joins, got.Leaves)
		}
	})
}

// The analytics reads on PostgreSQL are served by the rollups' indexes (a range of one group's
// days), so a page costs the same whatever the group's or the instance's history.
func TestDailyStatsReadsUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	group := newLobby(t, st)
	post := groupPost(t, st, group, 1)
	fan := newActor(t, st, "fan")
	if _, err := st.AddLike(ctx, model.PostLike{PostID: post.ID, RemoteActorID: fan.ID, ActivityIRI: fan.IRI + "/likes/1"}); err != nil {
		t.Fatal(err)
	}
	// The reach reads (issue 16): a member, and a delivery of the post that failed.
	if _, err := st.SaveFollow(ctx, model.Follow{GroupID: group.ID, RemoteActorID: fan.ID, FollowActivityIRI: fan.IRI + "/f",
		State: model.FollowAccepted}); err != nil {
		t.Fatal(err)
	}
	recordAttempts(t, st, sendTo(t, st, group, post.ID, "a.example")["a.example"], model.DeliveryFailed)
	conn := testenv.Conn(t, st)
	// With sequential scans discouraged PostgreSQL takes any index that can serve a statement; a
	// table it still reads whole has none.
	if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	recorder := testenv.RecordStatements(t, st)
	from, through := store.StatsDay(time.Now().AddDate(0, 0, -89)), store.StatsDay(time.Now())
	statements := recorder.During(func() {
		if _, err := st.GroupDays(ctx, group.ID, from, through); err != nil {
			t.Fatal(err)
		}
		if _, err := st.TopPosts(ctx, group.ID, from, through, 10); err != nil {
			t.Fatal(err)
		}
		readReach(t, st, group.ID, from, through)
	})
	// A fold is one statement: BEGIN and its lock go with it (TransactionHolding).
	if len(statements) != 1+3+1+3 {
		t.Errorf("%d statements read a group's analytics, want 1 to fold the waiting counts, 3, 1 to fold the deliveries per post and 3 for its reach", len(statements))
	}
	for _, s := range statements {
		for _, table := range testenv.SeqScans(testenv.Explain(t, conn, s, false)) {
			t.Errorf("no index serves this statement, it reads all of %s:\n%s", table, s.SQL)
		}
	}
}
