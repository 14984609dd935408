// Package admin measures how fast the web admin renders its two busiest pages on PostgreSQL, fetched
// over real HTTP through the admin's own engine by an organisation admin who logged in through the
// login form:
//   - the dashboard, over 200 groups of the admin's organisation, each with followers, follow
//     requests, held posts and open reports (and 20 groups of another organisation it must not show);
//   - the pre-moderation queue of a group holding 100 posts by 100 authors on 25 servers, some of
//     them silenced, under 20 keyword filters, some of which hold.
//
// Each page reports its time in ms/page and its ratio to the 50 ms a page may take (below 1 is
// within the limit).
//
//	go test -run '^$' -bench . -benchtime 20x ./bench/admin
package admin

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/bench/benchadmin"
	"github.com/kring-social/kring/test/testenv"
)

// pageLimit is the time one admin page may take to render.
const pageLimit = 50 * time.Millisecond

// The fixture's size.
const (
	dashboardGroups = 200 // groups of the admin's organisation
	otherGroups     = 20  // groups of another organisation, not shown
	followersEach   = 10  // accepted follows per group
	requestsEach    = 2   // pending follows per group
	heldEach        = 3   // held posts per group
	reportsEach     = 2   // open reports per group
	queuePosts      = 100 // held posts in the queue's group
	authors         = 100
	servers         = 25
	filters         = 20
)

const (
	adminEmail = "admin@bench.test"
	password   = "correct horse battery staple"
)

func BenchmarkAdminPages(b *testing.B) {
	ctx := context.Background()
	st := testenv.PostgresAtFullSize(b)
	served := testenv.ServeEngine(b, web.Options{})
	orgs := organisations.NewServiceWith(st, organisations.Options{PasswordParams: organisations.TestPasswordParams()})
	benchadmin.Mount(b, st, orgs, served)
	seed(b, ctx, st, orgs)
	client := benchadmin.LogIn(b, served.Server.URL, adminEmail, password)

	pages := []struct {
		name, path string
		want       *regexp.Regexp
		count      int
	}{
		{"dashboard", "/admin", regexp.MustCompile(`<section class="card"`), dashboardGroups + 1}, // and the queue's group
		{"queue", "/admin/groups/queue/queue", regexp.MustCompile(`<tr id="post-`), queuePosts},
	}
	for _, page := range pages {
		b.Run(page.name, func(b *testing.B) {
			// The page is checked once, outside the timing: every group or post is on it.
			body := benchadmin.Get(b, client, served.Server.URL+page.path)
			if n := len(page.want.FindAllStringIndex(body, -1)); n != page.count {
				b.Fatalf("%s shows %d items, want %d", page.path, n, page.count)
			}
			b.ResetTimer()
			for range b.N {
				benchadmin.Get(b, client, served.Server.URL+page.path)
			}
			perPage := b.Elapsed() / time.Duration(b.N)
			ms := float64(perPage.Microseconds()) / 1000
			b.ReportMetric(ms, "ms/page")
			b.ReportMetric(float64(perPage)/float64(pageLimit), "ratio-to-50ms-limit")
			b.Logf("%s: %.2f ms per page over %d fetches, %.2f of the %s limit", page.path, ms, b.N,
				float64(perPage)/float64(pageLimit), pageLimit)
		})
	}
}

