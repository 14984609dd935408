package membership_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/membership"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// recordingResponder notes the answers the service asks federation to send.
type recordingResponder struct {
	mu      sync.Mutex
	answers []string
	fail    bool
}

func (r *recordingResponder) AcceptFollow(_ context.Context, _ *store.Store, g model.Group, f model.Follow, a model.RemoteActor) error {
	return r.note("accept", g, f, a)
}

func (r *recordingResponder) RejectFollow(_ context.Context, _ *store.Store, g model.Group, f model.Follow, a model.RemoteActor) error {
	return r.note("reject", g, f, a)
}

func (r *recordingResponder) note(kind string, g model.Group, f model.Follow, a model.RemoteActor) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("queue unavailable")
	}
	r.answers = append(r.answers, kind+" "+g.Slug+" "+a.PreferredUsername+" "+f.FollowActivityIRI)
	return nil
}

type fixture struct {
	st        *store.Store
	service   *membership.Service
	responder *recordingResponder
	open      model.Group
	approval  model.Group
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	g := testenv.Groups(t, st)
	open, err := g.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"})
	if err != nil {
		t.Fatal(err)
	}
	approval, err := g.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "inner", Name: "Inner", ApproveFollowers: true})
	if err != nil {
		t.Fatal(err)
	}
	responder := &recordingResponder{}
	return &fixture{st: st, service: membership.NewService(st, responder), responder: responder, open: open, approval: approval}
}

func (f *fixture) actor(t *testing.T, name, host string) model.RemoteActor {
	t.Helper()
	now := time.Now().UTC()
	actor := model.RemoteActor{ID: model.NewID(), IRI: "https://" + host + "/users/" + name, Host: host, ActorType: "Person",
		PreferredUsername: name, InboxURL: "https://" + host + "/users/" + name + "/inbox", FetchedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := f.st.DB().Create(&actor).Error; err != nil {
		t.Fatal(err)
	}
	return actor
}

func TestFollowsOfAnOpenGroupAreAccepted(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		ctx := context.Background()
		alice := f.actor(t, "alice", "a.example")
		for i, followIRI := range []string{"https://a.example/follows/1", "https://a.example/follows/2"} {
			decision, err := f.service.ReceiveFollow(ctx, f.open, alice, followIRI)
			if err != nil || decision != membership.Accepted {
				t.Fatalf("follow %d: %s, %v", i, decision, err)
			}
		}
		// A repeated Follow within the hour is not answered again, and leaves one follow.
		want := []string{"accept lobby alice https://a.example/follows/1"}
		if len(f.responder.answers) != 1 || f.responder.answers[0] != want[0] {
			t.Fatalf("answers %q, want %q", f.responder.answers, want)
		}
		// An hour after the answer, a repeated Follow is answered again, echoing its new id.
		if err := st.DB().Model(&model.Follow{}).Where("group_id = ?", f.open.ID).
			Update("updated_at", time.Now().Add(-membership.RepeatAnswerInterval-time.Minute)).Error; err != nil {
			t.Fatal(err)
		}
		if decision, err := f.service.ReceiveFollow(ctx, f.open, alice, "https://a.example/follows/3"); err != nil || decision != membership.Accepted {
			t.Fatalf("follow after the hour: %s, %v", decision, err)
		}
		want = append(want, "accept lobby alice https://a.example/follows/3")
		if len(f.responder.answers) != 2 || f.responder.answers[1] != want[1] {
			t.Fatalf("answers %q, want %q", f.responder.answers, want)
		}
		follows, err := f.service.Follows(ctx, "lobby", model.FollowAccepted)
		if err != nil || len(follows) != 1 || follows[0].Actor.IRI != alice.IRI {
			t.Fatalf("follows %+v, %v", follows, err)
		}
		removed, err := f.service.Unfollow(ctx, f.open, alice)
		if err != nil || !removed {
			t.Fatalf("unfollow: %t %v", removed, err)
		}
		if follows, err := f.service.Follows(ctx, "lobby", ""); err != nil {
			t.Fatal(err)
		} else if len(follows) != 0 {
			t.Fatalf("follow left after unfollow: %+v", follows)
		}
	})
}

