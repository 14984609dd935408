package outbox_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/test/testenv"
)

// banFixture is a group with two followers, alice (who posted twice) and bob, and the member decisions
// wired to the real outbox, so what a ban queues can be read back as it would be sent.
type banFixture struct {
	st         *store.Store
	members    *moderation.Members
	group      model.Group
	alice, bob model.RemoteActor
	posts      []model.Post
	groupIRI   string
}

func newBanFixture(t *testing.T, st *store.Store) *banFixture {
	t.Helper()
	ctx := context.Background()
	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	group, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"})
	if err != nil {
		t.Fatal(err)
	}
	fed, err := wiring.Build(ctx, wiring.Config{PublicURL: &url.URL{Scheme: "https", Host: "kring.example"}, Version: "test", SigningKeys: testenv.SigningKeys(t)}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	iris := fed.IRIs
	f := &banFixture{st: st, group: group, groupIRI: iris.GroupActor("lobby"), members: fed.Members()}
	f.alice, f.bob = f.follower(t, "alice", "a.example"), f.follower(t, "bob", "b.example")
	for i, object := range []string{"https://a.example/notes/1", "https://a.example/notes/2"} {
		announce := iris.NewActivity()
		post, err := st.CreatePost(ctx, model.Post{GroupID: group.ID, ObjectIRI: object, AuthorKind: model.AuthorRemote,
			AuthorActorID: &f.alice.ID, ObjectType: "Note", ContentHTML: "<p>hello</p>", Visibility: model.VisibilityPublic,
			State: model.PostVisible, PublishedAt: time.Now().Add(time.Duration(i) * time.Minute), AnnounceActivityIRI: &announce})
		if err != nil {
			t.Fatal(err)
		}
		f.posts = append(f.posts, post)
	}
	return f
}

func (f *banFixture) follower(t *testing.T, name, host string) model.RemoteActor {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	actor, err := f.st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://" + host + "/users/" + name, Host: host,
		ActorType: "Person", PreferredUsername: name, InboxURL: "https://" + host + "/users/" + name + "/inbox",
		SharedInboxURL: "https://" + host + "/inbox", FetchedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SaveFollow(ctx, model.Follow{GroupID: f.group.ID, RemoteActorID: actor.ID,
		FollowActivityIRI: "https://" + host + "/follows/" + name, State: model.FollowAccepted}); err != nil {
		t.Fatal(err)
	}
	return actor
}

// sent is an activity queued for delivery, read back from the outbox tables.
type sent struct {
	Type  string
	Inbox string
	Doc   map[string]any
}

// sentOfType lists the queued deliveries of activities of one type.
func (f *banFixture) sentOfType(t *testing.T, activityType string) []sent {
	t.Helper()
	var rows []struct {
		ActivityType string
		Body         string
		InboxURL     string
	}
	err := f.st.DB().Table("deliveries").Select("outbound_activities.activity_type, outbound_activities.body, deliveries.inbox_url").
		Joins("JOIN outbound_activities ON outbound_activities.id = deliveries.outbound_activity_id").
		Where("outbound_activities.activity_type = ?", activityType).Order("deliveries.created_at").Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	out := make([]sent, len(rows))
	for i, r := range rows {
		out[i] = sent{Type: r.ActivityType, Inbox: r.InboxURL}
		if err := json.Unmarshal([]byte(r.Body), &out[i].Doc); err != nil {
			t.Fatalf("%s: %v", r.Body, err)
		}
	}
	return out
}

func (f *banFixture) logged(t *testing.T, action model.LogAction) []model.ModerationAction {
	t.Helper()
	var rows []model.ModerationAction
	if err := f.st.DB().Where("action = ?", action).Order("created_at").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestBanSendsBlockAndUnbanUndoesIt: a ban records the ban with its Block's id, deletes the follow,
// sends Block{member} from the group to the member's own inbox (not to followers), removes their
// visible posts with Undo{Announce}, and logs it; the unban sends Undo of that very Block.
func TestBanSendsBlockAndUnbanUndoesIt(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newBanFixture(t, st)
		staff := (*string)(nil)
		result, err := f.members.Ban(ctx, moderation.MemberDecision{Group: f.group, ActorIRI: f.alice.IRI, StaffID: staff, Reason: "spam"}, true)
		if err != nil {
			t.Fatal(err)
		}
		if result.RemovedPosts != 2 || result.Ban.Reason != "spam" || result.Ban.BlockActivityIRI == "" {
			t.Errorf("ban result: %+v", result)
		}
		if banned, err := st.IsBanned(ctx, f.group.ID, f.alice.ID); err != nil || !banned {
			t.Errorf("banned: %t %v", banned, err)
		}
		if _, err := st.FollowOf(ctx, f.group.ID, f.alice.ID); err == nil {
			t.Error("the banned member's follow must be gone")
		}
		blocks := f.sentOfType(t, "Block")
		if len(blocks) != 1 {
			t.Fatalf("Blocks queued: %+v", blocks)
		}
		block := blocks[0]
		if block.Inbox != f.alice.InboxURL || block.Doc["id"] != result.Ban.BlockActivityIRI || block.Doc["actor"] != f.groupIRI ||
			block.Doc["object"] != f.alice.IRI || block.Doc["to"] != f.alice.IRI || block.Doc["cc"] != nil {
			t.Errorf("Block shape: %+v to %s", block.Doc, block.Inbox)
		}
		if undos := f.sentOfType(t, "Undo"); len(undos) != 2 {
			t.Errorf("each removed post's Announce must be undone: %d Undo", len(undos))
		}
		for _, p := range f.posts {
			if post, err := st.PostByID(ctx, p.ID); err != nil {
				t.Fatal(err)
			} else if post.State != model.PostRemoved || post.RemovedReason != "spam" {
				t.Errorf("post %s: %s %q", p.ID, post.State, post.RemovedReason)
			}
		}
		bans := f.logged(t, model.ActionMemberBan)
		if len(bans) != 1 || bans[0].TargetID != f.alice.IRI || bans[0].Reason != "spam" || *bans[0].GroupID != f.group.ID {
			t.Errorf("ban log: %+v", bans)
		}
		if n := len(f.logged(t, model.ActionPostRemove)); n != 2 {
			t.Errorf("post removals logged: %d", n)
		}
		if _, err := f.members.Ban(ctx, moderation.MemberDecision{Group: f.group, ActorIRI: f.alice.IRI}, false); err == nil {
			t.Error("banning twice must be refused")
		}

		if err := f.members.Unban(ctx, moderation.MemberDecision{Group: f.group, ActorIRI: f.alice.IRI, Reason: "appealed"}); err != nil {
			t.Fatal(err)
		}
		if banned, err := st.IsBanned(ctx, f.group.ID, f.alice.ID); err != nil {
			t.Fatal(err)
		} else if banned {
			t.Error("still banned after unban")
		}
		var undoBlock *sent
		for _, s := range f.sentOfType(t, "Undo") {
			if object, _ := s.Doc["object"].(map[string]any); object["type"] == "Block" {
				undoBlock = &s
			}
		}
		if undoBlock == nil || undoBlock.Inbox != f.alice.InboxURL || undoBlock.Doc["actor"] != f.groupIRI || undoBlock.Doc["to"] != f.alice.IRI {
			t.Fatalf("Undo{Block}: %+v", undoBlock)
		}
		embedded := undoBlock.Doc["object"].(map[string]any)
		if embedded["id"] != result.Ban.BlockActivityIRI || embedded["actor"] != f.groupIRI || embedded["object"] != f.alice.IRI {
			t.Errorf("the Undo must embed the recorded Block: %+v", embedded)
		}
		if unbans := f.logged(t, model.ActionMemberUnban); len(unbans) != 1 || unbans[0].Reason != "appealed" {
			t.Errorf("unban log: %+v", unbans)
		}
		if err := f.members.Unban(ctx, moderation.MemberDecision{Group: f.group, ActorIRI: f.alice.IRI}); err == nil {
			t.Error("unbanning someone not banned must be refused")
		}
	})
}

