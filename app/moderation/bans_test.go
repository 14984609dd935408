package moderation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// fakeBans notes what the member decisions ask federation to send, or fails when told to.
type fakeBans struct {
	sent []string
	fail bool
}

func (f *fakeBans) note(what string) error {
	if f.fail {
		return errors.New("queue unavailable")
	}
	f.sent = append(f.sent, what)
	return nil
}

func (f *fakeBans) Block(_ context.Context, _ *store.Store, g model.Group, m model.RemoteActor) (string, error) {
	return "https://kring.example/activities/block-" + m.PreferredUsername, f.note("block " + g.Slug + " " + m.PreferredUsername)
}

func (f *fakeBans) UndoBlock(_ context.Context, _ *store.Store, g model.Group, m model.RemoteActor, ban model.GroupBan) error {
	return f.note("undo " + ban.BlockActivityIRI)
}

func (f *fakeBans) RejectFollow(_ context.Context, _ *store.Store, g model.Group, follow model.Follow, m model.RemoteActor) error {
	return f.note("reject " + follow.FollowActivityIRI)
}

// fakeRemover removes posts by marking them removed; the ids in conflict answer as a post that is no
// longer visible would.
type fakeRemover struct {
	st       *store.Store
	conflict map[string]bool
	removed  []string
}

func (r *fakeRemover) Remove(ctx context.Context, postID string, _ *string, reason string) (model.Post, error) {
	if r.conflict[postID] {
		return model.Post{}, apperror.Conflict("state", "post is removed, not visible")
	}
	r.removed = append(r.removed, postID)
	return model.Post{}, r.st.UpdatePost(ctx, postID, store.PostChange{State: store.To(model.PostRemoved), RemovedReason: store.To(reason)})
}

type membersFixture struct {
	st      *store.Store
	fed     *fakeBans
	posts   *fakeRemover
	members *moderation.Members
	group   model.Group
	alice   model.RemoteActor
}

func newMembersFixture(t *testing.T, st *store.Store) *membersFixture {
	t.Helper()
	ctx := context.Background()
	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	group, err := testenv.Groups(t, st).CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"})
	if err != nil {
		t.Fatal(err)
	}
	alice, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://a.example/users/alice", Host: "a.example",
		ActorType: "Person", PreferredUsername: "alice", InboxURL: "https://a.example/users/alice/inbox", FetchedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	fed, posts := &fakeBans{}, &fakeRemover{st: st, conflict: map[string]bool{}}
	return &membersFixture{st: st, fed: fed, posts: posts, members: moderation.NewMembers(st, fed, posts), group: group, alice: alice}
}

func (f *membersFixture) follow(t *testing.T, state model.FollowState) {
	t.Helper()
	if _, err := f.st.SaveFollow(context.Background(), model.Follow{GroupID: f.group.ID, RemoteActorID: f.alice.ID,
		FollowActivityIRI: "https://a.example/follows/1", State: state}); err != nil {
		t.Fatal(err)
	}
}

func (f *membersFixture) post(t *testing.T, n string, state model.PostState) model.Post {
	t.Helper()
	post, err := f.st.CreatePost(context.Background(), model.Post{GroupID: f.group.ID, ObjectIRI: "https://a.example/notes/" + n,
		AuthorKind: model.AuthorRemote, AuthorActorID: &f.alice.ID, ObjectType: "Note", Visibility: model.VisibilityPublic,
		State: state, PublishedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return post
}

// TestBanIsAllOrNothing: when the Block cannot be queued, nothing of the ban is kept: no ban, the
// follow still there, nothing of it in the moderation log.
func TestBanIsAllOrNothing(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newMembersFixture(t, st)
		f.follow(t, model.FollowAccepted)
		f.fed.fail = true
		if _, err := f.members.Ban(ctx, moderation.MemberDecision{Group: f.group, ActorIRI: f.alice.IRI, Reason: "spam"}, false); err == nil {
			t.Fatal("the ban must fail with its Block")
		}
		if banned, err := st.IsBanned(ctx, f.group.ID, f.alice.ID); err != nil {
			t.Fatal(err)
		} else if banned {
			t.Error("ban kept without its Block")
		}
		if _, err := st.FollowOf(ctx, f.group.ID, f.alice.ID); err != nil {
			t.Errorf("follow lost: %v", err)
		}
		if log, err := st.ModerationLog(ctx, store.ModerationLogFilter{GroupID: f.group.ID}); err != nil {
			t.Fatal(err)
		} else if len(log) != 1 || log[0].Action != model.ActionGroupCreate {
			t.Errorf("only the group's creation may be logged: %+v", log)
		}
	})
}

// TestBanRemovesOnlyVisiblePosts: held and already-removed posts stay as they are, and a post that
// stops being visible while the ban runs is skipped, not an error.
func TestBanRemovesOnlyVisiblePosts(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newMembersFixture(t, st)
		f.follow(t, model.FollowPending)
		visible, raced := f.post(t, "1", model.PostVisible), f.post(t, "2", model.PostVisible)
		held := f.post(t, "3", model.PostHeld)
		f.posts.conflict[raced.ID] = true
		result, err := f.members.Ban(ctx, moderation.MemberDecision{Group: f.group, ActorIRI: f.alice.IRI, Reason: "spam"}, true)
		if err != nil {
			t.Fatal(err)
		}
		if result.RemovedPosts != 1 || len(f.posts.removed) != 1 || f.posts.removed[0] != visible.ID {
			t.Errorf("removed %d: %v", result.RemovedPosts, f.posts.removed)
		}
		if post, err := st.PostByID(ctx, held.ID); err != nil {
			t.Fatal(err)
		} else if post.State != model.PostHeld {
			t.Errorf("held post became %s", post.State)
		}
		if _, err := st.FollowOf(ctx, f.group.ID, f.alice.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a pending follow request goes with the ban too: %v", err)
		}
		if len(f.fed.sent) != 1 || f.fed.sent[0] != "block lobby alice" {
			t.Errorf("sent: %v", f.fed.sent)
		}
	})
}

// TestMemberDecisionsRefuse: what cannot be done says why, with the kind the admin shows.
func TestMemberDecisionsRefuse(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newMembersFixture(t, st)
		decide := func(iri string) moderation.MemberDecision {
			return moderation.MemberDecision{Group: f.group, ActorIRI: iri}
		}
		f.follow(t, model.FollowPending)
		for _, tc := range []struct {
			name string
			run  func() error
			want apperror.Kind
		}{
			{"ban unknown actor", func() error {
				_, err := f.members.Ban(ctx, decide("https://x.example/users/nobody"), false)
				return err
			}, apperror.KindNotFound},
			{"remove a pending request", func() error { return f.members.Remove(ctx, decide(f.alice.IRI)) }, apperror.KindConflict},
			{"remove a stranger", func() error { return f.members.Remove(ctx, decide("https://x.example/users/nobody")) }, apperror.KindNotFound},
			{"unban someone not banned", func() error { return f.members.Unban(ctx, decide(f.alice.IRI)) }, apperror.KindNotFound},
			{"reason too long", func() error {
				d := decide(f.alice.IRI)
				d.Reason = string(make([]byte, 2001))
				_, err := f.members.Ban(ctx, d, false)
				return err
			}, apperror.KindInvalid},
		} {
			if err := tc.run(); apperror.KindOf(err) != tc.want {
				t.Errorf("%s: %v (kind %v), want %v", tc.name, err, apperror.KindOf(err), tc.want)
			}
		}
		if len(f.fed.sent) != 0 {
			t.Errorf("refusals must send nothing: %v", f.fed.sent)
		}
	})
}
