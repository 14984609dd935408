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

// The one-round-trip standing must say what the separate reads it replaced said: bans in force
// only, accepted follows only, blocks of the host and its parents, instance-wide or the group's
// organisation's, by severity.
func TestAuthorStandingReadsBansFollowsAndBlocksTogether(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		other, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "other", Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		block := func(domain string, org *string, severity model.Severity) {
			if _, err := st.CreateDomainBlock(ctx, model.DomainBlock{Domain: domain, OrganisationID: org, Severity: severity}); err != nil {
				t.Fatal(err)
			}
		}
		block("spam.example", nil, model.SeveritySuspend)
		block("loud.example", &group.OrganisationID, model.SeveritySilence)
		block("rude.example", &other.ID, model.SeveritySuspend)

		plain, banned, expired, member, pending := newActorOn(t, st, "ok.example", "plain"), newActorOn(t, st, "ok.example", "banned"),
			newActorOn(t, st, "ok.example", "expired"), newActorOn(t, st, "ok.example", "member"), newActorOn(t, st, "ok.example", "pending")
		past := time.Now().Add(-time.Hour)
		for _, ban := range []model.GroupBan{{GroupID: group.ID, RemoteActorID: banned.ID},
			{GroupID: group.ID, RemoteActorID: expired.ID, ExpiresAt: &past}} {
			if _, err := st.CreateGroupBan(ctx, ban); err != nil {
				t.Fatal(err)
			}
		}
		for a, state := range map[model.RemoteActor]model.FollowState{member: model.FollowAccepted, pending: model.FollowPending} {
			if _, err := st.SaveFollow(ctx, model.Follow{GroupID: group.ID, RemoteActorID: a.ID, FollowActivityIRI: a.IRI + "#follow", State: state}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			actor model.RemoteActor
			want  store.AuthorStanding
		}{
			{plain, store.AuthorStanding{}},
			{banned, store.AuthorStanding{Banned: true}},
			{expired, store.AuthorStanding{}},
			{member, store.AuthorStanding{Member: true}},
			{pending, store.AuthorStanding{}},
			{newActorOn(t, st, "spam.example", "a"), store.AuthorStanding{Suspended: true}},
			{newActorOn(t, st, "social.spam.example", "a"), store.AuthorStanding{Suspended: true}},
			{newActorOn(t, st, "notspam.example", "a"), store.AuthorStanding{}},
			{newActorOn(t, st, "a.loud.example", "a"), store.AuthorStanding{Silenced: true}},
			{newActorOn(t, st, "rude.example", "a"), store.AuthorStanding{}}, // another organisation's block
		} {
			got, err := st.AuthorStandingIn(ctx, group, tc.actor)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s: standing %+v, want %+v", tc.actor.IRI, got, tc.want)
			}
		}
	})
}

