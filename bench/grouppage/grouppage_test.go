// Package grouppage measures how fast a group's public page is served on PostgreSQL, fetched over
// real HTTP through the engine Kring serves it with (the document routes handing browsers to the
// page): a group with 1,000 public posts (the group's own and 100 members' from 20 servers, three
// of them pinned), the first page and an older one (?before=), and its RSS feed.
//
// Each page reports its p50 and p95 over the fetches, and their ratio to the 20 ms a public page
// may take (below 1 is within the limit).
//
//	go test -run '^$' -bench . -benchtime 500x ./bench/grouppage
package grouppage

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/federation/documents"
	"github.com/kring-social/kring/test/testenv"
)

// pageLimit is the time a group's public page may take.
const pageLimit = 20 * time.Millisecond

// The fixture's size.
const (
	posts   = 1_000
	authors = 100
	servers = 20
	pinned  = 3
)

// seedActors and seedPosts write the fixture in bulk SQL (PostgreSQL): every fourth post the group's
// own, the others by members, one a minute back from now, the first three pinned.
const (
	seedActors = `INSERT INTO remote_actors (id, iri, host, actor_type, preferred_username, display_name, inbox_url, url,
		fetched_at, created_at, updated_at)
		SELECT 'actor-' || n, 'https://s' || (n % ?) || '.example/users/u' || n, 's' || (n % ?) || '.example',
			'Person', 'u' || n, 'Person ' || n, 'https://s' || (n % ?) || '.example/inbox', 'https://s' || (n % ?) || '.example/@u' || n,
			now(), now(), now()
		FROM generate_series(1, ?) AS n`
	seedPosts = `INSERT INTO posts (id, group_id, object_iri, author_kind, author_actor_id, author_host, object_type, content_html,
		summary, url, in_reply_to_iri, context_iri, thread_root_iri, visibility, state, published_at, create_activity_iri,
		activity_json, reach, like_count, removed_reason, pinned_at, created_at, updated_at)
		SELECT gen_random_uuid()::text, ?, 'https://bench.example/notes/' || n,
			CASE WHEN n % 4 = 0 THEN 'group' ELSE 'remote' END,
			CASE WHEN n % 4 = 0 THEN NULL ELSE 'actor-' || (1 + n % ?) END, 'bench.example', 'Note',
			'<p>Post ' || n || ' of the group, with a <a href="https://example.org/">link</a> and some words to read.</p>',
			'', 'https://bench.example/@u/' || n, '', '', '', 'public', 'visible', now() - n * interval '1 minute', '', '',
			'followers', n % 7, '', CASE WHEN n <= ? THEN now() - n * interval '1 second' END,
			now() - n * interval '1 minute', now()
		FROM generate_series(1, ?) AS n`
)

func BenchmarkGroupPage(b *testing.B) {
	ctx := context.Background()
	st := testenv.PostgresAtFullSize(b)
	served := testenv.ServeEngine(b, web.Options{})
	pages := web.NewGroupPages(served.IRIs).WithEvents(st)
	pages.Mount(served.Engine)
	web.NewGroupFeeds(st, served.IRIs, nil).Mount(served.Engine)
	documents.NewRoutes(documents.Config{Store: st, IRIs: served.IRIs, GroupPage: pages.Render}).Mount(served.Engine)
	older := seed(b, ctx, st)

	article := regexp.MustCompile(`<article>`)
	item := regexp.MustCompile(`<item>`)
	for _, page := range []struct {
		name, path string
		want       *regexp.Regexp
		count      int
	}{
		{"first-page", "/groups/big", article, pinned + 20},
		{"older-page", "/groups/big?before=" + older, article, 20},
		{"rss-feed", "/groups/big/feed.rss", item, 20},
	} {
		b.Run(page.name, func(b *testing.B) {
			// Checked once, outside the timing: a full page.
			body := get(b, served.Server.URL+page.path)
			if n := len(page.want.FindAllStringIndex(body, -1)); n != page.count {
				b.Fatalf("%s shows %d items, want %d", page.path, n, page.count)
			}
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				get(b, served.Server.URL+page.path)
				took = append(took, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(took)
			p50, p95 := took[len(took)/2], took[(len(took)*95)/100]
			b.ReportMetric(ms(p50), "p50-ms")
			b.ReportMetric(ms(p95), "p95-ms")
			b.ReportMetric(float64(p50)/float64(pageLimit), "p50-ratio-to-20ms")
			b.ReportMetric(float64(p95)/float64(pageLimit), "p95-ratio-to-20ms")
			b.Logf("%s: p50 %.2f ms (%.2f of %s), p95 %.2f ms (%.2f) over %d fetches", page.path,
				ms(p50), float64(p50)/float64(pageLimit), pageLimit, ms(p95), float64(p95)/float64(pageLimit), b.N)
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// get fetches address as a browser would and returns the body; anything but 200 fails.
func get(b *testing.B, address string) string {
	req, err := http.NewRequest(http.MethodGet, address, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: status %d, %v", address, resp.StatusCode, err)
	}
	return string(body)
}

// seed writes the organisation, the group and its posts; it returns the id of the post the second
// page starts after (the 20th unpinned one).
func seed(b *testing.B, ctx context.Context, st *store.Store) string {
	org, err := st.CreateOrganisation(ctx, model.Organisation{Slug: "bench", Name: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	group, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: "big", Name: "Big", Summary: "A busy group.",
		PostingPolicy: model.PostingFollowers, Discoverable: true})
	if err != nil {
		b.Fatal(err)
	}
	err = st.Transaction(ctx, func(tx *store.Store) error {
		for _, step := range []struct {
			sql  string
			args []any
		}{
			{seedActors, []any{servers, servers, servers, servers, authors}},
			{seedPosts, []any{group.ID, authors, pinned, posts}},
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
	page, err := st.PublicPagePosts(ctx, group.ID, 20, "")
	if err != nil || page.Older == "" {
		b.Fatalf("first page: older %q, %v", page.Older, err)
	}
	return page.Older
}
