package groups_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// publisher records the groups whose actor Update would be federated, and that it ran inside the
// change's transaction.
type publisher struct{ updated []model.Group }

func (p *publisher) UpdateGroupActor(_ context.Context, tx *store.Store, group model.Group) error {
	if !tx.InTransaction() {
		panic("actor update outside the transaction that changed the group")
	}
	p.updated = append(p.updated, group)
	return nil
}

type manageFixture struct {
	st    *store.Store
	pub   *publisher
	svc   *groups.Service
	group model.Group
	staff string
}

func newManageFixture(t *testing.T, st *store.Store) *manageFixture {
	t.Helper()
	ctx := context.Background()
	createOrganisation(t, st, "acme")
	f := &manageFixture{st: st, pub: &publisher{}}
	f.svc = testenv.Groups(t, st).WithActorPublisher(f.pub)
	var err error
	if f.group, err = f.svc.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"}); err != nil {
		t.Fatal(err)
	}
	staff, err := st.CreateStaffAccount(ctx, model.StaffAccount{Email: "admin@acme.test", PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	f.staff = staff.ID
	return f
}

// lastEntry is the newest moderation log entry of the group, with its metadata decoded.
func (f *manageFixture) lastEntry(t *testing.T) (model.ModerationAction, map[string]any) {
	t.Helper()
	log, err := f.st.ModerationLog(context.Background(), store.ModerationLogFilter{GroupID: f.group.ID})
	if err != nil || len(log) == 0 {
		t.Fatalf("moderation log: %v %v", log, err)
	}
	var metadata map[string]any
	if err := json.Unmarshal([]byte(log[0].Metadata), &metadata); err != nil {
		t.Fatal(err)
	}
	return log[0], metadata
}

func (f *manageFixture) logLength(t *testing.T) int {
	t.Helper()
	log, err := f.st.ModerationLog(context.Background(), store.ModerationLogFilter{GroupID: f.group.ID})
	if err != nil {
		t.Fatal(err)
	}
	return len(log)
}

func kindOf(err error) apperror.Kind { return apperror.KindOf(err) }

// TestEditGroup: an edit writes the settings, logs what changed from what to what, and federates an
// Update of the actor only when what other servers show changed; an edit that changes nothing
// writes nothing.
func TestEditGroup(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newManageFixture(t, st)
		edit := groups.SettingsOf(f.group)
		edit.Name, edit.Summary, edit.PostingPolicy = " Front Lobby ", "Say hello.", model.PostingPremoderated
		edited, err := f.svc.EditGroup(ctx, f.group.ID, edit, f.staff)
		if err != nil {
			t.Fatal(err)
		}
		if edited.Name != "Front Lobby" || edited.Summary != "Say hello." || edited.PostingPolicy != model.PostingPremoderated || !edited.Discoverable {
			t.Errorf("edited %+v", edited)
		}
		if len(f.pub.updated) != 1 || f.pub.updated[0].Name != "Front Lobby" {
			t.Errorf("actor updates %+v", f.pub.updated)
		}
		entry, metadata := f.lastEntry(t)
		if entry.Action != model.ActionGroupEdit || entry.StaffAccountID == nil || *entry.StaffAccountID != f.staff {
			t.Errorf("log entry %+v", entry)
		}
		if name, _ := metadata["name"].(map[string]any); name["from"] != "Lobby" || name["to"] != "Front Lobby" || metadata["rules"] != nil {
			t.Errorf("log metadata %v", metadata)
		}

		before := f.logLength(t)
		if _, err := f.svc.EditGroup(ctx, f.group.ID, groups.SettingsOf(edited), f.staff); err != nil {
			t.Fatal(err)
		}
		if f.logLength(t) != before || len(f.pub.updated) != 1 {
			t.Error("an edit changing nothing was logged or federated")
		}

		rulesOnly := groups.SettingsOf(edited)
		rulesOnly.Rules = "Be kind."
		if _, err := f.svc.EditGroup(ctx, f.group.ID, rulesOnly, f.staff); err != nil {
			t.Fatal(err)
		}
		if len(f.pub.updated) != 1 {
			t.Error("a change of the rules, which the actor does not show, was federated")
		}

		bad := groups.SettingsOf(edited)
		bad.PostingPolicy = "everyone"
		if _, err := f.svc.EditGroup(ctx, f.group.ID, bad, f.staff); kindOf(err) != apperror.KindInvalid {
			t.Errorf("unknown posting policy: %v", err)
		}
		if _, err := f.svc.EditGroup(ctx, model.NewID(), groups.SettingsOf(edited), f.staff); kindOf(err) != apperror.KindNotFound {
			t.Errorf("unknown group: %v", err)
		}
	})
}

