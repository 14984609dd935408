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

func newActor(t *testing.T, st *store.Store, name string) model.RemoteActor {
	t.Helper()
	return newActorOn(t, st, "a.example", name)
}

// newActorOn stores the actor name of host, as fetched now.
func newActorOn(t *testing.T, st *store.Store, host, name string) model.RemoteActor {
	t.Helper()
	iri := "https://" + host + "/u/" + name
	actor, err := st.SaveRemoteActor(context.Background(), model.RemoteActor{IRI: iri, Host: host,
		PreferredUsername: name, InboxURL: iri + "/inbox", FetchedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return actor
}

func activityOf(t *testing.T, st *store.Store, group model.Group, actor model.RemoteActor) model.MemberActivity {
	t.Helper()
	row, err := st.MemberActivityOf(context.Background(), group.ID, actor.ID)
	if err != nil {
		t.Fatal(err)
	}
	return row
}

// Each event moves the member's figures in the same transaction: a follow makes her seen, a post,
// a reply and a like count and make her active, a welcome and an introduction are dated once, a
// support conversation counts.
func TestMemberActivityFollowsEvents(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		ann := newActor(t, st, "ann")
		if _, err := st.MemberActivityOf(ctx, group.ID, ann.ID); err == nil {
			t.Fatal("a stranger has figures")
		}
		if _, err := st.SaveFollow(ctx, model.Follow{GroupID: group.ID, RemoteActorID: ann.ID, FollowActivityIRI: ann.IRI + "/f/1", State: model.FollowAccepted}); err != nil {
			t.Fatal(err)
		}
		seen := activityOf(t, st, group, ann)
		if seen.FirstSeenAt.IsZero() || seen.LastActiveAt != nil || seen.Posts+seen.Replies+seen.LikesGiven != 0 {
			t.Fatalf("after her follow: %+v", seen)
		}
		// A repeated follow does not move first seen.
		if _, _, err := st.RecordFollowAnswer(ctx, model.Follow{GroupID: group.ID, RemoteActorID: ann.ID, FollowActivityIRI: ann.IRI + "/f/2", State: model.FollowAccepted}, 0); err != nil {
			t.Fatal(err)
		}
		if again := activityOf(t, st, group, ann); !again.FirstSeenAt.Equal(seen.FirstSeenAt) {
			t.Errorf("first seen moved from %v to %v on a repeated follow", seen.FirstSeenAt, again.FirstSeenAt)
		}

		var first model.Post
		for i, reply := range []string{"", "", "https://b.example/notes/1"} {
			post, err := st.CreatePost(ctx, model.Post{GroupID: group.ID, ObjectIRI: fmt.Sprintf("%s/notes/%d", ann.IRI, i),
				AuthorKind: model.AuthorRemote, AuthorActorID: &ann.ID, ObjectType: "Note", InReplyToIRI: reply,
				Visibility: model.VisibilityPublic, State: model.PostVisible, PublishedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = post
			}
		}
		bob := newActor(t, st, "bob")
		if added, err := st.AddLike(ctx, model.PostLike{PostID: first.ID, RemoteActorID: bob.ID, ActivityIRI: bob.IRI + "/likes/1"}); err != nil || !added {
			t.Fatalf("like: %t, %v", added, err)
		}
		// A second Like of the same post by her is not a second like given.
		if added, err := st.AddLike(ctx, model.PostLike{PostID: first.ID, RemoteActorID: bob.ID, ActivityIRI: bob.IRI + "/likes/2"}); err != nil || added {
			t.Fatalf("repeated like: %t, %v", added, err)
		}
		err := st.Transaction(ctx, func(tx *store.Store) error {
			claimed, err := tx.ClaimWelcome(ctx, model.Welcome{GroupID: group.ID, RemoteActorID: ann.ID, ContentHTML: "<p>hi</p>"})
			if err == nil && !claimed {
				t.Error("first welcome not claimed")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if claimed, err := st.ClaimWelcome(ctx, model.Welcome{GroupID: group.ID, RemoteActorID: ann.ID, ContentHTML: "<p>hi</p>"}); err != nil || claimed {
			t.Fatalf("second welcome: %t, %v", claimed, err)
		}
		introduced := time.Now().UTC().Truncate(time.Microsecond)
		err = st.Transaction(ctx, func(tx *store.Store) error {
			if err := tx.CountSupportConversationOpened(ctx, group.ID, ann.ID, time.Now()); err != nil {
				return err
			}
			if err := tx.MarkMemberIntroduced(ctx, group.ID, ann.ID, introduced); err != nil {
				return err
			}
			return tx.MarkMemberIntroduced(ctx, group.ID, ann.ID, introduced.Add(time.Minute))
		})
		if err != nil {
			t.Fatal(err)
		}

		got := activityOf(t, st, group, ann)
		if got.Posts != 2 || got.Replies != 1 || got.LikesGiven != 0 || got.SupportConversations != 1 || got.Activity != 3 {
			t.Errorf("ann: %d posts, %d replies, %d likes, %d conversations, activity %d; want 2, 1, 0, 1, 3",
				got.Posts, got.Replies, got.LikesGiven, got.SupportConversations, got.Activity)
		}
		if got.LastActiveAt == nil || got.LastActiveAt.Before(seen.FirstSeenAt) || !got.FirstSeenAt.Equal(seen.FirstSeenAt) {
			t.Errorf("ann: first seen %v (want %v), last active %v", got.FirstSeenAt, seen.FirstSeenAt, got.LastActiveAt)
		}
		if got.WelcomedAt == nil || got.IntroducedAt == nil || !got.IntroducedAt.Equal(introduced) {
			t.Errorf("ann: welcomed %v, introduced %v (want %v)", got.WelcomedAt, got.IntroducedAt, introduced)
		}
		liker := activityOf(t, st, group, bob)
		if liker.LikesGiven != 1 || liker.Activity != 1 || liker.LastActiveAt == nil {
			t.Errorf("bob after his like: %+v", liker)
		}
		// Her Undo of the like takes it off again.
		if removed, err := st.RemoveLike(ctx, bob.ID, bob.IRI+"/likes/1"); err != nil || len(removed) != 1 {
			t.Fatalf("undo like: %v, %v", removed, err)
		}
		if undone := activityOf(t, st, group, bob); undone.LikesGiven != 0 || undone.Activity != 0 {
			t.Errorf("bob after undoing his like: %+v", undone)
		}
	})
}

// The attention lists hold the right members, in order, page by page.
func TestAttentionLists(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		now := time.Now().UTC()
		type fixture struct {
			name          string
			seenDaysAgo   int
			activeDaysAgo int // -1: never active
			activity      int
			follows       bool
		}
		fixtures := []fixture{
			{"new1", 1, 1, 1, true},
			{"new2", 2, -1, 0, true},
			{"old", 100, 60, 5, true},   // gone quiet
			{"older", 200, 90, 9, true}, // gone quiet longer
			{"busy", 100, 3, 7, true},
			{"left", 100, 60, 2, false}, // quiet, but no longer follows
		}
		ids := map[string]string{}
		for _, f := range fixtures {
			actor := newActor(t, st, f.name)
			ids[actor.ID] = f.name
			if f.follows {
				if _, err := st.SaveFollow(ctx, model.Follow{GroupID: group.ID, RemoteActorID: actor.ID, FollowActivityIRI: actor.IRI + "/f", State: model.FollowAccepted}); err != nil {
					t.Fatal(err)
				}
			} else if err := st.MarkMemberIntroduced(ctx, group.ID, actor.ID, now); err != nil {
				t.Fatal(err)
			}
			var active *time.Time
			if f.activeDaysAgo >= 0 {
				at := now.AddDate(0, 0, -f.activeDaysAgo)
				active = &at
			}
			if err := st.DB().Exec("UPDATE member_activity SET first_seen_at = ?, last_active_at = ?, posts = ? WHERE group_id = ? AND actor_id = ?",
				now.AddDate(0, 0, -f.seenDaysAgo), active, f.activity, group.ID, actor.ID).Error; err != nil {
				t.Fatal(err)
			}
		}
		list := func(q store.AttentionQuery) []string {
			t.Helper()
			q.GroupID, q.Limit = group.ID, 1
			var names []string
			for {
				page, err := st.AttentionMembers(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range page.Members {
					if m.Actor.ID != m.ActorID || m.Actor.PreferredUsername != ids[m.ActorID] {
						t.Errorf("row of %s carries actor %+v", ids[m.ActorID], m.Actor)
					}
					names = append(names, ids[m.ActorID])
				}
				if page.Next == "" {
					return names
				}
				q.After = page.Next
			}
		}
		for _, c := range []struct {
			q    store.AttentionQuery
			want string
		}{
			{store.AttentionQuery{List: store.Newcomers, Since: now.AddDate(0, 0, -7)}, "[new1 new2]"},
			{store.AttentionQuery{List: store.GoneQuiet, Since: now.AddDate(0, 0, -30)}, "[old older]"},
			{store.AttentionQuery{List: store.GoneQuiet, Since: now.AddDate(0, 0, -70)}, "[older]"},
			{store.AttentionQuery{List: store.MostActive}, "[older busy old left new1]"},
		} {
			if got := fmt.Sprint(list(c.q)); got != c.want {
				t.Errorf("%s since %s: %s, want %s", c.q.List, c.q.Since.Format(time.DateOnly), got, c.want)
			}
		}
	})
}
