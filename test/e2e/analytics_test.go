package e2e

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// carolsQuestion is what carol, who is no member of the group, asks it in public.
const carolsQuestion = "Does the tenants' desk open on Saturdays too?"

// engageWithGroupPost has the peer's people react to the group's post as Mastodon users do: bob (a
// member) likes it and boosts it, each activity sent to the group as its author; carol, who follows
// nothing, mentions the group in a public question. Each is acknowledged by Kring before it returns.
// It returns carol's note.
func engageWithGroupPost(t *testing.T, peer *fedify, group, postIRI string) (carolsNote string) {
	t.Helper()
	var sent struct{ Sent string }
	peer.control(t, "/control/like", url.Values{"actor": {"bob"}, "object": {postIRI}, "to": {group}}, &sent)
	peer.control(t, "/control/announce", url.Values{"actor": {"bob"}, "object": {postIRI}, "to": {group}}, &sent)
	return peer.post(t, "carol", group, carolsQuestion).Note
}

// answerMention has the organisation's admin find carol's question on the group's Mentions tab (the
// group refused it as a post: only followers post in it) and answer it as the group: the Write tab
// opens with carol's handle as Kring knows her (her server's host, without the test's port); the
// admin writes over it, and Kring puts it back, so carol's server receives the group's public reply to
// her note, mentioning her.
func answerMention(t *testing.T, b *browser, peer *fedify, group, carolsNote string) {
	t.Helper()
	question := `//table[contains(@class,"mentions")]//tr[contains(., "open on Saturdays")]`
	b.awaitText("/admin/groups/tenants/mentions", "table.mentions", "open on Saturdays")
	b.expect("h1", "Mentions of Tenants' Desk by non-members")
	b.expect(question, "@carol@")
	b.screenshot("mentions")
	b.click(question + `//a[normalize-space()="Answer as the group"]`)
	b.expect("h1", "Write as Tenants' Desk")
	b.expectValue(`textarea[name="text"]`, "@carol@127.0.0.1")
	const answer = "Yes: on Saturdays from 10:00 to 12:00, in the community room."
	b.fill(map[string]string{`textarea[name="text"]`: answer})
	b.click(`//button[normalize-space()="Publish now"]`)
	b.expect(".notice", "Published")
	got := peer.awaitCreateSaying(t, "carol", group, answer, 30*time.Second)
	if got.InReplyTo != carolsNote || !slices.Contains(got.Mentions, peer.actor("carol")) {
		t.Errorf("carol's server received the group's answer in reply to %q mentioning %v, want a reply to %s mentioning her",
			got.InReplyTo, got.Mentions, carolsNote)
	}
}

// seeOrganisationAnalytics has the organisation's admin open its Analytics page: the tenants' group
// is among its groups, the totals count the like and the boost, and carol's question is among the
// newest mentions, linking to the group's Mentions tab.
func seeOrganisationAnalytics(b *browser) {
	b.open("/admin/organisations/acme/analytics?days=7")
	b.expect("h1", "Reach and engagement of Acme Housing Co-op")
	b.expect(`//table[@id="groups-table"]//tr[.//a[normalize-space()="Tenants' Desk"]]`, "Tenants' Desk")
	b.expectFact("Likes, boosts, replies", "1, 1, 1")
	b.expect("#newest-mentions-list", "open on Saturdays", "Tenants' Desk")
	b.screenshot("organisation-analytics")
}

// seeAnalytics has the organisation's admin open the group's Analytics tab after the day's work:
// the peer's two members joined (alice and bob, approved) and one left (alice, banned), and the
// members chart's CSV, downloaded in the same session, says what its table says.
func seeAnalytics(t *testing.T, k *kring, b *browser) {
	t.Helper()
	// The like and the boost are processed after Kring acknowledged them: the page shows them soon.
	b.awaitText("/admin/groups/tenants/analytics?days=7", fact("Likes, boosts, replies"), "1, 1, ")
	b.expect("h1", "Reach and engagement of Tenants' Desk")
	b.expect(`//table[contains(@class,"top-posts")]//tr[contains(., "The rent committee meets")]`, "1")
	b.expectFact("Joined", "2")
	b.expectFact("Left", "1")
	b.expectFact("Net growth", "1")
	b.screenshot("analytics")
	b.screenshotAsPhone("analytics-phone")
	var table [][]string
	var cookies []*network.Cookie
	if err := b.step(func(ctx context.Context) (err error) {
		table, err = chromedp.Run(ctx, chromedp.Evaluate[[][]string](
			`[...document.querySelectorAll("#members-table tr")].map(r => [...r.children].map(c => c.textContent.trim()))`))
		if err != nil {
			return err
		}
		got, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
		cookies = got.Cookies
		return err
	}); err != nil {
		t.Fatalf("read the members table and the session: %v", err)
	}
	// The page's policy lets no script fetch: the CSV is downloaded with the browser's session.
	req, err := http.NewRequest(http.MethodGet, k.base+"/admin/groups/tenants/analytics.csv?chart=members&days=7", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("download the members CSV: %s, %v", resp.Status, err)
	}
	body := string(raw)
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the members CSV does not parse: %v\n%s", err, body)
	}
	if len(rows) != len(table) {
		t.Fatalf("the members CSV has %d rows, its table %d:\n%v\n%v", len(rows), len(table), rows, table)
	}
	for i := range rows {
		if strings.Join(rows[i], "|") != strings.Join(table[i], "|") {
			t.Errorf("row %d: CSV %v, table %v", i, rows[i], table[i])
		}
	}
}
