package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// rowsOf cuts a page into its attention rows, in order, so a test can tell who is listed where.
func rowsOf(page string) []string {
	parts := strings.Split(page, `<tr class="attention-row">`)
	return parts[1:]
}

// listed reports the order of actors on an attention page: the index of each actor's row, -1 when
// she is not on it.
func listed(page string, actors ...model.RemoteActor) []int {
	at := make([]int, len(actors))
	rows := rowsOf(page)
	for i, actor := range actors {
		at[i] = -1
		for j, row := range rows {
			if strings.Contains(row, "/members/"+actor.ID+`"`) {
				at[i] = j
			}
		}
	}
	return at
}

// TestAttentionListsAndMemberPage: the Attention tab lists newcomers (welcomed? introduced?),
// members gone quiet (for a number of days the page may change, within limits) and the most active,
// each row linking to the member's page; the member page shows her figures and history: posts,
// support conversations with links, her ban in the moderation log, the report about her.
func TestAttentionListsAndMemberPage(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := newSite(t, st)
		alice, bob, carol := s.member(s.lobby), s.member(s.lobby), s.member(s.lobby)
		s.postBy(alice, s.lobby, "<p>one</p>")
		s.postBy(alice, s.lobby, "<p>two</p>")
		s.postBy(bob, s.lobby, "<p>three</p>")
		s.postBy(carol, s.lobby, "<p>four</p>")
		conversation := s.directMessage(alice, s.lobby, alice.IRI+"/statuses/dm1", "<p>a question</p>")
		if err := st.MarkMemberIntroduced(ctx, s.lobby.ID, bob.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		// carol joined long ago and has said nothing for 40 days.
		if err := st.DB().Exec("UPDATE member_activity SET first_seen_at = ?, last_active_at = ? WHERE group_id = ? AND actor_id = ?",
			time.Now().AddDate(0, 0, -100).UTC(), time.Now().AddDate(0, 0, -40).UTC(), s.lobby.ID, carol.ID).Error; err != nil {
			t.Fatal(err)
		}
		elsewhere := s.member(s.desk)

		b := s.loggedIn(lobbyMod)
		status, page := b.get("/admin/groups/lobby/attention")
		if status != http.StatusOK || !strings.Contains(page, `href="/admin/groups/lobby/attention" aria-current="page">Attention</a>`) {
			t.Fatalf("attention page: %d, or no current Attention tab:\n%s", status, page)
		}
		if at := listed(page, alice, bob, carol, elsewhere); at[0] < 0 || at[1] < 0 || at[2] >= 0 || at[3] >= 0 {
			t.Errorf("newcomers: alice, bob, carol, another group's member at %v; want the first two only", at)
		}
		// The last two columns: welcomed? (nobody: the site's members were not welcomed) and
		// introduced? (bob only).
		for _, row := range rowsOf(page) {
			cells := strings.Split(row, "<td>")
			welcomed, introduced := cells[len(cells)-2], cells[len(cells)-1]
			isBob := strings.Contains(row, "/members/"+bob.ID+`"`)
			if !strings.HasPrefix(welcomed, "<strong>no</strong>") || strings.HasPrefix(introduced, "yes, <time") != isBob {
				t.Errorf("welcomed? %q introduced? %q (bob: %t)", welcomed, introduced, isBob)
			}
		}

		_, page = b.get("/admin/groups/lobby/attention?list=quiet")
		if at := listed(page, alice, bob, carol); at[0] >= 0 || at[1] >= 0 || at[2] < 0 {
			t.Errorf("gone quiet for 30 days: alice, bob, carol at %v; want carol only", at)
		}
		_, page = b.get("/admin/groups/lobby/attention?list=quiet&days=60")
		if at := listed(page, carol); at[0] >= 0 {
			t.Error("carol listed as quiet for 60 days after 40")
		}
		for _, days := range []string{"6", "366", "thirty", "-1", "30.5"} {
			if status, _ := b.get("/admin/groups/lobby/attention?list=quiet&days=" + days); status != http.StatusBadRequest {
				t.Errorf("days=%s: %d, want 400", days, status)
			}
		}
		if status, _ := b.get("/admin/groups/lobby/attention?list=nobody"); status != http.StatusBadRequest {
			t.Errorf("unknown list: %d, want 400", status)
		}

		_, page = b.get("/admin/groups/lobby/attention?list=active")
		if at := listed(page, alice, bob, carol); at[0] != 0 || at[1] < 1 || at[2] < 1 {
			t.Errorf("most active: alice, bob, carol at %v; want alice first", at)
		}

		// Her ban goes into the moderation log, and her conversation becomes a report.
		if status, _ := b.submit("/admin", "/admin/groups/lobby/support/"+conversation+"/report", url.Values{"reason": {"rude"}}); status != http.StatusSeeOther {
			t.Fatalf("turn into a report: %d", status)
		}
		if status, _ := b.submit("/admin", "/admin/groups/lobby/members/ban", url.Values{"actor": {alice.IRI}, "reason": {"spam links"}}); status != http.StatusSeeOther {
			t.Fatalf("ban: %d", status)
		}

		_, list := b.get("/admin/groups/lobby/members?state=accepted")
		if !strings.Contains(list, `href="/admin/groups/lobby/members/`+bob.ID+`"`) {
			t.Error("the members list does not link to the member page")
		}
		status, page = b.get("/admin/groups/lobby/members/" + alice.ID)
		if status != http.StatusOK {
			t.Fatalf("alice's page: %d", status)
		}
		for _, want := range []string{
			`<dd id="posts">2</dd>`, `<dd id="replies">0</dd>`, `<dd id="support-conversations">1</dd>`,
			`href="/admin/groups/lobby/support/` + conversation + `"`, "a question",
			"<strong>banned</strong>", "spam links", string(model.ActionMemberBan), `href="/admin/reports/`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("alice's page lacks %q", want)
			}
		}
		if strings.Contains(page, `id="first-seen"></dd>`) || !strings.Contains(page, `id="last-active"><time`) {
			t.Error("alice's page lacks first seen or last active")
		}
		if _, page = b.get("/admin/groups/lobby/members/" + bob.ID); strings.Contains(page, "spam links") || strings.Contains(page, `href="/admin/reports/`) {
			t.Error("bob's page shows alice's history")
		}
		for _, path := range []string{"/admin/groups/lobby/members/" + elsewhere.ID, "/admin/groups/lobby/members/no-such-actor"} {
			if status, _ := b.get(path); status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, status)
			}
		}
	})
}

// TestAttentionRoles: only staff who moderate the group read its attention lists and member
// pages; a moderator of another group reaches neither, not even through her own group's path.
func TestAttentionRoles(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	s := newSite(t, st)
	alice := s.member(s.lobby)
	checkRoles(t, s, s.lobby, []roleRoute{
		{name: "attention", target: func() string { return "/admin/groups/lobby/attention" }},
		{name: "gone quiet", target: func() string { return "/admin/groups/lobby/attention?list=quiet&days=7" }},
		{name: "member page", target: func() string { return "/admin/groups/lobby/members/" + alice.ID }},
	}, []string{lobbyMod, acmeAdmin, acmeOwner, instanceAdmin}, []string{deskMod, otherAdmin})

	desk := s.loggedIn(deskMod)
	if status, body := desk.get("/admin/groups/desk/members/" + alice.ID); status != http.StatusNotFound || strings.Contains(body, alice.PreferredUsername) {
		t.Errorf("lobby's member under desk's path: %d", status)
	}
	if status, body := desk.get("/admin/groups/desk/attention?list=active"); status != http.StatusOK || strings.Contains(body, alice.ID) {
		t.Errorf("desk's attention page: %d, or it lists lobby's member", status)
	}
}