// TestSlugChangesUntilFederated: the slug may change while no server knows the group, to a free
// one only, and never once someone has followed it.
func TestSlugChangesUntilFederated(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newManageFixture(t, st)
		if _, err := f.svc.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "desk", Name: "Desk"}); err != nil {
			t.Fatal(err)
		}
		edit := groups.SettingsOf(f.group)
		edit.Slug = "desk"
		if _, err := f.svc.EditGroup(ctx, f.group.ID, edit, f.staff); kindOf(err) != apperror.KindConflict {
			t.Errorf("taken slug: %v", err)
		}
		edit.Slug = "hall"
		renamed, err := f.svc.EditGroup(ctx, f.group.ID, edit, f.staff)
		if err != nil || renamed.Slug != "hall" {
			t.Fatalf("renamed %+v, %v", renamed, err)
		}
		if editable, err := f.svc.SlugEditable(ctx, renamed); err != nil || !editable {
			t.Errorf("slug editable before any follow: %t %v", editable, err)
		}

		actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://a.example/users/alice", Host: "a.example",
			ActorType: "Person", PreferredUsername: "alice", InboxURL: "https://a.example/users/alice/inbox", FetchedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SaveFollow(ctx, model.Follow{GroupID: f.group.ID, RemoteActorID: actor.ID,
			FollowActivityIRI: "https://a.example/follows/1", State: model.FollowPending}); err != nil {
			t.Fatal(err)
		}
		if editable, err := f.svc.SlugEditable(ctx, renamed); err != nil || editable {
			t.Errorf("slug editable after a follow: %t %v", editable, err)
		}
		edit.Slug = "hallway"
		if _, err := f.svc.EditGroup(ctx, f.group.ID, edit, f.staff); kindOf(err) != apperror.KindConflict {
			t.Errorf("slug change after a follow: %v", err)
		}
	})
}

// TestArchiveGroup: archiving sets the time and logs it with the reason, once; unarchiving clears
// it.
func TestArchiveGroup(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newManageFixture(t, st)
		archived, err := f.svc.SetArchived(ctx, f.group.ID, true, "merged into desk", f.staff)
		if err != nil || archived.ArchivedAt == nil {
			t.Fatalf("archived %+v, %v", archived, err)
		}
		if entry, _ := f.lastEntry(t); entry.Action != model.ActionGroupArchive || entry.Reason != "merged into desk" {
			t.Errorf("log entry %+v", entry)
		}
		before := f.logLength(t)
		if _, err := f.svc.SetArchived(ctx, f.group.ID, true, "", f.staff); err != nil || f.logLength(t) != before {
			t.Errorf("archiving again: %v, log %d -> %d", err, before, f.logLength(t))
		}
		back, err := f.svc.SetArchived(ctx, f.group.ID, false, "", f.staff)
		if err != nil || back.ArchivedAt != nil {
			t.Fatalf("unarchived %+v, %v", back, err)
		}
		if entry, _ := f.lastEntry(t); entry.Action != model.ActionGroupUnarchive {
			t.Errorf("log entry %+v", entry)
		}
	})
}

