package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// listedPosts are the numbers of the lobby's posts a page shows, in its order.
func listedPosts(page string) []string {
	var numbers []string
	for _, m := range regexp.MustCompile(`Post number (\d+) of the lobby`).FindAllStringSubmatch(page, -1) {
		numbers = append(numbers, m[1])
	}
	return numbers
}

func numbers(from, to int) []string {
	var out []string
	for i := from; i >= to; i-- {
		out = append(out, fmt.Sprint(i))
	}
	return out
}

func TestGroupPagePagingPreviewsAndCaching(t *testing.T) {
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		s := newPublicSite(t, st, 45)
		pinnedAt := sitePostTime.Add(time.Hour * 24)
		if err := st.DB().Model(&model.Post{}).Where("id = ?", s.posts[0].ID).Update("pinned_at", pinnedAt).Error; err != nil {
			t.Fatal(err)
		}

		resp, page := s.get("/groups/lobby")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if got, want := strings.Join(listedPosts(page), ","), strings.Join(append([]string{"0"}, numbers(44, 25)...), ","); got != want {
			t.Errorf("first page lists %s, want the pinned post then %s", got, want)
		}
		older := `/groups/lobby?before=` + s.posts[25].ID + `#posts`
		if !strings.Contains(page, `<a href="`+older+`" rel="next">Older posts</a>`) {
			t.Fatalf("first page has no Older posts link to %s", older)
		}
		_, second := s.get(strings.TrimSuffix(older, "#posts"))
		if got, want := strings.Join(listedPosts(second), ","), strings.Join(numbers(24, 5), ","); got != want {
			t.Errorf("second page lists %s, want %s", got, want)
		}
		if !strings.Contains(second, `<a href="/groups/lobby#posts">Newest posts</a>`) {
			t.Errorf("second page has no link back to the newest posts")
		}
		_, last := s.get("/groups/lobby?before=" + s.posts[5].ID)
		if got, want := strings.Join(listedPosts(last), ","), strings.Join(numbers(4, 1), ","); got != want {
			t.Errorf("last page lists %s, want %s", got, want)
		}
		if strings.Contains(last, `rel="next"`) {
			t.Errorf("last page links to older posts")
		}
		if resp, _ := s.get("/groups/lobby?before=" + model.NewID()); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown before: status %d, want 404", resp.StatusCode)
		}

		// Caching: the same page is 304 to its ETag and its Last-Modified.
		etag, modified := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if etag == "" || modified == "" {
			t.Fatalf("ETag %q, Last-Modified %q", etag, modified)
		}
		// The group was made after the posts' times: its settings are the newest change.
		if want := s.lobby.UpdatedAt.UTC().Format(http.TimeFormat); modified != want {
			t.Errorf("Last-Modified %q, want the group's last change %q", modified, want)
		}
		if again, body := s.get("/groups/lobby", "If-None-Match", etag); again.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("with its ETag: status %d, want 304 with no body", again.StatusCode)
		}
		if again, _ := s.get("/groups/lobby", "If-Modified-Since", modified); again.StatusCode != http.StatusNotModified {
			t.Errorf("with its Last-Modified: status %d, want 304", again.StatusCode)
		}
		if again, _ := s.get("/groups/lobby", "If-None-Match", `"other"`); again.StatusCode != http.StatusOK {
			t.Errorf("with another ETag: status %d, want 200", again.StatusCode)
		}

		// Link previews.
		for _, want := range []string{
			`<meta property="og:type" content="website">`,
			`<meta property="og:title" content="Lobby (@lobby@`,
			`<meta property="og:description" content="About lobby">`,
			`<meta property="og:url" content="` + s.base + `/groups/lobby">`,
			`<meta name="twitter:card" content="summary">`,
			`<a href="/orgs/acme">More groups of Acme</a>`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %s", want)
			}
		}
		if strings.Contains(page, "og:image") {
			t.Errorf("og:image without pictures")
		}
		if err := st.DB().Model(&model.Group{}).Where("id = ?", s.lobby.ID).Update("avatar_path", "0a1b.png").Error; err != nil {
			t.Fatal(err)
		}
		_, page = s.get("/groups/lobby")
		if want := `<meta property="og:image" content="` + s.base + `/media/0a1b.png">`; !strings.Contains(page, want) ||
			!strings.Contains(page, `content="summary"`) {
			t.Errorf("with an avatar: page lacks %s or the summary card", want)
		}
		if err := st.DB().Model(&model.Group{}).Where("id = ?", s.lobby.ID).Update("header_path", "2c3d.jpg").Error; err != nil {
			t.Fatal(err)
		}
		_, page = s.get("/groups/lobby")
		if want := `<meta property="og:image" content="` + s.base + `/media/2c3d.jpg">`; !strings.Contains(page, want) ||
			!strings.Contains(page, `<meta name="twitter:card" content="summary_large_image">`) {
			t.Errorf("with a header: page lacks %s or the large card", want)
		}
		if again, _ := s.get("/groups/lobby", "If-None-Match", etag); again.StatusCode != http.StatusOK {
			t.Errorf("changed page with the old ETag: status %d, want 200", again.StatusCode)
		}
	})
}
