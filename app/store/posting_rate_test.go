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

// The posting-rate counts read only the posts they count: a new post's check costs the same whether
// the table holds a day or years of posts, and however busy other hosts are; a host past its limit
// is counted only up to it.
func TestPostingRateCountsReadOnlyTheirOwnPosts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	org, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "acme", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	group, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: "lobby", Name: "Lobby", PostingPolicy: model.PostingAnyone})
	if err != nil {
		t.Fatal(err)
	}
	actorOf := func(host string, n int) model.RemoteActor {
		iri := fmt.Sprintf("https://%s/users/%d", host, n)
		actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: iri, Host: host, ActorType: "Person", InboxURL: iri + "/inbox", FetchedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return actor
	}
	// quiet.example: 200 actors, 3 posts in the window and 2,000 from last year; busy.example: 5,000
	// posts in the window. Old and busy rows go in with one statement each.
	var quiet []model.RemoteActor
	for n := range 200 {
		quiet = append(quiet, actorOf("quiet.example", n))
	}
	busy := actorOf("busy.example", 0)
	now := time.Now().UTC()
	for i, actor := range quiet[:3] {
		if _, err := st.CreatePost(ctx, model.Post{GroupID: group.ID, ObjectIRI: fmt.Sprintf("%s/statuses/%d", actor.IRI, i),
			AuthorKind: model.AuthorRemote, AuthorActorID: &actor.ID, State: model.PostVisible, Visibility: model.VisibilityPublic}); err != nil {
			t.Fatal(err)
		}
	}
	fill := `INSERT INTO posts (id, group_id, object_iri, author_kind, author_actor_id, author_host, object_type, content_html,
		summary, url, in_reply_to_iri, context_iri, thread_root_iri, visibility, state, published_at, create_activity_iri,
		activity_json, reach, like_count, removed_reason, created_at, updated_at)
		SELECT gen_random_uuid()::text, ?, ? || n, 'remote', ?, ?, 'Note', '', '', '', '', '', '', 'public', 'visible', ?, '', '',
		'followers', 0, '', ?, ?
		FROM generate_series(1, ?) AS n`
	lastYear := now.AddDate(-1, 0, 0)
	if err := st.DB().Exec(fill, group.ID, "https://quiet.example/old/", quiet[3].ID, "quiet.example", lastYear, lastYear, lastYear, 2000).Error; err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Exec(fill, group.ID, "https://busy.example/statuses/", busy.ID, "busy.example", now, now, now, 5000).Error; err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Exec("ANALYZE posts; ANALYZE remote_actors").Error; err != nil {
		t.Fatal(err)
	}

	since := now.Add(-10 * time.Minute)
	for _, tc := range []struct {
		name        string
		actor, host string
		upTo, want  store.PostingCounts
	}{
		{"an actor's and quiet.example's posts", quiet[0].ID, "quiet.example", store.PostingCounts{ByActor: 20, ByHost: 300}, store.PostingCounts{ByActor: 1, ByHost: 3}},
		// busy.example is over its limit: the count stops there instead of reading its 5,000 posts.
		{"busy.example's posts, up to its limit", busy.ID, "busy.example", store.PostingCounts{ByActor: 20, ByHost: 300}, store.PostingCounts{ByActor: 20, ByHost: 300}},
	} {
		// A submission reads the counts with the author's standing, in one statement.
		author := model.RemoteActor{ID: tc.actor, Host: tc.host, IRI: "https://" + tc.host + "/users/author"}
		recorder := testenv.RecordStatements(t, st)
		var (
			got      store.PostingCounts
			standing store.PostStanding
			countErr error
		)
		statements := recorder.During(func() {
			standing, got, countErr = st.PostStandingCounting(ctx, group, author, author.IRI+"/statuses/new",
				store.RecentPostsQuery{Since: since, UpTo: tc.upTo})
		})
		if countErr != nil || got != tc.want {
			t.Fatalf("%s: %+v (%v), want %+v", tc.name, got, countErr, tc.want)
		}
		if alone, err := st.PostStandingOf(ctx, group, author, author.IRI+"/statuses/new"); err != nil || standing != alone {
			t.Errorf("%s, the standing read with the counts: %+v (%v); want %+v, as read alone", tc.name, standing, err, alone)
		}
		conn := testenv.Conn(t, st)
		for _, s := range statements {
			var read float64
			testenv.Explain(t, conn, s, true).Walk(func(n testenv.PlanNode) {
				if n.RelationName != "" {
					read += n.ActualRows * n.ActualLoops
				}
			})
			if read > float64(tc.want.ByActor+tc.want.ByHost)+2 {
				t.Errorf("%s: counting %+v posts read %.0f rows:\n%s", tc.name, got, read, s.SQL)
			}
		}
	}
}
