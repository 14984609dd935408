package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestBatchQueriesAgreeWithSingleOnes: the admin's page-at-once queries answer what the queries of
// one group, actor or host answer, for each.
func TestBatchQueriesAgreeWithSingleOnes(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		var orgs []model.Organisation
		for _, slug := range []string{"acme", "other"} {
			org, err := st.CreateOrganisation(ctx, model.Organisation{Slug: slug, Name: slug})
			if err != nil {
				t.Fatal(err)
			}
			orgs = append(orgs, org)
		}
		var groups []model.Group
		for i, slug := range []string{"b-lobby", "a-desk", "quiet", "away"} {
			org := orgs[0]
			if i == 3 {
				org = orgs[1]
			}
			g, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: slug, Name: slug, PostingPolicy: model.PostingFollowers})
			if err != nil {
				t.Fatal(err)
			}
			groups = append(groups, g)
		}
		var actors []model.RemoteActor
		for i, host := range []string{"social.example", "a.b.example", "b.example", "other.test"} {
			iri := fmt.Sprintf("https://%s/users/%d", host, i)
			actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: iri, Host: host, ActorType: "Person", InboxURL: iri + "/inbox", FetchedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			actors = append(actors, actor)
		}
		// lobby: 3 followers, 1 request, 2 held posts, 1 visible, 2 open reports and 1 resolved;
		// desk: 1 request and 1 held post; quiet: nothing; away: 1 follower.
		follow := func(g model.Group, a model.RemoteActor, state model.FollowState) {
			if _, err := st.SaveFollow(ctx, model.Follow{GroupID: g.ID, RemoteActorID: a.ID, FollowActivityIRI: a.IRI + "/f/" + g.Slug, State: state}); err != nil {
				t.Fatal(err)
			}
		}
		follow(groups[0], actors[0], model.FollowAccepted)
		follow(groups[0], actors[1], model.FollowAccepted)
		follow(groups[0], actors[2], model.FollowAccepted)
		follow(groups[0], actors[3], model.FollowPending)
		follow(groups[1], actors[0], model.FollowPending)
		follow(groups[1], actors[1], model.FollowRejected)
		follow(groups[3], actors[0], model.FollowAccepted)
		post := func(g model.Group, a model.RemoteActor, n int, state model.PostState) {
			_, err := st.CreatePost(ctx, model.Post{GroupID: g.ID, ObjectIRI: fmt.Sprintf("%s/notes/%s-%d", a.IRI, g.Slug, n),
				AuthorKind: model.AuthorRemote, AuthorActorID: &a.ID, ObjectType: "Note", Visibility: model.VisibilityPublic,
				State: state, PublishedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
		}
		post(groups[0], actors[0], 1, model.PostHeld)
		post(groups[0], actors[1], 2, model.PostHeld)
		post(groups[0], actors[1], 3, model.PostVisible)
		post(groups[1], actors[2], 4, model.PostHeld)
		for _, status := range []model.ReportStatus{model.ReportOpen, model.ReportOpen, model.ReportResolved} {
			if _, err := st.CreateReport(ctx, model.Report{OrganisationID: orgs[0].ID, GroupID: &groups[0].ID, Source: model.ReportFromStaff,
				TargetActorID: &actors[0].ID, TargetPostIRIs: "[]", Status: status}); err != nil {
				t.Fatal(err)
			}
		}

		ids := []string{groups[0].ID, groups[1].ID, groups[2].ID, groups[3].ID}
		counts, err := st.CountsOfGroups(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			var want store.GroupCounts
			var errs [4]error
			want.Followers, errs[0] = st.CountFollowers(ctx, g.ID)
			want.FollowRequests, errs[1] = st.CountFollowsInState(ctx, g.ID, model.FollowPending)
			want.HeldPosts, errs[2] = st.CountPosts(ctx, g.ID, model.PostHeld)
			want.OpenReports, errs[3] = st.CountOpenReports(ctx, g.ID)
			if err := errors.Join(errs[:]...); err != nil {
				t.Fatal(err)
			}
			if got, ok := counts[g.ID]; !ok || got != want {
				t.Errorf("counts of %s: got %+v (%t), want %+v", g.Slug, got, ok, want)
			}
		}
		if want := (store.GroupCounts{Followers: 3, FollowRequests: 1, HeldPosts: 2, OpenReports: 2}); counts[groups[0].ID] != want {
			t.Errorf("counts of lobby: %+v, want %+v", counts[groups[0].ID], want)
		}
		if none, err := st.CountsOfGroups(ctx, nil); err != nil || len(none) != 0 {
			t.Errorf("counts of no groups: %v, %v", none, err)
		}

		slugs := func(scope store.GroupScope) []string {
			found, err := st.GroupsInScope(ctx, scope)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, g := range found {
				out = append(out, g.OrganisationSlug+"/"+g.Slug)
			}
			return out
		}
		for _, tc := range []struct {
			name  string
			scope store.GroupScope
			want  []string
		}{
			{"all", store.GroupScope{All: true}, []string{"acme/a-desk", "acme/b-lobby", "acme/quiet", "other/away"}},
			{"nothing", store.GroupScope{}, nil},
			{"one organisation", store.GroupScope{OrganisationIDs: []string{orgs[0].ID}}, []string{"acme/a-desk", "acme/b-lobby", "acme/quiet"}},
			{"single groups", store.GroupScope{GroupIDs: []string{groups[3].ID, groups[0].ID}}, []string{"acme/b-lobby", "other/away"}},
			{"both", store.GroupScope{OrganisationIDs: []string{orgs[1].ID}, GroupIDs: []string{groups[2].ID, groups[3].ID}},
				[]string{"acme/quiet", "other/away"}},
		} {
			if got := slugs(tc.scope); !slices.Equal(got, tc.want) {
				t.Errorf("scope %s: got %q, want %q", tc.name, got, tc.want)
			}
		}

		found, err := st.RemoteActorsByIDs(ctx, []string{actors[2].ID, actors[0].ID, actors[2].ID})
		if err != nil || len(found) != 2 || found[actors[0].ID].IRI != actors[0].IRI || found[actors[2].ID].Host != "b.example" {
			t.Errorf("actors by ids: %+v, %v", found, err)
		}
		if _, err := st.RemoteActorsByIDs(ctx, []string{actors[1].ID, model.NewID()}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an unknown actor: got %v, want ErrNotFound", err)
		}

		for _, block := range []model.DomainBlock{
			{Domain: "example", Severity: model.SeveritySilence},
			{OrganisationID: &orgs[0].ID, Domain: "b.example", Severity: model.SeveritySuspend},
			{OrganisationID: &orgs[1].ID, Domain: "b.example", Severity: model.SeveritySilence},
			{OrganisationID: &orgs[0].ID, Domain: "social.example", Severity: model.SeveritySilence},
			{OrganisationID: &orgs[1].ID, Domain: "other.test", Severity: model.SeveritySuspend},
		} {
			if _, err := st.CreateDomainBlock(ctx, block); err != nil {
				t.Fatal(err)
			}
		}
		hosts := []string{"social.example", "a.b.example", "b.example", "other.test", "unblocked.test", "a.b.example"}
		for _, org := range []string{"", orgs[0].ID, orgs[1].ID} {
			covering, err := st.DomainBlocksForHosts(ctx, hosts, org)
			if err != nil {
				t.Fatal(err)
			}
			for _, host := range hosts {
				want, err := st.DomainBlocksFor(ctx, host, org)
				if err != nil {
					t.Fatal(err)
				}
				got, ok := covering[host]
				if ok != (len(want) > 0) || !reflect.DeepEqual(blockIDs(got), blockIDs(want)) {
					t.Errorf("blocks of %s for organisation %q: got %v (%t), want %v", host, org, blockIDs(got), ok, blockIDs(want))
				}
			}
		}
	})
}

func blockIDs(blocks []model.DomainBlock) []string {
	var out []string
	for _, b := range blocks {
		out = append(out, b.Domain+"@"+b.ID)
	}
	return out
}