// TestRemoveRejectsTheFollow: removing a member deletes the follow and sends Reject of their Follow
// (embedded, with its id) to their inbox; they are not banned.
func TestRemoveRejectsTheFollow(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newBanFixture(t, st)
		if err := f.members.Remove(ctx, moderation.MemberDecision{Group: f.group, ActorIRI: f.bob.IRI, Reason: "left the org"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.FollowOf(ctx, f.group.ID, f.bob.ID); err == nil {
			t.Error("the removed member's follow must be gone")
		}
		if banned, err := st.IsBanned(ctx, f.group.ID, f.bob.ID); err != nil {
			t.Fatal(err)
		} else if banned {
			t.Error("removing is not banning")
		}
		rejects := f.sentOfType(t, "Reject")
		if len(rejects) != 1 || rejects[0].Inbox != f.bob.InboxURL || rejects[0].Doc["actor"] != f.groupIRI {
			t.Fatalf("Reject: %+v", rejects)
		}
		if follow, _ := rejects[0].Doc["object"].(map[string]any); follow["type"] != "Follow" || follow["id"] != "https://b.example/follows/bob" {
			t.Errorf("the Reject must embed bob's Follow: %+v", rejects[0].Doc)
		}
		if removed := f.logged(t, model.ActionMemberRemove); len(removed) != 1 || removed[0].Reason != "left the org" {
			t.Errorf("remove log: %+v", removed)
		}
		if err := f.members.Remove(ctx, moderation.MemberDecision{Group: f.group, ActorIRI: f.bob.IRI}); err == nil {
			t.Error("removing someone who no longer follows must be refused")
		}
	})
}
