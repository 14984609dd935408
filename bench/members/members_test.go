// Package members measures how fast the web admin renders a big group's member pages on
// PostgreSQL, fetched over real HTTP through the admin's own engine by an organisation admin who
// logged in through the login form: a group of 10,000 members on 100 servers, 30,000 posts and
// replies by them over the past year, and the figures of member_activity as the store keeps them.
// Pages: the members list, the Attention tab's three lists (newcomers, gone quiet, most active)
// and one member's page.
//
// Each page reports its p50 and p95 over the fetches, and their ratio to the 100 ms a page may
// take (below 1 is within the limit).
//
//	go test -run '^$' -bench . -benchtime 200x ./bench/members
package members

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/bench/benchadmin"
	"github.com/kring-social/kring/test/testenv"
)

// pageLimit is the time one member page may take to render.
const pageLimit = 100 * time.Millisecond

// The fixture's size.
const (
	members  = 10_000
	servers  = 100
	posts    = 30_000 // posts and replies (every third a reply) by the members, over a year
	newcomer = 50     // every 50th member was first seen this week: 200 newcomers
)

const (
	adminEmail = "admin@bench.test"
	password   = "correct horse battery staple"
)

func BenchmarkMemberPages(b *testing.B) {
	ctx := context.Background()
	st := testenv.PostgresAtFullSize(b)
	served := testenv.ServeEngine(b, web.Options{})
	orgs := organisations.NewServiceWith(st, organisations.Options{PasswordParams: organisations.TestPasswordParams()})
	benchadmin.Mount(b, st, orgs, served)
	member := seed(b, ctx, st, orgs)
	client := benchadmin.LogIn(b, served.Server.URL, adminEmail, password)

	row := regexp.MustCompile(`<tr class="attention-row">`)
	pages := []struct {
		name, path string
		want       *regexp.Regexp
		count      int
	}{
		{"members-list", "/admin/groups/big/members", regexp.MustCompile(`href="/admin/groups/big/members/actor-\d+"`), 50},
		{"attention-newcomers", "/admin/groups/big/attention", row, 50},
		{"attention-gone-quiet", "/admin/groups/big/attention?list=quiet&days=30", row, 50},
		{"attention-most-active", "/admin/groups/big/attention?list=active", row, 50},
		{"member-page", "/admin/groups/big/members/" + member, regexp.MustCompile(`<dd id="posts">`), 1},
	}
	for _, page := range pages {
		b.Run(page.name, func(b *testing.B) {
			// The page is checked once, outside the timing: a full page of members.
			body := benchadmin.Get(b, client, served.Server.URL+page.path)
			if n := len(page.want.FindAllStringIndex(body, -1)); n != page.count {
				b.Fatalf("%s shows %d items, want %d", page.path, n, page.count)
			}
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				benchadmin.Get(b, client, served.Server.URL+page.path)
				took = append(took, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(took)
			p50, p95 := took[len(took)/2], took[(len(took)*95)/100]
			b.ReportMetric(ms(p50), "p50-ms")
			b.ReportMetric(ms(p95), "p95-ms")
			b.ReportMetric(float64(p50)/float64(pageLimit), "p50-ratio-to-100ms")
			b.ReportMetric(float64(p95)/float64(pageLimit), "p95-ratio-to-100ms")
			b.Logf("%s: p50 %.2f ms (%.2f of %s), p95 %.2f ms (%.2f) over %d fetches", page.path,
				ms(p50), float64(p50)/float64(pageLimit), pageLimit, ms(p95), float64(p95)/float64(pageLimit), b.N)
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// The fixture in bulk SQL (PostgreSQL): 10,000 members would take minutes one store call each.
// Their follows are spread over two years, every 50th in the last week; their posts over the past
// year. member_activity is then filled from them as the migration's backfill fills it (counting a
// member's posts since her follow, so newcomers are new), with likes given added.
const (
	seedActors = `INSERT INTO remote_actors (id, iri, host, actor_type, preferred_username, display_name, inbox_url, url,
		fetched_at, created_at, updated_at)
		SELECT 'actor-' || lpad(n::text, 5, '0'), 'https://s' || (n % ?) || '.example/users/u' || n, 's' || (n % ?) || '.example',
			'Person', 'u' || n, 'Person ' || n, 'https://s' || (n % ?) || '.example/users/u' || n || '/inbox',
			'https://s' || (n % ?) || '.example/@u' || n, now(), now(), now()
		FROM generate_series(1, ?) AS n`
	seedFollows = `INSERT INTO follows (id, group_id, remote_actor_id, follow_activity_iri, state, created_at, updated_at)
		SELECT gen_random_uuid()::text, ?, 'actor-' || lpad(n::text, 5, '0'), 'https://bench.example/follows/' || n, 'accepted',
			CASE WHEN n % ? = 0 THEN now() - (n % 7) * interval '1 day' - interval '1 hour'
				ELSE now() - interval '8 days' - (n % 720) * interval '1 day' END,
			now()
		FROM generate_series(1, ?) AS n`
	seedPosts = `INSERT INTO posts (id, group_id, object_iri, author_kind, author_actor_id, author_host, object_type, content_html,
		summary, url, in_reply_to_iri, context_iri, thread_root_iri, visibility, state, published_at, create_activity_iri,
		activity_json, reach, like_count, removed_reason, created_at, updated_at)
		SELECT gen_random_uuid()::text, ?, 'https://bench.example/notes/' || n, 'remote',
			'actor-' || lpad((1 + (n * 7919) % ?)::text, 5, '0'), 'bench.example', 'Note', '<p>hello</p>', '', '',
			CASE WHEN n % 3 = 0 THEN 'https://bench.example/notes/' || (n - 1) ELSE '' END, '', '', 'public', 'visible',
			now() - (n % 365) * interval '1 day', '', '', 'followers', 0, '', now() - (n % 365) * interval '1 day', now()
		FROM generate_series(1, ?) AS n`
	seedActivity = `INSERT INTO member_activity (group_id, actor_id, first_seen_at, last_active_at, posts, replies, likes_given)
		SELECT f.group_id, f.remote_actor_id, MIN(f.created_at), MAX(p.created_at),
			COUNT(p.id) FILTER (WHERE p.in_reply_to_iri = ''), COUNT(p.id) FILTER (WHERE p.in_reply_to_iri <> ''),
			(substr(f.remote_actor_id, 7)::int * 31) % 17
		FROM follows f LEFT JOIN posts p ON p.group_id = f.group_id AND p.author_actor_id = f.remote_actor_id
			AND p.created_at >= f.created_at
		WHERE f.group_id = ?
		GROUP BY f.group_id, f.remote_actor_id`
)

// seed writes the organisation, its admin and the big group with its members; it returns the id
// of a member with posts, whose page is measured.
func seed(b *testing.B, ctx context.Context, st *store.Store, orgs *organisations.Service) string {
	org, err := orgs.CreateOrganisation(ctx, "bench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := orgs.CreateStaff(ctx, organisations.NewStaff{Email: adminEmail, Password: password,
		OrganisationSlug: "bench", Role: model.RoleAdmin}); err != nil {
		b.Fatal(err)
	}
	group, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: "big", Name: "Big",
		PostingPolicy: model.PostingFollowers, Discoverable: true})
	if err != nil {
		b.Fatal(err)
	}
	started := time.Now()
	err = st.Transaction(ctx, func(tx *store.Store) error {
		for _, step := range []struct {
			sql  string
			args []any
		}{
			{seedActors, []any{servers, servers, servers, servers, members}},
			{seedFollows, []any{group.ID, newcomer, members}},
			{seedPosts, []any{group.ID, members, posts}},
			{seedActivity, []any{group.ID}},
			{"ANALYZE", nil},
		} {
			if err := tx.DB().WithContext(ctx).Exec(step.sql, step.args...).Error; err != nil {
				return fmt.Errorf("seed: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	if err := st.DB().Table("member_activity").Where("group_id = ?", group.ID).Count(&n).Error; err != nil || n != members {
		b.Fatalf("member_activity holds %d rows of the group (%v), want %d", n, err, members)
	}
	b.Logf("seeded %d members, %d posts in %s", members, posts, time.Since(started).Round(time.Millisecond))
	return "actor-00042"
}
