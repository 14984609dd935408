package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/test/testenv"
)

// Every index costs each insert into its table an entry (and each update of its columns one more),
// so none may only repeat what another already gives: a plain index whose columns lead another
// index of the same table, in the same order, serves no lookup the longer one does not, foreign
// keys' included. Unique, partial and expression indexes do more than order and are left out.
func TestNoIndexIsTheLeadingPartOfAnother(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	var redundant []struct{ Table, Shorter, Longer string }
	err := st.DB().WithContext(ctx).Raw(`
		SELECT t.relname AS table, s.relname AS shorter, l.relname AS longer
		FROM pg_index si
		JOIN pg_index li ON li.indrelid = si.indrelid AND li.indexrelid <> si.indexrelid
		JOIN pg_class s ON s.oid = si.indexrelid
		JOIN pg_class l ON l.oid = li.indexrelid
		JOIN pg_class t ON t.oid = si.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema()
			AND NOT si.indisunique AND si.indpred IS NULL AND si.indexprs IS NULL
			AND li.indpred IS NULL AND li.indexprs IS NULL
			AND si.indnatts <= li.indnatts
			AND (li.indkey::int2[])[0:si.indnatts - 1] = (si.indkey::int2[])[0:si.indnatts - 1]
		ORDER BY 1, 2, 3`).Scan(&redundant).Error
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range redundant {
		t.Errorf("index %s on %s repeats the leading columns of %s", r.Shorter, r.Table, r.Longer)
	}
}

// Members' posts, most of the posts table, enter neither the publication index nor the campaign
// index (migration 28: partial indexes over the posts that have one), and the reads by publication
// and by campaign still find theirs through them.
func TestMembersPostsStayOutOfThePublicationAndCampaignIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Postgres(t)
	group := newLobby(t, st)
	ann := newActorOn(t, st, "ok.example", "ann")
	for n := range 5 {
		if _, err := st.CreatePost(ctx, model.Post{GroupID: group.ID, ObjectIRI: fmt.Sprintf("%s/notes/%d", ann.IRI, n),
			AuthorKind: model.AuthorRemote, AuthorActorID: &ann.ID, ObjectType: "Note", Visibility: model.VisibilityPublic,
			State: model.PostVisible, PublishedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	campaign, err := st.CreateCampaign(ctx, model.Campaign{OrganisationID: group.OrganisationID, Name: "Spring", Hashtag: "spring"})
	if err != nil {
		t.Fatal(err)
	}
	publication := model.NewID()
	if _, err := st.CreatePost(ctx, model.Post{GroupID: group.ID, ObjectIRI: "https://kring.example/notes/ours",
		AuthorKind: model.AuthorGroup, ObjectType: "Note", Visibility: model.VisibilityPublic, State: model.PostVisible,
		PublishedAt: time.Now(), PublicationID: &publication, CampaignID: &campaign.ID}); err != nil {
		t.Fatal(err)
	}

	// ANALYZE reads the whole of so small a table and counts each index's entries.
	if err := st.DB().WithContext(ctx).Exec("ANALYZE posts").Error; err != nil {
		t.Fatal(err)
	}
	var entries []struct {
		Name    string
		Entries float64
	}
	if err := st.DB().WithContext(ctx).Raw(`SELECT relname AS name, reltuples AS entries FROM pg_class
		WHERE relname IN ('posts_publication', 'posts_campaign') AND relnamespace = CAST(current_schema() AS regnamespace)
		ORDER BY relname`).Scan(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Entries != 1 || entries[1].Entries != 1 {
		t.Errorf("index entries %+v; want posts_campaign and posts_publication with the group's one post each", entries)
	}

	recorder := testenv.RecordStatements(t, st)
	statements := recorder.During(func() {
		counts, err := st.CountCampaign(ctx, campaign.ID, []string{group.ID})
		if err != nil || counts.Posts != 1 {
			t.Errorf("the campaign's posts: %+v, %v; want 1", counts, err)
		}
		groups, err := st.GroupsOfPublications(ctx, []string{publication})
		if err != nil || len(groups[publication]) != 1 {
			t.Errorf("the publication's groups: %v, %v; want the lobby", groups, err)
		}
	})
	conn := testenv.Conn(t, st)
	if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, s := range statements {
		testenv.Explain(t, conn, s, false).Walk(func(n testenv.PlanNode) { used[n.IndexName] = true })
	}
	for _, index := range []string{"posts_campaign", "posts_publication"} {
		if !used[index] {
			t.Errorf("no read used %s (indexes used: %v)", index, used)
		}
	}
}
