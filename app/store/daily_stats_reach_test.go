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

// periodAround is the days around today, so a test running across midnight UTC still reads all it
// caused.
func periodAround() (from, through string) {
	now := time.Now()
	return store.StatsDay(now.AddDate(0, 0, -1)), store.StatsDay(now.AddDate(0, 0, 1))
}

// sendTo stores an outbound activity of the group, about postID when it is not empty, and one
// pending delivery of it to each host's inbox, returned by host.
func sendTo(t *testing.T, st *store.Store, group model.Group, postID string, hosts ...string) map[string]string {
	t.Helper()
	ctx := context.Background()
	activity := model.OutboundActivity{ActivityIRI: "https://kring.example/a/" + model.NewID(), ActorKind: model.OwnerGroup,
		GroupID: &group.ID, ActivityType: "Announce", Body: "{}"}
	if postID != "" {
		activity.PostID = &postID
	}
	stored, err := st.CreateOutboundActivity(ctx, activity)
	if err != nil {
		t.Fatal(err)
	}
	targets := make([]store.InboxTarget, len(hosts))
	for i, host := range hosts {
		targets[i] = store.InboxTarget{URL: "https://" + host + "/inbox", Host: host}
	}
	rows, err := st.CreateDeliveries(ctx, stored.ID, targets)
	if err != nil {
		t.Fatal(err)
	}
	byHost := map[string]string{}
	for _, row := range rows {
		byHost[row.Host] = row.ID
	}
	return byHost
}

func recordAttempts(t *testing.T, st *store.Store, id string, states ...model.DeliveryState) {
	t.Helper()
	for _, state := range states {
		if err := st.RecordDeliveryAttempt(context.Background(), id, store.DeliveryOutcome{State: state, Status: 503}); err != nil {
			t.Fatal(err)
		}
	}
}

// knownHost records what Kring knows of a server: the software its NodeInfo gave, and whether the
// circuit breaker holds it unreachable.
func knownHost(t *testing.T, st *store.Store, host, software string, unreachable bool) {
	t.Helper()
	now := time.Now()
	row := model.RemoteHost{ID: model.NewID(), Host: host, Software: software, CreatedAt: now, UpdatedAt: now}
	if unreachable {
		row.UnreachableSince = &now
	}
	if err := st.DB().Create(&row).Error; err != nil {
		t.Fatal(err)
	}
}

// Settled deliveries of two posts and of an activity about no post, to four servers, add up per
// post (attempts with retries, successes, failures for good; most reached first) and per server: the
// servers reached, and those the group failed to reach with not one success, telling which the
// circuit breaker marks unreachable now. A post deleted leaves its deliveries to the servers'
// figures and drops out of the posts'. Servers are reached when their last success is in the period,
// and a later success ends a server's run of failures.
func TestReachPerPostAndServer(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		first, second := groupPost(t, st, group, 1), groupPost(t, st, group, 2)
		knownHost(t, st, "h3.example", "mastodon", true)
		knownHost(t, st, "h4.example", "", false)

		ofFirst := sendTo(t, st, group, first.ID, "h1.example", "h2.example", "h3.example")
		if err := st.MarkDelivered(ctx, []string{ofFirst["h1.example"], ofFirst["h2.example"]}, 202); err != nil {
			t.Fatal(err)
		}
		recordAttempts(t, st, ofFirst["h3.example"], model.DeliveryPending, model.DeliveryFailed)
		ofSecond := sendTo(t, st, group, second.ID, "h1.example", "h3.example")
		recordAttempts(t, st, ofSecond["h1.example"], model.DeliveryDelivered)
		recordAttempts(t, st, ofSecond["h3.example"], model.DeliveryPending, model.DeliveryAbandoned)
		ofNone := sendTo(t, st, group, "", "h2.example", "h4.example")
		recordAttempts(t, st, ofNone["h2.example"], model.DeliveryFailed)
		recordAttempts(t, st, ofNone["h4.example"], model.DeliveryFailed)

		from, through := periodAround()
		posts, err := st.PostsReach(ctx, store.OfGroup(group.ID), from, through, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]string, len(posts))
		for i, p := range posts {
			got[i] = fmt.Sprintf("%s %d/%d/%d", p.ObjectIRI, p.Attempted, p.Succeeded, p.Failed)
		}
		if want := []string{first.ObjectIRI + " 4/2/1", second.ObjectIRI + " 3/1/1"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("deliveries per post (attempted/succeeded/failed):\n got %v\nwant %v", got, want)
		}

		servers, err := st.ServersReached(ctx, store.OfGroup(group.ID), from, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := store.ServerReach{Reached: 2, UnreachableTotal: 2, Unreachable: []store.UnreachableServer{
			{Host: "h3.example", FailedSinceSuccess: 2, MarkedNow: true}, {Host: "h4.example", FailedSinceSuccess: 1}}}
		if fmt.Sprintf("%+v", servers) != fmt.Sprintf("%+v", want) {
			t.Errorf("servers:\n got %+v\nwant %+v", servers, want)
		}
		if limited, err := st.ServersReached(ctx, store.OfGroup(group.ID), from, 1); err != nil || len(limited.Unreachable) != 1 || limited.UnreachableTotal != 2 {
			t.Errorf("at most 1 unreachable server: %+v (%v), want h3 of 2", limited, err)
		}
		// A period that begins after today's outcomes holds none of them: what is kept is the
		// last day of each, not a count that a later period would still include.
		tomorrow := store.StatsDay(time.Now().AddDate(0, 0, 1))
		if later, err := st.ServersReached(ctx, store.OfGroup(group.ID), tomorrow, 10); err != nil || later.Reached != 0 || later.UnreachableTotal != 0 {
			t.Errorf("a period from tomorrow: %+v (%v), want nothing reached or not", later, err)
		}
		// h3 taking a delivery at last counts it reached and ends its run of failures; h4 failing
		// once more lengthens its own.
		again := sendTo(t, st, group, "", "h3.example", "h4.example")
		recordAttempts(t, st, again["h3.example"], model.DeliveryDelivered)
		recordAttempts(t, st, again["h4.example"], model.DeliveryFailed)
		servers, err = st.ServersReached(ctx, store.OfGroup(group.ID), from, 10)
		want = store.ServerReach{Reached: 3, UnreachableTotal: 1, Unreachable: []store.UnreachableServer{{Host: "h4.example", FailedSinceSuccess: 2}}}
		if err != nil || fmt.Sprintf("%+v", servers) != fmt.Sprintf("%+v", want) {
			t.Errorf("after h3's success and h4's failure:\n got %+v (%v)\nwant %+v", servers, err, want)
		}
		var h3 struct{ FailuresSinceSuccess int64 }
		if err := st.DB().Raw("SELECT failures_since_success FROM server_reach WHERE group_id = ? AND host = 'h3.example'", group.ID).Scan(&h3).Error; err != nil || h3.FailuresSinceSuccess != 0 {
			t.Errorf("h3's failures since its success: %d (%v), want 0", h3.FailuresSinceSuccess, err)
		}

		if err := st.DB().Exec("DELETE FROM posts WHERE id = ?", first.ID).Error; err != nil {
			t.Fatal(err)
		}
		posts, err = st.PostsReach(ctx, store.OfGroup(group.ID), from, through, 10)
		if err != nil || len(posts) != 1 || posts[0].PostID != second.ID {
			t.Errorf("after the first post's deletion: %+v (%v), want the second only", posts, err)
		}
		if after, err := st.ServersReached(ctx, store.OfGroup(group.ID), from, 10); err != nil || after.Reached != 3 {
			t.Errorf("after the first post's deletion: %d servers reached (%v), want 3 still", after.Reached, err)
		}
	})
}

