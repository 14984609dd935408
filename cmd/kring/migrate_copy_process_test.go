package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// kring migrate copy moves the embedded default into an empty PostgreSQL: every table's row count,
// the group's key, times, booleans and NULLs come over; a second copy into the now full database is
// refused and changes nothing.
func TestMigrateCopyMovesTheCommunityToPostgres(t *testing.T) {
	t.Parallel()
	dataDir, community := seededDataDir(t)
	sqliteCounts := everyTableCount(t, openDataDir(t, dataDir))
	databaseURL := testenv.PostgresURL(t)

	code, out := testenv.RunKring(t, map[string]string{"KRING_DATA_DIR": dataDir}, "migrate", "copy", "--to", databaseURL)
	if code != 0 {
		t.Fatalf("kring migrate copy exited %d: %s", code, out)
	}
	if !strings.Contains(out, "every count matches") || !strings.Contains(out, "signing_keys") {
		t.Errorf("copy's report: %s", out)
	}
	target, err := store.Open(context.Background(), store.Options{DatabaseURL: databaseURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = target.Close() })
	postgresCounts := everyTableCount(t, target)
	for table, n := range sqliteCounts {
		if postgresCounts[table] != n {
			t.Errorf("%s: %d rows in PostgreSQL, %d in SQLite", table, postgresCounts[table], n)
		}
	}
	if len(postgresCounts) != len(sqliteCounts) {
		t.Errorf("PostgreSQL has %d tables, SQLite %d", len(postgresCounts), len(sqliteCounts))
	}
	for _, table := range []string{"organisations", "groups", "signing_keys", "remote_actors", "follows", "posts"} {
		if sqliteCounts[table] == 0 {
			t.Errorf("the fixture left %s empty, so the test proves nothing for it", table)
		}
	}
	testenv.RequireCommunity(t, target, community)
	var post model.Post
	if err := target.DB().First(&post, "id = ?", community.PostIDs[0]).Error; err != nil {
		t.Fatal(err)
	}
	if post.PublishedAt.IsZero() || post.PublishedAt.Location() != time.UTC || post.AuthorActorID == nil || post.CreatedByStaffID != nil {
		t.Errorf("post after the copy: published %s, author %v, staff %v", post.PublishedAt, post.AuthorActorID, post.CreatedByStaffID)
	}

	p := testenv.StartKring(t, map[string]string{"KRING_DATA_DIR": dataDir}, "migrate", "copy", "--to", databaseURL)
	if code := p.Wait(t); code != exitConflict || !strings.Contains(p.Stderr(), "not empty") {
		t.Errorf("a copy into a database with rows exited %d (want %d): %s", code, exitConflict, p.Stderr())
	}
	if again := everyTableCount(t, target); again["posts"] != postgresCounts["posts"] {
		t.Errorf("the refused copy changed the target: %d posts, had %d", again["posts"], postgresCounts["posts"])
	}
}

// everyTableCount counts the rows of each of Kring's tables, read from the database's own catalogue
// rather than from the copy's plan, so a table the copy forgot shows up.
func everyTableCount(t *testing.T, st *store.Store) map[string]int64 {
	t.Helper()
	query := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	if st.Dialect() == store.SQLite {
		query = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	}
	var tables []string
	if err := st.DB().Raw(query).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, table := range tables {
		if table == "goose_db_version" {
			continue
		}
		var n sql.NullInt64
		if err := st.DB().Raw(`SELECT COUNT(*) FROM "` + table + `"`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		counts[table] = n.Int64
	}
	return counts
}
