package testenv

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Community is what a backup or a move must keep: an organisation's group with its signing key (its
// followers verify its posts with it, so a new key would lose them), its followers and their posts,
// and a picture in the media directory.
type Community struct {
	Group      model.Group
	Key        model.SigningKey
	FollowIDs  []string
	PostIDs    []string
	MediaPath  string // relative to the media directory
	MediaBytes []byte
}

// SeedCommunity fills a migrated store and its media directory with a Community. The group's rules
// post makes groups and posts refer to each other, the cycle a table-by-table copy has to break.
func SeedCommunity(t testing.TB, st *store.Store, mediaDir string) Community {
	t.Helper()
	ctx := context.Background()
	if _, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	group, err := Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby", ApproveFollowers: true})
	if err != nil {
		t.Fatal(err)
	}
	var c Community
	for i, host := range []string{"social.example", "mastodon.example", "gts.example"} {
		iri := fmt.Sprintf("https://%s/users/u%d", host, i)
		actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: iri, Host: host, ActorType: "Person",
			PreferredUsername: fmt.Sprintf("u%d", i), InboxURL: iri + "/inbox", FetchedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		follow, err := st.SaveFollow(ctx, model.Follow{GroupID: group.ID, RemoteActorID: actor.ID,
			FollowActivityIRI: iri + "/follows/1", State: model.FollowAccepted})
		if err != nil {
			t.Fatal(err)
		}
		post, err := st.CreatePost(ctx, model.Post{GroupID: group.ID, ObjectIRI: iri + "/notes/1", AuthorKind: model.AuthorRemote,
			AuthorActorID: &actor.ID, AuthorHost: host, ObjectType: "Note", ContentHTML: "<p>hello from " + host + "</p>",
			Visibility: model.VisibilityPublic, State: model.PostVisible, PublishedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		c.FollowIDs = append(c.FollowIDs, follow.ID)
		c.PostIDs = append(c.PostIDs, post.ID)
	}
	if err := st.UpdateGroup(ctx, group.ID, store.GroupChange{RulesPostID: store.To(&c.PostIDs[0])}); err != nil {
		t.Fatal(err)
	}
	if c.Group, err = st.GroupByID(ctx, group.ID); err != nil {
		t.Fatal(err)
	}
	if c.Key, err = st.ActiveGroupKey(ctx, group.ID); err != nil {
		t.Fatal(err)
	}
	c.MediaPath = "groups/lobby-avatar.png"
	c.MediaBytes = make([]byte, 4096)
	_, _ = rand.Read(c.MediaBytes)
	if err := os.MkdirAll(filepath.Join(mediaDir, "groups"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mediaDir, c.MediaPath), c.MediaBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	slices.Sort(c.FollowIDs)
	slices.Sort(c.PostIDs)
	return c
}

// RequireCommunity fails the test unless st holds want's group, key, follows and posts unchanged:
// the same ids, times, booleans and NULLs, and the group's private key byte for byte.
func RequireCommunity(t testing.TB, st *store.Store, want Community) {
	t.Helper()
	ctx := context.Background()
	key, err := st.ActiveGroupKey(ctx, want.Group.ID)
	if err != nil {
		t.Fatalf("the group's signing key is gone: %v", err)
	}
	if key.ID != want.Key.ID || key.PrivatePEM != want.Key.PrivatePEM || key.PublicPEM != want.Key.PublicPEM {
		t.Errorf("the group's signing key changed: id %s, want %s; private key equal: %t", key.ID, want.Key.ID, key.PrivatePEM == want.Key.PrivatePEM)
	}
	if !key.CreatedAt.Equal(want.Key.CreatedAt) || key.RetiredAt != nil {
		t.Errorf("the key's times: created %s retired %v, want created %s and not retired", key.CreatedAt, key.RetiredAt, want.Key.CreatedAt)
	}
	group, err := st.GroupByID(ctx, want.Group.ID)
	if err != nil {
		t.Fatalf("the group is gone: %v", err)
	}
	if group.Slug != want.Group.Slug || !group.ApproveFollowers || !group.Discoverable || group.ArchivedAt != nil {
		t.Errorf("the group's columns changed: slug %q approve %t discoverable %t archived %v", group.Slug, group.ApproveFollowers, group.Discoverable, group.ArchivedAt)
	}
	if !group.CreatedAt.Equal(want.Group.CreatedAt) || !group.UpdatedAt.Equal(want.Group.UpdatedAt) {
		t.Errorf("the group's times: %s / %s, want %s / %s", group.CreatedAt, group.UpdatedAt, want.Group.CreatedAt, want.Group.UpdatedAt)
	}
	if group.RulesPostID == nil || *group.RulesPostID != *want.Group.RulesPostID {
		t.Errorf("the group's rules post = %v, want %s", group.RulesPostID, *want.Group.RulesPostID)
	}
	if got := idsOf(t, st, "follows", "group_id = ? AND state = ?", want.Group.ID, model.FollowAccepted); !slices.Equal(got, want.FollowIDs) {
		t.Errorf("followers: %v, want %v", got, want.FollowIDs)
	}
	if got := idsOf(t, st, "posts", "group_id = ?", want.Group.ID); !slices.Equal(got, want.PostIDs) {
		t.Errorf("posts: %v, want %v", got, want.PostIDs)
	}
}

func idsOf(t testing.TB, st *store.Store, table, where string, args ...any) []string {
	t.Helper()
	var ids []string
	if err := st.DB().Table(table).Where(where, args...).Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}