// TestGroupImages: an upload becomes a new file with a random name that the group refers to; a
// replacement deletes the old file, a removal the current one; each is logged and federated.
func TestGroupImages(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newManageFixture(t, st)
		media := groups.MediaFiles{Dir: filepath.Join(t.TempDir(), "media")}
		var upload bytes.Buffer
		if err := png.Encode(&upload, image.NewRGBA(image.Rect(0, 0, 64, 64))); err != nil {
			t.Fatal(err)
		}
		first, err := f.svc.SetImage(ctx, media, f.group.ID, groups.Avatar, upload.Bytes(), f.staff)
		if err != nil {
			t.Fatal(err)
		}
		if !groups.ValidMediaName(first.AvatarPath) || groups.MediaType(first.AvatarPath) != "image/png" || first.HeaderPath != "" {
			t.Fatalf("avatar %q header %q", first.AvatarPath, first.HeaderPath)
		}
		if _, err := os.Stat(filepath.Join(media.Dir, first.AvatarPath)); err != nil {
			t.Fatal(err)
		}
		second, err := f.svc.SetImage(ctx, media, f.group.ID, groups.Avatar, upload.Bytes(), f.staff)
		if err != nil || second.AvatarPath == first.AvatarPath {
			t.Fatalf("replaced %q -> %q, %v", first.AvatarPath, second.AvatarPath, err)
		}
		if _, err := os.Stat(filepath.Join(media.Dir, first.AvatarPath)); !os.IsNotExist(err) {
			t.Errorf("the replaced picture is still there: %v", err)
		}
		entry, metadata := f.lastEntry(t)
		if avatar, _ := metadata["avatar_path"].(map[string]any); entry.Action != model.ActionGroupEdit || avatar["to"] != second.AvatarPath {
			t.Errorf("log %+v %v", entry, metadata)
		}
		if _, err := f.svc.SetImage(ctx, media, f.group.ID, groups.Header, []byte("<svg/>"), f.staff); kindOf(err) != apperror.KindInvalid {
			t.Errorf("SVG header: %v", err)
		}
		removed, err := f.svc.RemoveImage(ctx, media, f.group.ID, groups.Avatar, f.staff)
		if err != nil || removed.AvatarPath != "" {
			t.Fatalf("removed: %+v %v", removed, err)
		}
		if entries, _ := os.ReadDir(media.Dir); len(entries) != 0 {
			t.Errorf("files left: %v", entries)
		}
		if len(f.pub.updated) != 3 {
			t.Errorf("%d actor updates, want 3 (set, replace, remove)", len(f.pub.updated))
		}
	})
}

// TestAssignModerators: only staff with the moderator role in the group's organisation can be
// assigned; assigning and unassigning are logged with the staff member as target.
func TestAssignModerators(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newManageFixture(t, st)
		mod, err := st.CreateStaffAccount(ctx, model.StaffAccount{Email: "mod@acme.test", PasswordHash: "h"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetStaffRole(ctx, mod.ID, f.group.OrganisationID, model.RoleModerator); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AssignModerator(ctx, f.group.ID, f.staff, f.staff); kindOf(err) != apperror.KindInvalid {
			t.Errorf("assigning staff without the moderator role: %v", err)
		}
		for range 2 {
			if err := f.svc.AssignModerator(ctx, f.group.ID, mod.ID, f.staff); err != nil {
				t.Fatal(err)
			}
		}
		if list, err := f.svc.Moderators(ctx, f.group.ID); err != nil || len(list) != 1 || list[0].ID != mod.ID {
			t.Errorf("moderators %+v %v", list, err)
		}
		if entry, _ := f.lastEntry(t); entry.Action != model.ActionGroupModeratorAssign || entry.TargetKind != model.TargetStaff || entry.TargetID != mod.ID {
			t.Errorf("log entry %+v", entry)
		}
		if f.logLength(t) != 2 { // group.create, one assignment
			t.Errorf("log has %d entries", f.logLength(t))
		}
		if err := f.svc.UnassignModerator(ctx, f.group.ID, mod.ID, f.staff); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.UnassignModerator(ctx, f.group.ID, mod.ID, f.staff); kindOf(err) != apperror.KindNotFound {
			t.Errorf("unassigning again: %v", err)
		}
		if entry, _ := f.lastEntry(t); entry.Action != model.ActionGroupModeratorUnassign {
			t.Errorf("log entry %+v", entry)
		}
	})
}
