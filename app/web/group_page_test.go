package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
)

func TestGroupPageListsPinnedThenRecentPosts(t *testing.T) {
	gin.SetMode(gin.TestMode)
	public, _ := url.Parse("https://kring.example")
	pages := NewGroupPages(federation.NewIRIs(public))
	group := store.GroupInOrganisation{Group: model.Group{Slug: "lobby", Name: "Lobby"}}
	published := time.Date(2025, 3, 7, 9, 30, 0, 0, time.UTC)
	actorID := "actor"
	member := func(name, displayName, link, content string, likes int) store.AuthoredPost {
		return store.AuthoredPost{Post: model.Post{AuthorKind: model.AuthorRemote, AuthorActorID: &actorID, ObjectIRI: "https://m.example/notes/" + name,
			URL: link, ContentHTML: content, PublishedAt: published, LikeCount: likes}, AuthorName: displayName, AuthorUsername: name, AuthorHost: "m.example"}
	}
	posts := store.GroupPagePosts{
		Pinned: []store.AuthoredPost{{Post: model.Post{AuthorKind: model.AuthorGroup, ContentHTML: "<p>Welcome, read the rules</p>", PublishedAt: published, LikeCount: 1}}},
		Recent: []store.AuthoredPost{
			member("alice", "Alice <b>A</b>", "https://m.example/@alice/1", "<p>Hello <em>all</em></p>", 3),
			member("bob", "", "javascript:alert(1)", "<p>from bob</p>", 0),
			{Post: model.Post{AuthorKind: model.AuthorRemote, AuthorActorID: &actorID, Summary: "spoilers", ContentHTML: "<p>hidden</p>", PublishedAt: published},
				AuthorName: "Carol", AuthorUsername: "carol", AuthorHost: "c.example"},
		},
	}
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	c.Request = httptest.NewRequest(http.MethodGet, "/groups/lobby", nil)
	pages.Render(c, group, 2, posts)
	page := rec.Body.String()

	if csp := rec.Header().Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	for _, tc := range []struct {
		what, text string
		present    bool
	}{
		{"group as author of its pinned post", `<strong>Lobby</strong> <span class="pin">Pinned</span>`, true},
		{"stored HTML rendered as HTML", "<p>Hello <em>all</em></p>", true},
		{"display name escaped", "<strong>Alice &lt;b&gt;A&lt;/b&gt;</strong> <span class=\"handle\">@alice@m.example</span>", true},
		{"member post linked to its page", `<a href="https://m.example/@alice/1" rel="nofollow noopener">`, true},
		{"handle when there is no display name", "<strong>@bob@m.example</strong><br>", true},
		{"no link to a javascript: URL", "javascript:", false},
		{"falls back to the object id", `<a href="https://m.example/notes/bob"`, true},
		{"published date", `<time datetime="2025-03-07T09:30:00Z">7 March 2025</time>`, true},
		{"like counts", "<footer>3 likes</footer>", true},
		{"one like", "<footer>1 like</footer>", true},
		{"no zero likes", "0 likes", false},
		{"content warning folds the content", "<details><summary>spoilers</summary><p>hidden</p></details>", true},
		{"no avatar when the group has none", `class="avatar"`, false},
	} {
		if strings.Contains(page, tc.text) != tc.present {
			t.Errorf("%s: page contains %q is %v, want %v", tc.what, tc.text, !tc.present, tc.present)
		}
	}
	if pinned, recent := strings.Index(page, "Welcome, read the rules"), strings.Index(page, "Hello"); pinned < 0 || pinned > recent {
		t.Errorf("pinned post not first")
	}

	group.AvatarPath, group.HeaderPath = "0a1b.png", "2c3d.jpg"
	pictured := httptest.NewRecorder()
	c, _ = gin.CreateTestContext(pictured)
	c.Request = httptest.NewRequest(http.MethodGet, "/groups/lobby", nil)
	pages.Render(c, group, 0, store.GroupPagePosts{})
	for _, want := range []string{`<img class="avatar" src="/media/0a1b.png"`, `<img class="banner" src="/media/2c3d.jpg"`} {
		if !strings.Contains(pictured.Body.String(), want) {
			t.Errorf("a group with pictures: page lacks %s", want)
		}
	}
	if csp := pictured.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self'") {
		t.Errorf("pictures blocked by Content-Security-Policy %q", csp)
	}
	group.AvatarPath, group.HeaderPath = "", ""

	empty := httptest.NewRecorder()
	c, _ = gin.CreateTestContext(empty)
	c.Request = httptest.NewRequest(http.MethodGet, "/groups/lobby", nil)
	pages.Render(c, group, 0, store.GroupPagePosts{})
	if strings.Contains(empty.Body.String(), "<h2 id=\"posts\">") {
		t.Errorf("a group without posts shows an empty Posts section")
	}
}
