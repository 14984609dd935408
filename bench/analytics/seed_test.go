package analytics

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// The fixture's size: the big group is issue 16's, the 19 others give the organisation page its
// 20 groups, each with a smaller history of its own.
const (
	actorCount  = 10_000 // remote actors, all following the big group
	hostCount   = 1_000  // their servers
	keyedCount  = 20     // actors 1..20 sign the recording benchmark's activities (the fixture keys)
	smallCount  = 19     // the organisation's other groups
	historyDays = 120    // how far back every group's posts go
)

// history is what one group's raw rows hold. Engagement is likes + boosts + replies.
type history struct {
	followers int // accepted follows, of every stride-th actor
	stride    int
	posts     int // top-level posts over historyDays, every fourth the group's own
	replies   int // replies to them by members
	likes     int // post_likes rows, at most likes/posts per post
	boosts    int // stored Announces of the posts (inbound_activities)
	mentions  int // posts naming the group from outside it, kept (group_mentions), within the last 90 days
	perPost   int // settled deliveries of each post's activity, one per host
	days      int // how far back the posts go
}

var (
	bigHistory   = history{followers: actorCount, stride: 1, posts: 2_000, replies: 10_000, likes: 80_000, boosts: 10_000, mentions: 5_000, perPost: 500, days: historyDays}
	smallHistory = history{followers: 500, stride: smallCount, posts: 100, replies: 200, likes: 1_000, boosts: 200, mentions: 100, perPost: 50, days: historyDays}
)

// sqlStep is one bulk statement of the seed, named for the log and for failures.
type sqlStep struct {
	name string
	sql  string
	args []any
}