// A direct message's standing is the author's (here: banned); it also finds the message when the
// inbox has it already and her latest conversation that is not closed, and counts her messages in
// the window up to the limit asked, not beyond it and not before the window.
func TestSupportStandingFindsRedeliveriesAndCountsUpToTheLimit(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		ann := newActorOn(t, st, "ok.example", "ann")
		iri := ann.IRI
		conversation, err := st.CreateSupportConversation(ctx, model.SupportConversation{GroupID: group.ID, RemoteActorID: ann.ID,
			Status: model.SupportNew, LastMessageAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for i := range 8 {
			at := now.Add(-time.Duration(i) * 10 * time.Minute) // 6 of them in the last hour
			object := fmt.Sprintf("%s/statuses/%d", iri, i)
			if _, _, err := st.AddSupportMessage(ctx, model.SupportMessage{ConversationID: conversation.ID, GroupID: group.ID,
				Kind: model.SupportFromMember, ObjectIRI: &object, CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		since := now.Add(-time.Hour + time.Minute)
		if _, err := st.CreateGroupBan(ctx, model.GroupBan{GroupID: group.ID, RemoteActorID: ann.ID}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			object        string
			upTo          int
			known         string
			sent          int64
			explainWanted string
		}{
			{iri + "/statuses/0", 20, conversation.ID, 6, "a redelivery"},
			{iri + "/statuses/new", 20, "", 6, "a new message"},
			{iri + "/statuses/new", 4, "", 4, "the count stops at its limit"},
		} {
			got, err := st.SupportStandingOf(ctx, group, ann, tc.object, since, tc.upTo)
			if err != nil {
				t.Fatal(err)
			}
			if got.KnownIn != tc.known || got.SentSince != tc.sent || got.AuthorStanding != (store.AuthorStanding{Banned: true}) ||
				got.LatestID != conversation.ID || got.LatestStatus != model.SupportNew {
				t.Errorf("%s: %+v, want known in %q, %d sent, her new conversation the latest", tc.explainWanted, got, tc.known, tc.sent)
			}
		}
		closed := model.SupportClosed
		if err := st.UpdateSupportConversation(ctx, conversation.ID, store.SupportChange{Status: &closed}); err != nil {
			t.Fatal(err)
		}
		if got, err := st.SupportStandingOf(ctx, group, ann, iri+"/statuses/new", since, 20); err != nil || got.LatestID != "" {
			t.Errorf("with her only conversation closed: %+v, %v; want no latest conversation", got, err)
		}
	})
}

// A post's standing is the author's (here: a member of a silenced domain), and it finds the group's
// post of the same object, which a redelivery must not store twice, in that group only, and whether
// the group has keyword filters to screen a new post with.
func TestPostStandingFindsTheGroupsPostOfTheObject(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		group := newLobby(t, st)
		other, err := st.CreateGroup(ctx, model.Group{OrganisationID: group.OrganisationID, Slug: "other", Name: "Other", PostingPolicy: model.PostingAnyone})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateDomainBlock(ctx, model.DomainBlock{Domain: "loud.example", Severity: model.SeveritySilence}); err != nil {
			t.Fatal(err)
		}
		ann := newActorOn(t, st, "loud.example", "ann")
		iri := ann.IRI
		if _, err := st.SaveFollow(ctx, model.Follow{GroupID: group.ID, RemoteActorID: ann.ID, FollowActivityIRI: iri + "#follow", State: model.FollowAccepted}); err != nil {
			t.Fatal(err)
		}
		object := iri + "/statuses/1"
		post, err := st.CreatePost(ctx, model.Post{GroupID: group.ID, ObjectIRI: object, AuthorKind: model.AuthorRemote, AuthorActorID: &ann.ID,
			State: model.PostVisible, Visibility: model.VisibilityPublic, Reach: model.ReachThread})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateKeywordFilter(ctx, model.KeywordFilter{GroupID: group.ID, Keyword: "raffle", Action: model.FilterHold}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			group  model.Group
			object string
			want   store.PostStanding
		}{
			{group, object, store.PostStanding{AuthorStanding: store.AuthorStanding{Member: true, Silenced: true}, KnownID: post.ID, KnownReach: model.ReachThread, Filtered: true}},
			{group, iri + "/statuses/2", store.PostStanding{AuthorStanding: store.AuthorStanding{Member: true, Silenced: true}, Filtered: true}},
			{other, object, store.PostStanding{AuthorStanding: store.AuthorStanding{Silenced: true}}},
		} {
			got, err := st.PostStandingOf(ctx, tc.group, ann, tc.object)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s in %s: %+v, want %+v", tc.object, tc.group.Slug, got, tc.want)
			}
		}
	})
}

// A standing reads its one optional row once for all the columns it wants of it (joinedOptionalRow):
// a direct message's, her latest open conversation, for its id and its status (PostgreSQL's plan
// scans support_conversations twice: that and the count of her messages this hour; three times when
// the id and the status were two subqueries); a post's, the group's post of the same object, for its
// id and its reach (posts scanned three times: that and the author's and her host's recent posts;
// four with a subquery each).
func TestStandingsReadTheirOptionalRowOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	group := newLobby(t, st)
	ann := newActorOn(t, st, "ok.example", "ann")
	if _, err := st.CreateSupportConversation(ctx, model.SupportConversation{GroupID: group.ID, RemoteActorID: ann.ID,
		Status: model.SupportOpen, LastMessageAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	recorder := testenv.RecordStatements(t, st)
	conn := testenv.Conn(t, st)
	for _, tc := range []struct {
		table string
		scans int
		read  func() error
	}{
		{"support_conversations", 2, func() error {
			_, err := st.SupportStandingOf(ctx, group, ann, ann.IRI+"/statuses/1", time.Now().Add(-time.Hour), 20)
			return err
		}},
		{"posts", 3, func() error {
			_, _, err := st.PostStandingCounting(ctx, group, ann, ann.IRI+"/statuses/2", store.RecentPostsQuery{
				Since: time.Now().Add(-time.Hour), UpTo: store.PostingCounts{ByActor: 20, ByHost: 300}})
			return err
		}},
	} {
		statements := recorder.During(func() {
			if err := tc.read(); err != nil {
				t.Fatal(err)
			}
		})
		if len(statements) != 1 {
			t.Fatalf("%d statements, want one", len(statements))
		}
		scans := 0
		testenv.Explain(t, conn, statements[0], false).Walk(func(n testenv.PlanNode) {
			if n.RelationName == tc.table {
				scans++
			}
		})
		if scans != tc.scans {
			t.Errorf("the standing scans %s %d times, want %d", tc.table, scans, tc.scans)
		}
	}
}
