package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

// checkBeingFound reads the group's public page as a visitor's browser does, and its feeds as a
// feed reader does: the page carries OpenGraph and Twitter card tags and advertises its RSS and
// Atom feeds, which an independent parser (mmcdole/gofeed) reads with the group's post text in
// them.
func checkBeingFound(t *testing.T, k *kring, b *browser, warning, text string) {
	t.Helper()
	// The page may be kept for a minute (Cache-Control max-age=60) and this browser read it a
	// moment ago, before the post: a new address is read anew.
	b.open("/groups/tenants?fresh=1")
	b.tick(`//summary[contains(., "` + warning + `")]`) // the text waits behind its content warning
	b.expect("main", text)
	b.screenshot("group-public-posts")
	for property, want := range map[string]string{`meta[property="og:title"]`: "Tenants' Desk", `meta[property="og:url"]`: k.base + "/groups/tenants",
		`meta[name="twitter:card"]`: "summary"} {
		if got := b.attribute(property, "content"); !strings.Contains(got, want) {
			t.Errorf("the group page's %s is %q, want it to contain %q", property, got, want)
		}
	}
	for _, kind := range []string{"rss", "atom"} {
		href := b.attribute(`link[rel="alternate"][type="application/`+kind+`+xml"]`, "href")
		if href == "" {
			t.Fatalf("the group page does not advertise its %s feed", kind)
		}
		if strings.HasPrefix(href, "/") {
			href = k.base + href
		}
		resp, err := http.Get(href)
		if err != nil {
			t.Fatal(err)
		}
		feed, err := gofeed.NewParser().Parse(resp.Body)
		_ = resp.Body.Close()
		if err != nil || feed.FeedType != kind {
			t.Fatalf("%s does not parse as %s: %v (%+v)", href, kind, err, feed)
		}
		found := false
		for _, item := range feed.Items {
			found = found || strings.Contains(item.Description+item.Content, text)
		}
		if !found {
			t.Errorf("the %s feed has no item saying %q", kind, text)
		}
	}
}