// seed writes the organisations, the admin, the groups and everything the two pages count or show.
func seed(b *testing.B, ctx context.Context, st *store.Store, orgs *organisations.Service) {
	bench, err := orgs.CreateOrganisation(ctx, "bench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	other, err := orgs.CreateOrganisation(ctx, "other", "Other")
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := orgs.CreateStaff(ctx, organisations.NewStaff{Email: adminEmail, Password: password,
		OrganisationSlug: "bench", Role: model.RoleAdmin}); err != nil {
		b.Fatal(err)
	}
	err = st.Transaction(ctx, func(tx *store.Store) error {
		actors, err := seedActors(ctx, tx)
		if err != nil {
			return err
		}
		for i := range dashboardGroups + otherGroups {
			org, slug := bench.ID, fmt.Sprintf("group-%03d", i)
			if i >= dashboardGroups {
				org, slug = other.ID, fmt.Sprintf("other-%03d", i)
			}
			group, err := tx.CreateGroup(ctx, model.Group{OrganisationID: org, Slug: slug, Name: "Group " + slug,
				PostingPolicy: model.PostingFollowers, Discoverable: true})
			if err != nil {
				return err
			}
			if err := seedGroup(ctx, tx, group, actors, i); err != nil {
				return err
			}
		}
		return seedQueue(ctx, tx, bench.ID, actors)
	})
	if err != nil {
		b.Fatal(err)
	}
}

func seedActors(ctx context.Context, tx *store.Store) ([]model.RemoteActor, error) {
	actors := make([]model.RemoteActor, authors)
	for i := range actors {
		host := fmt.Sprintf("s%d.example", i%servers)
		iri := fmt.Sprintf("https://%s/users/u%d", host, i)
		actor, err := tx.SaveRemoteActor(ctx, model.RemoteActor{IRI: iri, Host: host, ActorType: "Person",
			PreferredUsername: fmt.Sprintf("u%d", i), DisplayName: fmt.Sprintf("Person %d", i), InboxURL: iri + "/inbox",
			URL: iri, PublicKeyID: iri + "#main-key", FetchedAt: time.Now()})
		if err != nil {
			return nil, err
		}
		actors[i] = actor
	}
	return actors, nil
}

// seedGroup gives the n-th group its followers, follow requests, held posts and open reports.
func seedGroup(ctx context.Context, tx *store.Store, group model.Group, actors []model.RemoteActor, n int) error {
	for i := range followersEach + requestsEach {
		actor := actors[(n+i)%len(actors)]
		state := model.FollowAccepted
		if i >= followersEach {
			state = model.FollowPending
		}
		if _, err := tx.SaveFollow(ctx, model.Follow{GroupID: group.ID, RemoteActorID: actor.ID,
			FollowActivityIRI: fmt.Sprintf("%s/follows/%s", actor.IRI, group.Slug), State: state}); err != nil {
			return err
		}
	}
	for i := range heldEach {
		if _, err := tx.CreatePost(ctx, heldPost(group, actors[(n+i)%len(actors)], i)); err != nil {
			return err
		}
	}
	for i := range reportsEach {
		target := actors[(n+i)%len(actors)].ID
		if _, err := tx.CreateReport(ctx, model.Report{OrganisationID: group.OrganisationID, GroupID: &group.ID,
			Source: model.ReportFromStaff, TargetActorID: &target, TargetPostIRIs: "[]", Content: "spam",
			Status: model.ReportOpen}); err != nil {
			return err
		}
	}
	return nil
}

// seedQueue makes the pre-moderated group "queue": 100 held posts, one per author, under keyword
// filters (every other one holding) and with every fifth server silenced by the organisation.
func seedQueue(ctx context.Context, tx *store.Store, organisationID string, actors []model.RemoteActor) error {
	group, err := tx.CreateGroup(ctx, model.Group{OrganisationID: organisationID, Slug: "queue", Name: "Queue",
		PostingPolicy: model.PostingPremoderated, Discoverable: true})
	if err != nil {
		return err
	}
	for i := range filters {
		action := model.FilterReject
		if i%2 == 0 {
			action = model.FilterHold
		}
		if _, err := tx.CreateKeywordFilter(ctx, model.KeywordFilter{GroupID: group.ID, Keyword: fmt.Sprintf("word%d", i),
			WholeWord: i%3 == 0, Action: action}); err != nil {
			return err
		}
	}
	for i := 0; i < servers; i += 5 {
		if _, err := tx.CreateDomainBlock(ctx, model.DomainBlock{OrganisationID: &organisationID,
			Domain: fmt.Sprintf("s%d.example", i), Severity: model.SeveritySilence}); err != nil {
			return err
		}
	}
	for i := range queuePosts {
		if _, err := tx.CreatePost(ctx, heldPost(group, actors[i%len(actors)], i)); err != nil {
			return err
		}
	}
	return nil
}

// heldPost is a post of about 1 KiB waiting in group's queue; its text names one of the filters'
// keywords.
func heldPost(group model.Group, author model.RemoteActor, i int) model.Post {
	iri := fmt.Sprintf("%s/notes/%s-%d", author.IRI, group.Slug, i)
	text := fmt.Sprintf("<p>word%d %s</p>", i%(2*filters), strings.Repeat("lorem ipsum dolor sit amet ", 36))
	return model.Post{GroupID: group.ID, ObjectIRI: iri, AuthorKind: model.AuthorRemote, AuthorActorID: &author.ID,
		ObjectType: "Note", ContentHTML: text, URL: iri, Visibility: model.VisibilityPublic, State: model.PostHeld,
		PublishedAt: time.Now().Add(time.Duration(i) * time.Second)}
}