// Bulk SQL (PostgreSQL): a million deliveries would take an hour one store call each. Times are
// UTC, as the store writes them (TIMESTAMP without zone). A group's rows carry its slug in their ids
// and IRIs so the groups' histories never collide. Actor n lives on server s(n % 1000).
const (
	seedActors = `INSERT INTO remote_actors (id, iri, host, actor_type, preferred_username, display_name, inbox_url,
		shared_inbox_url, url, fetched_at, created_at, updated_at)
		SELECT 'actor-' || n, 'https://s' || (n % ?) || '.example/users/u' || n, 's' || (n % ?) || '.example',
			'Person', 'u' || n, 'Person ' || n, 'https://s' || (n % ?) || '.example/users/u' || n || '/inbox',
			'https://s' || (n % ?) || '.example/inbox', 'https://s' || (n % ?) || '.example/@u' || n,
			now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
		FROM generate_series(1, ?) AS n`
	// One server in fifty runs group-aware software (Likes of the group's posts are forwarded to
	// it), most of the others a microblogging one, some unknown.
	seedHosts = `INSERT INTO remote_hosts (id, host, software, total_successes, total_failures, last_success_at, created_at, updated_at)
		SELECT 'host-' || h, 's' || h || '.example',
			CASE WHEN h % 50 = 0 THEN 'lemmy' WHEN h % 10 < 6 THEN 'mastodon' WHEN h % 10 < 8 THEN 'misskey'
				WHEN h % 10 = 8 THEN 'gotosocial' ELSE '' END,
			1000, 40, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
		FROM generate_series(0, ? - 1) AS h`
	// Follows joined over a year, so the last 90 days show joins every day.
	seedFollows = `INSERT INTO follows (id, group_id, remote_actor_id, follow_activity_iri, state, created_at, updated_at)
		SELECT ? || '-follow-' || i, ?, 'actor-' || (1 + (i * ? + ?) % ?), 'https://bench.example/' || ? || '/follows/' || i,
			'accepted', now() AT TIME ZONE 'UTC' - (i % 365) * interval '1 day' - (i % 1440) * interval '1 minute',
			now() AT TIME ZONE 'UTC'
		FROM generate_series(0, ? - 1) AS i`
	// Top-level posts, post 1 the newest, evenly over the history's days; every fourth the group's.
	seedPosts = `INSERT INTO posts (id, group_id, object_iri, author_kind, author_actor_id, author_host, object_type,
		content_html, visibility, state, published_at, reach, created_at, updated_at)
		SELECT ? || '-post-' || n, ?, 'https://bench.example/' || ? || '/notes/' || n,
			CASE WHEN n % 4 = 0 THEN 'group' ELSE 'remote' END,
			CASE WHEN n % 4 = 0 THEN NULL ELSE 'actor-' || (1 + n % ?) END,
			CASE WHEN n % 4 = 0 THEN '' ELSE 's' || ((1 + n % ?) % ?) || '.example' END, 'Note',
			'<p>Post ' || n || ' of the group, with a few words to read.</p>', 'public', 'visible', t, 'followers', t, t
		FROM generate_series(1, ?) AS n,
			LATERAL (SELECT now() AT TIME ZONE 'UTC' - n * (? * interval '1 second') AS t) AS at`
	// Replies by members (actors past the keyed ones), within two days of the post they answer.
	seedReplies = `INSERT INTO posts (id, group_id, object_iri, author_kind, author_actor_id, author_host, object_type,
		content_html, in_reply_to_iri, visibility, state, published_at, reach, created_at, updated_at)
		SELECT ? || '-reply-' || r, p.group_id, 'https://bench.example/' || ? || '/replies/' || r, 'remote',
			'actor-' || (? + 1 + r % ?), 's' || ((? + 1 + r % ?) % ?) || '.example', 'Note', '<p>Indeed.</p>',
			p.object_iri, 'public', 'visible', t, 'thread', t, t
		FROM generate_series(0, ? - 1) AS r
			JOIN posts p ON p.id = ? || '-post-' || (1 + r % ?),
			LATERAL (SELECT LEAST(now() AT TIME ZONE 'UTC', p.created_at + (r % 48) * interval '1 hour')) AS at(t)`
	// Likes within three days of the post. Like j is of post j % posts by the (j / posts)th liker
	// of it: likers are spread so no actor likes a post twice, and none is a keyed actor (their
	// likes are the recording benchmark's).
	seedLikes = `INSERT INTO post_likes (id, post_id, remote_actor_id, activity_iri, created_at)
		SELECT ? || '-like-' || j, p.id, 'actor-' || (? + 1 + ((j / ?) * ? + j % ?) % ?),
			'https://bench.example/' || ? || '/likes/' || j, LEAST(now() AT TIME ZONE 'UTC', p.created_at + (j % 72) * interval '1 hour')
		FROM generate_series(0, ? - 1) AS j
			JOIN posts p ON p.id = ? || '-post-' || (1 + j % ?)`
	// Boosts: the schema keeps no row of its own for them (CountBoost only counts), so the stored
	// Announces the inbox processed are their raw rows.
	seedBoosts = `INSERT INTO inbound_activities (id, activity_iri, actor_iri, activity_type, group_id, raw_body, state,
		received_at, processed_at)
		SELECT ? || '-boost-' || j, 'https://s' || (j % ?) || '.example/boosts/' || ? || '-' || j,
			'https://s' || (j % ?) || '.example/users/u' || j, 'Announce', p.group_id,
			json_build_object('type', 'Announce', 'object', p.object_iri)::text, 'processed', t, t
		FROM generate_series(0, ? - 1) AS j
			JOIN posts p ON p.id = ? || '-post-' || (1 + j % ?),
			LATERAL (SELECT LEAST(now() AT TIME ZONE 'UTC', p.created_at + (j % 24) * interval '1 hour')) AS at(t)`
	// One outbound activity per post: the group's Create of its own post, its Announce of a member's.
	seedOutbound = `INSERT INTO outbound_activities (id, activity_iri, actor_kind, group_id, activity_type, body, created_at, post_id)
		SELECT p.id || '-out', p.object_iri || '/activity', 'group', p.group_id,
			CASE WHEN p.author_kind = 'group' THEN 'Create' ELSE 'Announce' END, '{}', p.created_at, p.id
		FROM posts p WHERE p.group_id = ? AND p.in_reply_to_iri = ''`
	// Each post's activity went to perPost shared inboxes, settled within a minute: one in 25
	// refused for good, the rest delivered.
	seedDeliveries = `INSERT INTO deliveries (id, outbound_activity_id, inbox_url, host, state, attempts, next_attempt_at,
		last_status, delivered_at, created_at, updated_at)
		SELECT o.id || '-' || k, o.id, 'https://s' || h || '.example/inbox', 's' || h || '.example',
			CASE WHEN (n + k) % 25 = 0 THEN 'failed' ELSE 'delivered' END, 1, o.created_at,
			CASE WHEN (n + k) % 25 = 0 THEN 410 ELSE 202 END,
			CASE WHEN (n + k) % 25 = 0 THEN NULL ELSE settled END, o.created_at, settled
		FROM generate_series(1, ?) AS n
			JOIN outbound_activities o ON o.id = ? || '-post-' || n || '-out'
			CROSS JOIN generate_series(0, ? - 1) AS k,
			LATERAL (SELECT (n * 7 + k) % ? AS h, o.created_at + (k % 60) * interval '1 second' AS settled) AS d`
	// Mentions of the group by people outside it, spread over the last 90 days, newest first.
	seedMentions = `INSERT INTO group_mentions (id, group_id, object_iri, url, remote_actor_id, author_host, content_html,
		published_at, received_at)
		SELECT ? || '-mention-' || m, ?, 'https://s' || (m % ?) || '.example/notes/' || ? || '-' || m,
			'https://s' || (m % ?) || '.example/@u' || m, 'actor-' || (1 + m % ?), 's' || ((1 + m % ?) % ?) || '.example',
			'<p>Would the group look at this, asking for the building.</p>', t, t
		FROM generate_series(1, ?) AS m,
			LATERAL (SELECT now() AT TIME ZONE 'UTC' - m * (? * interval '1 second') AS t) AS at`
)

