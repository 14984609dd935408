package e2e

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// seeAnalytics has the organisation's admin open the group's Analytics tab after the day's work:
// the peer's two members joined (alice and bob, approved) and one left (alice, banned), and the
// members chart's CSV, downloaded in the same session, says what its table says.
func seeAnalytics(t *testing.T, k *kring, b *browser) {
	t.Helper()
	b.open("/admin/groups/tenants/analytics?days=7")
	b.expect("h1", "Reach and engagement of Tenants' Desk")
	b.expectFact("Joined", "2")
	b.expectFact("Left", "1")
	b.expectFact("Net growth", "1")
	b.screenshot("analytics")
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