func TestApprovalGroupsHoldFollowsForModerators(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		ctx := context.Background()
		bob := f.actor(t, "bob", "b.example")
		carol := f.actor(t, "carol", "c.example")
		for _, actor := range []model.RemoteActor{bob, carol} {
			decision, err := f.service.ReceiveFollow(ctx, f.approval, actor, actor.IRI+"#follow")
			if err != nil || decision != membership.Pending {
				t.Fatalf("follow by %s: %s, %v", actor.PreferredUsername, decision, err)
			}
		}
		if len(f.responder.answers) != 0 {
			t.Fatalf("a held request must not be answered yet: %q", f.responder.answers)
		}
		pending, err := f.service.Follows(ctx, "inner", model.FollowPending)
		if err != nil || len(pending) != 2 {
			t.Fatalf("pending: %+v %v", pending, err)
		}
		if err := f.service.Approve(ctx, "inner", bob.IRI, nil); err != nil {
			t.Fatal(err)
		}
		if err := f.service.Reject(ctx, "inner", carol.IRI, nil); err != nil {
			t.Fatal(err)
		}
		if err := f.service.Approve(ctx, "inner", bob.IRI, nil); err != nil { // settled already: no second answer
			t.Fatal(err)
		}
		want := []string{"accept inner bob " + bob.IRI + "#follow", "reject inner carol " + carol.IRI + "#follow"}
		if len(f.responder.answers) != 2 || f.responder.answers[0] != want[0] || f.responder.answers[1] != want[1] {
			t.Fatalf("answers %q, want %q", f.responder.answers, want)
		}
		// Each answer is logged once, about the follower, in the name of who gave it.
		for action, actor := range map[model.LogAction]model.RemoteActor{model.ActionFollowApprove: bob, model.ActionFollowReject: carol} {
			entries, err := st.ModerationLog(ctx, store.ModerationLogFilter{GroupID: f.approval.ID, Action: action})
			if err != nil || len(entries) != 1 || entries[0].TargetID != actor.IRI || entries[0].StaffAccountID != nil ||
				!strings.Contains(entries[0].Metadata, "@"+actor.PreferredUsername+"@") {
				t.Fatalf("log of %s: %+v %v, want one entry about %s by Kring", action, entries, err, actor.IRI)
			}
		}
		err = f.service.Approve(ctx, "inner", carol.IRI, nil)
		if apperror.KindOf(err) != apperror.KindConflict {
			t.Fatalf("approving a rejected request: %v, want a conflict", err)
		}
		// An accepted follower following again is answered at once.
		decision, err := f.service.ReceiveFollow(ctx, f.approval, bob, bob.IRI+"#again")
		if err != nil || decision != membership.Accepted {
			t.Fatalf("refollow by an accepted member: %s %v", decision, err)
		}
		for _, tc := range []struct{ group, actor string }{{"nope", bob.IRI}, {"inner", "https://x.example/users/nobody"}} {
			if err := f.service.Approve(ctx, tc.group, tc.actor, nil); apperror.KindOf(err) != apperror.KindNotFound {
				t.Errorf("approve %s in %s: %v, want not found", tc.actor, tc.group, err)
			}
		}
	})
}

func TestBannedAndBlockedFollowersAreRejected(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		ctx := context.Background()
		troll := f.actor(t, "troll", "t.example")
		spammer := f.actor(t, "spam", "social.spam.example")
		if err := st.DB().Create(&model.GroupBan{ID: model.NewID(), GroupID: f.open.ID, RemoteActorID: troll.ID, CreatedAt: time.Now().UTC()}).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateDomainBlock(ctx, model.DomainBlock{Domain: "spam.example", OrganisationID: &f.open.OrganisationID, Severity: model.SeveritySuspend}); err != nil {
			t.Fatal(err)
		}
		for actor, want := range map[model.RemoteActor]membership.Decision{troll: membership.Rejected, spammer: membership.Dropped} {
			decision, err := f.service.ReceiveFollow(ctx, f.open, actor, actor.IRI+"#follow")
			if err != nil || decision != want {
				t.Errorf("follow by %s: %s %v, want %s", actor.PreferredUsername, decision, err, want)
			}
		}
		// The banned member is told; the suspended server hears nothing and nothing of it is kept.
		if len(f.responder.answers) != 1 || !strings.HasPrefix(f.responder.answers[0], "reject lobby troll ") {
			t.Fatalf("answers %q, want only the troll's Reject", f.responder.answers)
		}
		if _, err := st.FollowOf(ctx, f.open.ID, spammer.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("follow of a suspended domain's actor recorded: %v", err)
		}
		if accepted, err := f.service.Follows(ctx, "lobby", model.FollowAccepted); err != nil {
			t.Fatal(err)
		} else if len(accepted) != 0 {
			t.Fatalf("rejected followers became members: %+v", accepted)
		}
	})
}

// When the answer cannot be queued, the follow is not recorded either: both or neither.
func TestFollowAndAnswerCommitTogether(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.responder.fail = true
		alice := f.actor(t, "alice", "a.example")
		if _, err := f.service.ReceiveFollow(context.Background(), f.open, alice, "https://a.example/f/1"); err == nil {
			t.Fatal("want the responder's failure")
		}
		if follows, err := f.service.Follows(context.Background(), "lobby", ""); err != nil {
			t.Fatal(err)
		} else if len(follows) != 0 {
			t.Fatalf("follow committed without its answer: %+v", follows)
		}
	})
}

// The same Follow sent many times at once, as a flooding server would, is answered once.
func TestConcurrentRepeatedFollowsAreAnsweredOnce(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		alice := f.actor(t, "alice", "a.example")
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.service.ReceiveFollow(context.Background(), f.open, alice, fmt.Sprintf("https://a.example/follows/%d", i)); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if len(f.responder.answers) != 1 {
			t.Fatalf("%d answers to 50 repeated Follows, want 1: %q", len(f.responder.answers), f.responder.answers)
		}
	})
}