// rawSteps are the statements that write one group's history; its followers are every
// h.stride-th actor from offset.
func rawSteps(group model.Group, h history, offset int) []sqlStep {
	slug, id := group.Slug, group.ID
	secondsApart := h.days * 86_400 / h.posts
	unkeyed := actorCount - keyedCount // the actors replies and likes come from
	return []sqlStep{
		{"follows of " + slug, seedFollows, []any{slug, id, h.stride, offset, actorCount, slug, h.followers}},
		{"posts of " + slug, seedPosts, []any{slug, id, slug, actorCount, actorCount, hostCount, h.posts, secondsApart}},
		{"replies in " + slug, seedReplies, []any{slug, slug, keyedCount, unkeyed, keyedCount, unkeyed, hostCount, h.replies, slug, h.posts}},
		{"likes in " + slug, seedLikes, []any{slug, keyedCount, h.posts, unkeyed / (h.likes / h.posts), h.posts, unkeyed, slug,
			h.likes, slug, h.posts}},
		{"boosts in " + slug, seedBoosts, []any{slug, hostCount, slug, hostCount, h.boosts, slug, h.posts}},
		{"outbound activities of " + slug, seedOutbound, []any{id}},
		{"deliveries of " + slug, seedDeliveries, []any{h.posts, slug, h.perPost, hostCount}},
		{"mentions of " + slug, seedMentions, []any{slug, id, hostCount, slug, hostCount, actorCount, actorCount, hostCount,
			h.mentions, 90 * 86_400 / h.mentions}},
	}
}

// rollup fills one rollup table's counters from the raw rows, as recording them one event at a
// time would have: source is a SELECT giving columns (the table's key first). A rollup added to
// Kring is one more entry in rollups; steps into the same table each set their own counters.
type rollup struct {
	name     string
	table    string
	key      string   // the table's conflict key
	columns  []string // what source gives, in order
	counters []string // the columns this step sets on a row another step wrote first
	source   string
}

func (r rollup) sql() string {
	set := make([]string, len(r.counters))
	for i, c := range r.counters {
		set[i] = c + " = excluded." + c
	}
	return fmt.Sprintf("INSERT INTO %s (%s) %s ON CONFLICT (%s) DO UPDATE SET %s",
		r.table, strings.Join(r.columns, ", "), r.source, r.key, strings.Join(set, ", "))
}

// statsDay is the rollup day of a timestamp column, as store.StatsDay writes it.
func statsDay(column string) string { return "to_char(" + column + ", 'YYYY-MM-DD')" }

