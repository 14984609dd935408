package migrations_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/migrations"
)

// Migration 13 fills member_activity from what a Kring already holds: follows, posts and replies,
// likes (in the liked post's group), welcomes and support conversations.
func TestMemberActivityBackfill(t *testing.T) {
	t.Parallel()
	forEachEngineAt(t, 11, func(t *testing.T, st *store.Store, db *sql.DB, engine engine) {
		ctx := context.Background()
		day := func(n int) time.Time { return time.Date(2026, 1, n, 12, 0, 0, 0, time.UTC) }
		gdb := st.DB()
		execSteps(t, st, lobbyOfAcme(day(1)))
		execSteps(t, st, []sqlStep{
			{`INSERT INTO remote_actors (id, iri, host, actor_type, inbox_url, fetched_at, created_at, updated_at) VALUES
					('ann', 'https://a.example/ann', 'a.example', 'Person', 'https://a.example/ann/inbox', ?, ?, ?),
					('bob', 'https://a.example/bob', 'a.example', 'Person', 'https://a.example/bob/inbox', ?, ?, ?)`,
				[]any{day(1), day(1), day(1), day(1), day(1), day(1)}},
			{"INSERT INTO follows (id, group_id, remote_actor_id, follow_activity_iri, state, created_at, updated_at) VALUES ('f1', 'g', 'ann', 'x', 'accepted', ?, ?)", []any{day(3), day(3)}},
			{`INSERT INTO posts (id, group_id, object_iri, author_kind, author_actor_id, object_type, in_reply_to_iri, visibility, state, published_at, created_at, updated_at) VALUES
					('p1', 'g', 'https://a.example/ann/1', 'remote', 'ann', 'Note', '', 'public', 'visible', ?, ?, ?),
					('p2', 'g', 'https://a.example/ann/2', 'remote', 'ann', 'Note', 'https://a.example/bob/1', 'public', 'visible', ?, ?, ?),
					('p3', 'g', 'https://a.example/ann/3', 'remote', 'ann', 'Note', '', 'public', 'removed', ?, ?, ?)`,
				[]any{day(4), day(4), day(4), day(5), day(5), day(5), day(6), day(6), day(6)}},
			{"INSERT INTO post_likes (id, post_id, remote_actor_id, activity_iri, created_at) VALUES ('l1', 'p1', 'bob', 'y', ?)", []any{day(7)}},
			{"INSERT INTO welcomes (id, group_id, remote_actor_id, activity_iri, object_iri, content_html, sent_at) VALUES ('w1', 'g', 'ann', 'a', 'o', '', ?)", []any{day(3)}},
			{`INSERT INTO support_conversations (id, group_id, remote_actor_id, status, last_message_at, created_at, updated_at) VALUES
					('c1', 'g', 'ann', 'new', ?, ?, ?)`, []any{day(8), day(8), day(8)}},
		})
		if _, err := migrations.Up(ctx, db, engine.dialect, nil); err != nil {
			t.Fatal(err)
		}
		type row struct {
			ActorID                                   string
			FirstSeenAt                               time.Time
			LastActiveAt, WelcomedAt                  *time.Time
			Posts, Replies, LikesGiven, Support, Acts int64
		}
		var rows []row
		if err := gdb.Raw(`SELECT actor_id, first_seen_at, last_active_at, welcomed_at, posts, replies, likes_given,
				support_conversations AS support, activity AS acts FROM member_activity WHERE group_id = 'g' ORDER BY actor_id`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d rows, want ann's and bob's: %+v", len(rows), rows)
		}
		ann, bob := rows[0], rows[1]
		if !ann.FirstSeenAt.Equal(day(3)) || ann.LastActiveAt == nil || !ann.LastActiveAt.Equal(day(8)) || ann.WelcomedAt == nil || !ann.WelcomedAt.Equal(day(3)) ||
			ann.Posts != 2 || ann.Replies != 1 || ann.LikesGiven != 0 || ann.Support != 1 || ann.Acts != 3 {
			t.Errorf("ann: %+v", ann)
		}
		if !bob.FirstSeenAt.Equal(day(7)) || bob.LastActiveAt == nil || !bob.LastActiveAt.Equal(day(7)) || bob.WelcomedAt != nil ||
			bob.Posts != 0 || bob.LikesGiven != 1 || bob.Acts != 1 {
			t.Errorf("bob: %+v", bob)
		}
	})
}

