package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestChangesWriteWhatTheySet: a change writes the fields it sets, times as the database keeps them,
// a nil pointer clears a column, and every field left out keeps its value.
func TestChangesWriteWhatTheySet(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		group, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: "lobby", Name: "Lobby",
			Summary: "hello", PostingPolicy: model.PostingFollowers})
		if err != nil {
			t.Fatal(err)
		}
		taken, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: "desk", Name: "Desk", PostingPolicy: model.PostingFollowers})
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 5, 4, 3, 2, 1, 123456789, time.FixedZone("x", 3600))
		change := store.GroupChange{Name: store.To("Hall"), Discoverable: store.To(true), ArchivedAt: store.To(&at)}
		if change.Empty() || !(store.GroupChange{}).Empty() {
			t.Errorf("Empty: %v for a change, %v for none", change.Empty(), (store.GroupChange{}).Empty())
		}
		if err := st.UpdateGroup(ctx, group.ID, change); err != nil {
			t.Fatal(err)
		}
		got, err := st.GroupByID(ctx, group.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := at.UTC().Truncate(time.Microsecond)
		if got.Name != "Hall" || !got.Discoverable || got.Summary != "hello" || got.Slug != "lobby" ||
			got.ArchivedAt == nil || !got.ArchivedAt.Equal(want) || !got.UpdatedAt.After(group.UpdatedAt) {
			t.Errorf("after the change: %+v", got)
		}
		if err := st.UpdateGroup(ctx, group.ID, store.GroupChange{ArchivedAt: store.To[*time.Time](nil)}); err != nil {
			t.Fatal(err)
		}
		if got, err := st.GroupByID(ctx, group.ID); err != nil {
			t.Fatal(err)
		} else if got.ArchivedAt != nil || got.Name != "Hall" {
			t.Errorf("after clearing archived_at: %+v", got)
		}
		if err := st.UpdateGroup(ctx, group.ID, store.GroupChange{Slug: store.To(taken.Slug)}); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("taken slug: got %v, want ErrDuplicate", err)
		}
		if err := st.UpdateGroup(ctx, model.NewID(), store.GroupChange{Name: store.To("x")}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown group: got %v, want ErrNotFound", err)
		}

		actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://social.example/users/a", Host: "social.example",
			ActorType: "Person", InboxURL: "https://social.example/users/a/inbox", FetchedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		post, err := st.CreatePost(ctx, model.Post{GroupID: group.ID, ObjectIRI: "https://social.example/notes/1",
			AuthorKind: model.AuthorRemote, AuthorActorID: &actor.ID, ObjectType: "Note", ContentHTML: "<p>hi</p>",
			Visibility: model.VisibilityPublic, State: model.PostVisible, PublishedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		announce := "https://kring.example/activities/1"
		err = st.UpdatePost(ctx, post.ID, store.PostChange{State: store.To(model.PostRemoved), RemovedReason: store.To("spam"),
			RemovedAt: store.To(&at), AnnounceActivityIRI: store.To(&announce)})
		if err != nil {
			t.Fatal(err)
		}
		removed, err := st.PostByID(ctx, post.ID)
		if err != nil {
			t.Fatal(err)
		}
		if removed.State != model.PostRemoved || removed.RemovedReason != "spam" || removed.RemovedAt == nil ||
			!removed.RemovedAt.Equal(want) || removed.AnnounceActivityIRI == nil || *removed.AnnounceActivityIRI != announce ||
			removed.ContentHTML != "<p>hi</p>" {
			t.Errorf("after removing: %+v", removed)
		}
		err = st.UpdatePost(ctx, post.ID, store.PostChange{State: store.To(model.PostVisible), RemovedReason: store.To(""),
			RemovedAt: store.To[*time.Time](nil)})
		if err != nil {
			t.Fatal(err)
		}
		restored, err := st.PostByID(ctx, post.ID)
		if err != nil {
			t.Fatal(err)
		}
		if restored.State != model.PostVisible || restored.RemovedReason != "" || restored.RemovedAt != nil ||
			restored.AnnounceActivityIRI == nil {
			t.Errorf("after restoring: %+v", restored)
		}
		if err := st.UpdatePost(ctx, model.NewID(), store.PostChange{Summary: store.To("x")}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown post: got %v, want ErrNotFound", err)
		}
	})
}
