package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

func TestPublicPagePostsAndCounts(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		lobby, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: "lobby", Name: "Lobby", PostingPolicy: model.PostingFollowers})
		if err != nil {
			t.Fatal(err)
		}
		other, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: "other", Name: "Other", PostingPolicy: model.PostingFollowers})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		alice := model.RemoteActor{ID: model.NewID(), IRI: "https://m.example/users/alice", Host: "m.example", ActorType: "Person",
			PreferredUsername: "alice", DisplayName: "Alice A.", InboxURL: "https://m.example/inbox", FetchedAt: now, CreatedAt: now, UpdatedAt: now}
		if err := st.DB().Create(&alice).Error; err != nil {
			t.Fatal(err)
		}
		base := now.Add(-time.Hour)
		posts := []struct {
			name       string
			group      string
			member     bool
			visibility model.Visibility
			state      model.PostState
			reach      model.Reach
			pinned     *time.Time
		}{
			{"old", lobby.ID, true, model.VisibilityPublic, model.PostVisible, model.ReachFollowers, nil},
			{"new", lobby.ID, false, model.VisibilityPublic, model.PostVisible, model.ReachFollowers, nil},
			{"pin-old", lobby.ID, false, model.VisibilityPublic, model.PostVisible, model.ReachFollowers, ptr(base.Add(time.Minute))},
			{"pin-new", lobby.ID, false, model.VisibilityPublic, model.PostVisible, model.ReachFollowers, ptr(base.Add(2 * time.Minute))},
			{"unlisted", lobby.ID, true, model.VisibilityUnlisted, model.PostVisible, model.ReachFollowers, nil},
			{"reply", lobby.ID, true, model.VisibilityPublic, model.PostVisible, model.ReachThread, nil},
			{"held", lobby.ID, true, model.VisibilityPublic, model.PostHeld, model.ReachFollowers, nil},
			{"followers-only", lobby.ID, true, model.VisibilityFollowers, model.PostVisible, model.ReachFollowers, nil},
			{"elsewhere", other.ID, true, model.VisibilityPublic, model.PostVisible, model.ReachFollowers, nil},
		}
		for i, p := range posts {
			post := model.Post{GroupID: p.group, ObjectIRI: "https://m.example/notes/" + p.name, AuthorKind: model.AuthorGroup,
				ObjectType: "Note", Visibility: p.visibility, State: p.state, Reach: p.reach, PinnedAt: p.pinned,
				PublishedAt: base.Add(time.Duration(i) * time.Second)}
			if p.name == "new" {
				post.PublishedAt = now
			}
			if p.member {
				post.AuthorKind, post.AuthorActorID = model.AuthorRemote, &alice.ID
			}
			if _, err := st.CreatePost(ctx, post); err != nil {
				t.Fatalf("%s: %v", p.name, err)
			}
		}

		page, err := st.PublicPagePosts(ctx, lobby.ID, 20, "")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := names(page.Pinned), "[pin-new pin-old]"; got != want {
			t.Errorf("pinned: %s, want %s", got, want)
		}
		if got, want := names(page.Recent), "[new old]"; got != want {
			t.Errorf("recent: %s, want %s", got, want)
		}
		if old := page.Recent[1]; old.AuthorName != "Alice A." || old.AuthorUsername != "alice" || old.AuthorHost != "m.example" {
			t.Errorf("member post author: %+v", old)
		}
		if own := page.Recent[0]; own.AuthorName != "" || own.AuthorUsername != "" || own.AuthorActorID != nil {
			t.Errorf("group post has a remote author: %+v", own)
		}
		if limited, err := st.PublicPagePosts(ctx, lobby.ID, 1, ""); err != nil {
			t.Fatal(err)
		} else if names(limited.Recent) != "[new]" {
			t.Errorf("limit 1: %s", names(limited.Recent))
		}

		for reach, want := range map[model.Reach]int64{model.ReachFollowers: 5, model.ReachThread: 1} {
			if n, err := st.CountPublicPosts(ctx, lobby.ID, reach); err != nil || n != want {
				t.Errorf("count %s: %d, %v; want %d", reach, n, err, want)
			}
		}
	})
}

func names(posts []store.AuthoredPost) string {
	var out []string
	for _, p := range posts {
		out = append(out, p.ObjectIRI[len("https://m.example/notes/"):])
	}
	return fmt.Sprint(out)
}

func TestOutboundActivitiesByIRI(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		lobby, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: "lobby", Name: "Lobby", PostingPolicy: model.PostingFollowers})
		if err != nil {
			t.Fatal(err)
		}
		for _, iri := range []string{"https://k.example/activities/1", "https://k.example/activities/2"} {
			if _, err := st.CreateOutboundActivity(ctx, model.OutboundActivity{ActivityIRI: iri, ActorKind: model.OwnerGroup,
				GroupID: &lobby.ID, ActivityType: "Announce", Body: `{"id":"` + iri + `"}`}); err != nil {
				t.Fatal(err)
			}
		}
		one, err := st.OutboundActivityByIRI(ctx, "https://k.example/activities/2")
		if err != nil || one.Body != `{"id":"https://k.example/activities/2"}` {
			t.Errorf("by iri: %+v, %v", one, err)
		}
		if _, err := st.OutboundActivityByIRI(ctx, "https://k.example/activities/3"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown iri: %v, want ErrNotFound", err)
		}
		found, err := st.OutboundActivitiesByIRI(ctx, []string{"https://k.example/activities/1", "https://k.example/activities/3"})
		if err != nil || len(found) != 1 || found["https://k.example/activities/1"].ActivityType != "Announce" {
			t.Errorf("by iris: %+v, %v", found, err)
		}
		if none, err := st.OutboundActivitiesByIRI(ctx, nil); err != nil || len(none) != 0 {
			t.Errorf("no iris: %+v, %v", none, err)
		}
	})
}