// rollups are the daily figures of every group, and what each group knows of the servers it sent
// to, computed from the raw rows by GROUP BY. Leaves are
// left at zero: a leave deletes its follow, so no raw row is left to count.
var rollups = []rollup{
	{"joins per group and day", "group_daily_stats", "group_id, day", []string{"group_id", "day", "joins"}, []string{"joins"},
		`SELECT group_id, ` + statsDay("created_at") + `, COUNT(*) FROM follows WHERE state = 'accepted' GROUP BY 1, 2`},
	{"posts per group and day", "group_daily_stats", "group_id, day", []string{"group_id", "day", "group_posts", "posts_shared"},
		[]string{"group_posts", "posts_shared"},
		`SELECT group_id, ` + statsDay("created_at") + `, COUNT(*) FILTER (WHERE author_kind = 'group'),
			COUNT(*) FILTER (WHERE author_kind = 'remote')
		FROM posts WHERE state = 'visible' AND in_reply_to_iri = '' GROUP BY 1, 2`},
	{"deliveries per group and day", "group_daily_stats", "group_id, day",
		[]string{"group_id", "day", "deliveries_attempted", "deliveries_succeeded", "deliveries_failed"},
		[]string{"deliveries_attempted", "deliveries_succeeded", "deliveries_failed"},
		`SELECT o.group_id, ` + statsDay("d.updated_at") + `, SUM(d.attempts), COUNT(*) FILTER (WHERE d.state = 'delivered'),
			COUNT(*) FILTER (WHERE d.state = 'failed')
		FROM deliveries d JOIN outbound_activities o ON o.id = d.outbound_activity_id
		WHERE o.group_id IS NOT NULL AND d.state <> 'pending' GROUP BY 1, 2`},
	{"deliveries per post and day", "post_delivery_daily_stats", "post_id, day",
		[]string{"post_id", "day", "group_id", "deliveries_attempted", "deliveries_succeeded", "deliveries_failed"},
		[]string{"deliveries_attempted", "deliveries_succeeded", "deliveries_failed"},
		`SELECT o.post_id, ` + statsDay("d.updated_at") + `, o.group_id, SUM(d.attempts), COUNT(*) FILTER (WHERE d.state = 'delivered'),
			COUNT(*) FILTER (WHERE d.state = 'failed')
		FROM deliveries d JOIN outbound_activities o ON o.id = d.outbound_activity_id
		WHERE o.post_id IS NOT NULL AND d.state <> 'pending' GROUP BY 1, 2, 3`},
	// A settle resets failures_since_success on a success, so the failures counted are those settled
	// after the server's last success (by time, which the settles ran in).
	{"reach per group and server", "server_reach", "group_id, host",
		[]string{"group_id", "host", "last_succeeded_day", "last_failed_day", "failures_since_success"},
		[]string{"last_succeeded_day", "last_failed_day", "failures_since_success"},
		`SELECT group_id, host, ` + statsDay("last_success") + `, ` + statsDay("last_failure") + `,
			COUNT(*) FILTER (WHERE failed AND (last_success IS NULL OR updated_at > last_success))
		FROM (SELECT o.group_id, d.host, d.updated_at, d.state IN ('failed', 'abandoned') AS failed,
				MAX(d.updated_at) FILTER (WHERE d.state = 'delivered') OVER reach AS last_success,
				MAX(d.updated_at) FILTER (WHERE d.state IN ('failed', 'abandoned')) OVER reach AS last_failure
			FROM deliveries d JOIN outbound_activities o ON o.id = d.outbound_activity_id
			WHERE o.group_id IS NOT NULL AND d.state <> 'pending'
			WINDOW reach AS (PARTITION BY o.group_id, d.host)) AS settled
		GROUP BY group_id, host, last_success, last_failure`},
	{"mentions per group and day", "group_daily_stats", "group_id, day", []string{"group_id", "day", "mentions"}, []string{"mentions"},
		`SELECT group_id, ` + statsDay("received_at") + `, COUNT(*) FROM group_mentions GROUP BY 1, 2`},
	{"likes per post and day", "post_daily_stats", "post_id, day", []string{"post_id", "day", "group_id", "likes"}, []string{"likes"},
		`SELECT l.post_id, ` + statsDay("l.created_at") + `, p.group_id, COUNT(*)
		FROM post_likes l JOIN posts p ON p.id = l.post_id GROUP BY 1, 2, 3`},
	{"replies per post and day", "post_daily_stats", "post_id, day", []string{"post_id", "day", "group_id", "replies"}, []string{"replies"},
		`SELECT p.id, ` + statsDay("r.created_at") + `, p.group_id, COUNT(*)
		FROM posts r JOIN posts p ON p.group_id = r.group_id AND p.object_iri = r.in_reply_to_iri
		WHERE r.state = 'visible' AND r.in_reply_to_iri <> '' GROUP BY 1, 2, 3`},
	{"boosts per post and day", "post_daily_stats", "post_id, day", []string{"post_id", "day", "group_id", "boosts"}, []string{"boosts"},
		`SELECT p.id, ` + statsDay("a.received_at") + `, p.group_id, COUNT(*)
		FROM inbound_activities a JOIN posts p ON p.object_iri = CAST(a.raw_body AS json) ->> 'object'
		WHERE a.activity_type = 'Announce' AND a.state = 'processed' GROUP BY 1, 2, 3`},
}