func actorOn(t *testing.T, st *store.Store, host, name string) model.RemoteActor {
	t.Helper()
	actor, err := st.SaveRemoteActor(context.Background(), model.RemoteActor{IRI: "https://" + host + "/u/" + name, Host: host,
		PreferredUsername: name, InboxURL: "https://" + host + "/u/" + name + "/inbox"})
	if err != nil {
		t.Fatal(err)
	}
	return actor
}

// Members are counted by server and by server software from accepted follows only; the largest
// shares come first and the rest is told as others; a server whose software is unknown counts as ”.
func TestMembersByServerAndSoftware(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		knownHost(t, st, "a.example", "mastodon", false)
		knownHost(t, st, "b.example", "gotosocial", false)
		knownHost(t, st, "c.example", "mastodon", false)
		follows := []struct {
			host  string
			n     int
			state model.FollowState
		}{
			{"a.example", 3, model.FollowAccepted}, {"b.example", 2, model.FollowAccepted}, {"b.example", 4, model.FollowPending},
			{"c.example", 1, model.FollowAccepted}, {"d.example", 1, model.FollowAccepted}, {"e.example", 2, model.FollowPending},
		}
		for _, f := range follows {
			for i := range f.n {
				actor := actorOn(t, st, f.host, fmt.Sprintf("%s%d", f.state, i))
				if _, err := st.SaveFollow(ctx, model.Follow{GroupID: group.ID, RemoteActorID: actor.ID,
					FollowActivityIRI: actor.IRI + "/follow", State: f.state}); err != nil {
					t.Fatal(err)
				}
			}
		}
		byServer, _, err := st.MembersByServerAndSoftware(ctx, store.OfGroup(group.ID), 2)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprintf("%+v", byServer), "{Top:[{Name:a.example Members:3} {Name:b.example Members:2}] OtherMembers:2 OtherKinds:2}"; got != want {
			t.Errorf("members by server, top 2:\n got %s\nwant %s", got, want)
		}
		_, bySoftware, err := st.MembersByServerAndSoftware(ctx, store.OfGroup(group.ID), 5)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprintf("%+v", bySoftware), "{Top:[{Name:mastodon Members:4} {Name:gotosocial Members:2} {Name: Members:1}] OtherMembers:0 OtherKinds:0}"; got != want {
			t.Errorf("members by software:\n got %s\nwant %s", got, want)
		}
	})
}

// readReach runs every reach read of the group's analytics page (three statements), failing on an
// error. TestDailyStatsReadsUseIndexes checks they are served by indexes on PostgreSQL: the
// rollups' keys for a period, follows_group_state with the actors' and hosts' keys for the members.
func readReach(t *testing.T, st *store.Store, groupID, from, through string) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.PostsReach(ctx, store.OfGroup(groupID), from, through, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ServersReached(ctx, store.OfGroup(groupID), from, 10); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.MembersByServerAndSoftware(ctx, store.OfGroup(groupID), 10); err != nil {
		t.Fatal(err)
	}
}
