package admin_test

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

var (
	reachRowHTML = regexp.MustCompile(`<tr><th scope="row">(.*?)</th>((?:<td>[^<]*</td>)*)</tr>`)
	tagHTML      = regexp.MustCompile(`<[^>]+>`)
)

// reachTableOf cuts a reach table out of the analytics page as the text a reader sees: its header,
// then a row per line, tags dropped and entities read.
func reachTableOf(t *testing.T, page, key string) [][]string {
	t.Helper()
	start := strings.Index(page, `<table class="figures" id="`+key+`-table">`)
	if start < 0 {
		t.Fatalf("no %s table on the page", key)
	}
	table := page[start : start+strings.Index(page[start:], "</table>")]
	text := func(cell string) string { return html.UnescapeString(tagHTML.ReplaceAllString(cell, "")) }
	var header []string
	for _, m := range columnHTML.FindAllStringSubmatch(table, -1) {
		header = append(header, text(m[1]))
	}
	rows := [][]string{header}
	for _, m := range reachRowHTML.FindAllStringSubmatch(table, -1) {
		row := []string{text(m[1])}
		for _, cell := range figureCellHTML.FindAllStringSubmatch(m[2], -1) {
			row = append(row, text(cell[1]))
		}
		rows = append(rows, row)
	}
	return rows
}

// expectReachTables checks the page's reach tables (by key) are as want says, rows joined by |,
// cells by commas.
func expectReachTables(t *testing.T, page string, want map[string]string) {
	t.Helper()
	for key, rows := range want {
		if got := strings.Join(flatten(reachTableOf(t, page, key)), "|"); got != rows {
			t.Errorf("%s table:\n got %s\nwant %s", key, got, rows)
		}
	}
}

// settle marks the deliveries of the group's activities about post delivered.
func settleDeliveriesOf(t *testing.T, st *store.Store, post model.Post) {
	t.Helper()
	var ids []string
	err := st.DB().Model(&model.Delivery{}).Where("outbound_activity_id IN (?)",
		st.DB().Model(&model.OutboundActivity{}).Select("id").Where("post_id = ?", post.ID)).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		t.Fatalf("deliveries of the post's Announces: %v (%v)", ids, err)
	}
	if err := st.MarkDelivered(context.Background(), ids, 202); err != nil {
		t.Fatal(err)
	}
}

// The Analytics tab shows how far the group reached: each post's deliveries, the servers reached and
// the ones not reached (marked unreachable now or not), and the members now by server and by
// software, the last two as charts; each table's CSV equals it.
func TestGroupAnalyticsReach(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		alice := s.member(s.lobby)
		s.member(s.lobby)
		now := time.Now()
		for _, host := range []model.RemoteHost{{Host: "social.example", Software: "mastodon"}, {Host: "down.example", UnreachableSince: &now}} {
			host.ID, host.CreatedAt, host.UpdatedAt = model.NewID(), now, now
			if err := st.DB().Create(&host).Error; err != nil {
				t.Fatal(err)
			}
		}
		for i, state := range []model.FollowState{model.FollowAccepted, model.FollowPending} {
			name := []string{"solo", "waiting"}[i]
			actor, err := st.SaveRemoteActor(ctx, model.RemoteActor{IRI: "https://small.example/u/" + name, Host: "small.example",
				PreferredUsername: name, InboxURL: "https://small.example/u/" + name + "/inbox"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.SaveFollow(ctx, model.Follow{GroupID: s.lobby.ID, RemoteActorID: actor.ID,
				FollowActivityIRI: actor.IRI + "/follow", State: state}); err != nil {
				t.Fatal(err)
			}
		}
		post := s.postNow(s.postBy(alice, s.lobby, "<p>Our <b>spring</b> fair is on</p>").PostID)
		settleDeliveriesOf(t, st, post)
		down, err := st.CreateOutboundActivity(ctx, model.OutboundActivity{ActivityIRI: "https://kring.example/a/down",
			ActorKind: model.OwnerGroup, GroupID: &s.lobby.ID, ActivityType: "Accept", Body: "{}"})
		if err != nil {
			t.Fatal(err)
		}
		failing, err := st.CreateDeliveries(ctx, down.ID, []store.InboxTarget{{URL: "https://down.example/inbox", Host: "down.example"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.RecordDeliveryAttempt(ctx, failing[0].ID, store.DeliveryOutcome{State: model.DeliveryAbandoned, Status: 503}); err != nil {
			t.Fatal(err)
		}

		mod := s.loggedIn(lobbyMod)
		status, page := mod.get("/admin/groups/lobby/analytics?days=7")
		if status != http.StatusOK {
			t.Fatalf("analytics: %d\n%s", status, page)
		}
		want := map[string]string{
			// Alice's post went to the members' one shared inbox, and to the solo member's inbox.
			"post-deliveries":     "Post,Attempted,Succeeded,Failed|Our spring fair is on,2,2,0",
			"unreachable-servers": "Server,Failed deliveries since its last success,Marked unreachable now|down.example,1,yes",
			"members-by-server":   "Server,Members|social.example,2|small.example,1",
			"members-by-software": "Software,Members|mastodon,2|unknown,1",
		}
		expectReachTables(t, page, want)
		for key := range want {
			table := reachTableOf(t, page, key)
			status, body := mod.get("/admin/groups/lobby/analytics.csv?chart=" + key + "&days=7")
			if status != http.StatusOK {
				t.Fatalf("%s CSV: %d %s", key, status, body)
			}
			records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := strings.Join(flatten(records), "|"), strings.Join(flatten(table), "|"); got != want {
				t.Errorf("%s CSV differs from the table:\n%s\n%s", key, got, want)
			}
		}
		if !strings.Contains(page, `<dt>Servers reached</dt><dd id="servers-reached">2</dd>`) ||
			!strings.Contains(page, `<dt>Servers not reached</dt><dd id="servers-unreached">1</dd>`) {
			t.Error("the page does not say 2 servers reached and 1 not")
		}
		for _, chart := range []string{"chart-members-by-server", "chart-members-by-software"} {
			if !strings.Contains(page, `<svg class="chart" role="img" aria-labelledby="`+chart+`-title `+chart+`-desc"`) {
				t.Errorf("no %s drawn as an image", chart)
			}
		}
	})
}