// fixture is what the benchmarks need of the seed.
type fixture struct {
	org   model.Organisation
	big   model.Group
	posts []string // the big group's top-level posts' object IRIs, newest first
}

// seed writes the organisation's 20 groups, the groups' histories and their rollups, in one
// transaction, then ANALYZEs.
func seed(b *testing.B, ctx context.Context, st *store.Store, org model.Organisation) fixture {
	steps := []sqlStep{
		{"remote actors", seedActors, []any{hostCount, hostCount, hostCount, hostCount, hostCount, actorCount}},
		{"remote hosts", seedHosts, []any{hostCount}},
	}
	var big model.Group
	for i := 0; i <= smallCount; i++ {
		slug, h := fmt.Sprintf("group-%02d", i), smallHistory
		if i == 0 {
			slug, h = "big", bigHistory
		}
		group, err := st.CreateGroup(ctx, model.Group{OrganisationID: org.ID, Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:],
			PostingPolicy: model.PostingFollowers, Discoverable: true})
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			big = group
		}
		// The small groups' followers are every 19th actor from an offset of their own.
		steps = append(steps, rawSteps(group, h, i)...)
	}
	for _, r := range rollups {
		steps = append(steps, sqlStep{r.name, r.sql(), nil})
	}
	steps = append(steps, sqlStep{"statistics", "ANALYZE", nil})

	started := time.Now()
	err := st.Transaction(ctx, func(tx *store.Store) error {
		for _, step := range steps {
			began := time.Now()
			res := tx.DB().WithContext(ctx).Exec(step.sql, step.args...)
			if res.Error != nil {
				return fmt.Errorf("seed %s: %w", step.name, res.Error)
			}
			if took := time.Since(began); took > time.Second {
				b.Logf("seeded %s: %d rows in %s", step.name, res.RowsAffected, took.Round(time.Millisecond))
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	checkSeed(b, st, big)
	b.Logf("seeded in %s", time.Since(started).Round(time.Millisecond))

	f := fixture{org: org, big: big}
	for n := 1; n <= bigHistory.posts; n++ {
		f.posts = append(f.posts, fmt.Sprintf("https://bench.example/big/notes/%d", n))
	}
	return f
}

// checkSeed fails unless the big group holds issue 16's numbers, its rollups add up to its raw rows
// and it knows the reach of every server its deliveries settled at.
func checkSeed(b *testing.B, st *store.Store, big model.Group) {
	var got struct{ Followers, Deliveries, Engagement, Attempted, Counted, Servers, ServersKnown int64 }
	err := st.DB().Raw(`SELECT
		(SELECT COUNT(*) FROM follows WHERE group_id = @g AND state = 'accepted') AS followers,
		(SELECT COUNT(*) FROM deliveries d JOIN outbound_activities o ON o.id = d.outbound_activity_id WHERE o.group_id = @g) AS deliveries,
		(SELECT COUNT(*) FROM post_likes l JOIN posts p ON p.id = l.post_id WHERE p.group_id = @g)
			+ (SELECT COUNT(*) FROM posts WHERE group_id = @g AND in_reply_to_iri <> '')
			+ (SELECT COUNT(*) FROM inbound_activities WHERE group_id = @g AND activity_type = 'Announce') AS engagement,
		(SELECT SUM(deliveries_attempted) FROM group_daily_stats WHERE group_id = @g) AS attempted,
		(SELECT SUM(likes + boosts + replies) FROM post_daily_stats WHERE group_id = @g) AS counted,
		(SELECT COUNT(DISTINCT d.host) FROM deliveries d JOIN outbound_activities o ON o.id = d.outbound_activity_id
			WHERE o.group_id = @g AND d.state <> 'pending') AS servers,
		(SELECT COUNT(*) FROM server_reach WHERE group_id = @g) AS servers_known`,
		map[string]any{"g": big.ID}).Scan(&got).Error
	if err != nil {
		b.Fatal(err)
	}
	h := bigHistory
	want := int64(h.likes + h.boosts + h.replies)
	if got.Followers != int64(h.followers) || got.Deliveries != int64(h.posts*h.perPost) || got.Engagement != want ||
		got.Attempted != got.Deliveries || got.Counted != want || got.ServersKnown != got.Servers {
		b.Fatalf("the big group holds %+v; want %d followers, %d deliveries, %d engagements, rollups equal to them, a reach row per server",
			got, h.followers, h.posts*h.perPost, want)
	}
}
