package conversations_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/drafts"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/test/testenv"
)

// TestSweepDeletesOnlyUnusedPictures: of the posts' pictures stored more than a day ago, the sweep
// deletes those no post and no draft still to go out names (an upload never sent, the picture of
// a deleted post), and keeps a published post's, a kept draft's, a fresh upload, and a group's
// avatar-like file.
func TestSweepDeletesOnlyUnusedPictures(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		media := t.TempDir()
		fed, err := wiring.Build(ctx, wiring.Config{PublicURL: &url.URL{Scheme: "http", Host: "kring.example"}, Version: "test",
			SigningKeys: testenv.SigningKeys(t), MediaDir: media}, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"}); err != nil {
			t.Fatal(err)
		}
		group, err := fed.Groups.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"})
		if err != nil {
			t.Fatal(err)
		}
		store := func() string {
			var b bytes.Buffer
			if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
				t.Fatal(err)
			}
			picture, err := fed.Groups.StorePostImage(ctx, groups.MediaFiles{Dir: media}, b.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			return picture.Name
		}
		posted, kept, neverSent, ofDeleted, fresh := store(), store(), store(), store(), store()
		withPicture := func(name string) conversations.Draft {
			return conversations.Draft{Text: "With a picture", Images: []conversations.DraftImage{{Name: name, Alt: "a picture"}}}
		}
		if _, err := fed.Conversations.PublishAsGroup(ctx, group.ID, nil, withPicture(posted)); err != nil {
			t.Fatal(err)
		}
		gone, err := fed.Conversations.PublishAsGroup(ctx, group.ID, nil, withPicture(ofDeleted))
		if err != nil {
			t.Fatal(err)
		}
		if err := fed.Conversations.DeleteGroupPost(ctx, gone.ID, nil); err != nil {
			t.Fatal(err)
		}
		content, err := conversations.EncodeDraft(withPicture(kept))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fed.Drafts.Create(ctx, nil, drafts.Input{GroupIDs: []string{group.ID}, Content: content}); err != nil {
			t.Fatal(err)
		}
		avatar := "0123456789abcdef0123456789abcdef.png"
		if err := os.WriteFile(filepath.Join(media, avatar), []byte("not a post's"), 0o644); err != nil {
			t.Fatal(err)
		}
		dayAgo := time.Now().Add(-25 * time.Hour)
		for _, name := range []string{posted, kept, neverSent, ofDeleted, avatar} {
			if err := os.Chtimes(filepath.Join(media, name), dayAgo, dayAgo); err != nil {
				t.Fatal(err)
			}
		}
		removed, err := fed.Conversations.SweepUnusedPictures(ctx, time.Now().Add(-24*time.Hour))
		if err != nil || removed != 2 {
			t.Fatalf("swept %d (%v), want the two unused pictures", removed, err)
		}
		for name, want := range map[string]bool{posted: true, kept: true, fresh: true, avatar: true, neverSent: false, ofDeleted: false} {
			_, err := os.Stat(filepath.Join(media, name))
			if exists := err == nil; exists != want {
				t.Errorf("%s exists: %t, want %t", name, exists, want)
			}
		}
	})
}