// Migration 25 keeps of server_daily_stats, per group and server, the last day with a success, the
// last with a failure, and the failures on the days after the last success.
func TestServerReachBackfill(t *testing.T) {
	t.Parallel()
	forEachEngineAt(t, 24, func(t *testing.T, st *store.Store, db *sql.DB, engine engine) {
		ctx := context.Background()
		gdb := st.DB()
		execSteps(t, st, lobbyOfAcme(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)))
		execSteps(t, st, []sqlStep{
			// a.example: failed, reached, failed twice over two days; b.example: never reached.
			{`INSERT INTO server_daily_stats (group_id, day, host, deliveries_succeeded, deliveries_failed) VALUES
					('g', '2026-01-01', 'a.example', 0, 5), ('g', '2026-01-02', 'a.example', 3, 1),
					('g', '2026-01-03', 'a.example', 0, 1), ('g', '2026-01-04', 'a.example', 0, 1),
					('g', '2026-01-02', 'b.example', 0, 4), ('g', '2026-01-03', 'b.example', 0, 2)`, nil},
		})
		if _, err := migrations.Up(ctx, db, engine.dialect, nil); err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			Host                 string
			LastSucceededDay     *string
			LastFailedDay        string
			FailuresSinceSuccess int64
		}
		if err := gdb.Raw(`SELECT host, last_succeeded_day, last_failed_day, failures_since_success FROM server_reach
				WHERE group_id = 'g' ORDER BY host`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("%d rows", len(rows))
		for _, r := range rows {
			succeeded := "never"
			if r.LastSucceededDay != nil {
				succeeded = *r.LastSucceededDay
			}
			got += fmt.Sprintf("; %s %s %s %d", r.Host, succeeded, r.LastFailedDay, r.FailuresSinceSuccess)
		}
		if want := "2 rows; a.example 2026-01-02 2026-01-04 2; b.example never 2026-01-03 6"; got != want {
			t.Errorf("server_reach:\n got %s\nwant %s", got, want)
		}
	})
}

// forEachEngineAt runs test on each engine's empty database migrated up to version.
func forEachEngineAt(t *testing.T, version int64, test func(t *testing.T, st *store.Store, db *sql.DB, engine engine)) {
	for _, engine := range engines() {
		t.Run(engine.name, func(t *testing.T) {
			st, db := migratedTo(t, engine, version)
			test(t, st, db, engine)
		})
	}
}

// lobbyOfAcme writes the organisation 'o' (acme) and its group 'g' (lobby), created at.
func lobbyOfAcme(at time.Time) []sqlStep {
	return []sqlStep{
		{"INSERT INTO organisations (id, slug, name, created_at, updated_at) VALUES ('o', 'acme', 'Acme', ?, ?)", []any{at, at}},
		{"INSERT INTO groups (id, organisation_id, slug, name, created_at, updated_at) VALUES ('g', 'o', 'lobby', 'Lobby', ?, ?)", []any{at, at}},
	}
}

// migratedTo is an empty database of engine migrated up to version, to hold what a Kring of that
// version held before the migration a test is about.
func migratedTo(t *testing.T, engine engine, version int64) (*store.Store, *sql.DB) {
	t.Helper()
	st := engine.open(t)
	db := sqlDB(t, st)
	provider, err := goose.NewProvider(engine.goose, db, os.DirFS("sql"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return st, db
}

// sqlStep is a statement with its arguments.
type sqlStep struct {
	sql  string
	args []any
}

// execSteps runs steps in order, failing at the first error.
func execSteps(t *testing.T, st *store.Store, steps []sqlStep) {
	t.Helper()
	for _, step := range steps {
		if err := st.DB().Exec(step.sql, step.args...).Error; err != nil {
			t.Fatal(err)
		}
	}
}
