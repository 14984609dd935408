package admin_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/federation/documents"
	"github.com/kring-social/kring/test/testenv"
)

// sendCompose posts the Write form at path as a browser does (multipart), with the CSRF token of
// the page at from, fields and files (by field name).
func (b *browser) sendCompose(from, path string, fields url.Values, files map[string][]byte) (int, string) {
	b.t.Helper()
	_, page := b.get(from)
	token := csrfInput.FindStringSubmatch(page)
	if token == nil {
		b.t.Fatalf("no CSRF token on %s", from)
	}
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	_ = form.WriteField("csrf", token[1])
	for name, values := range fields {
		for _, value := range values {
			_ = form.WriteField(name, value)
		}
	}
	for name, content := range files {
		part, _ := form.CreateFormFile(name, name+".jpg")
		_, _ = part.Write(content)
	}
	_ = form.Close()
	resp, err := b.client.Post(b.site.server.URL+path, form.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(reply)
}

// mountPublicPages serves the groups' public pages and documents on the site, as Kring does.
func (s *site) mountPublicPages() {
	pages := web.NewGroupPages(s.iris)
	pages.Mount(s.engine)
	documents.NewRoutes(documents.Config{Store: s.store, IRIs: s.iris, GroupPage: pages.Render}).Mount(s.engine)
}

// getAs fetches path with an Accept header and returns the status and body.
func (b *browser) getAs(path, accept string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	if !strings.HasPrefix(path, "http") {
		req, _ = http.NewRequest(http.MethodGet, b.site.server.URL+path, nil)
	}
	req.Header.Set("Accept", accept)
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var keptPicture = regexp.MustCompile(`name="image_1" value="([^"]+)"`)

// groupPosts counts the group's own posts and the Creates queued.
func (s *site) ownPostsAndCreates(group model.Group) (posts, creates int64) {
	s.t.Helper()
	if err := s.store.DB().Model(&model.Post{}).Where("group_id = ? AND author_kind = ?", group.ID, model.AuthorGroup).Count(&posts).Error; err != nil {
		s.t.Fatal(err)
	}
	if err := s.store.DB().Model(&model.OutboundActivity{}).Where("activity_type = ?", "Create").Count(&creates).Error; err != nil {
		s.t.Fatal(err)
	}
	return posts, creates
}

// TestWriteWithPicturesLanguageAndHashtags: the moderator previews a post with a picture, a
// language, a hashtag and a content warning (shown as a Mastodon user would see it, the uploaded
// picture kept in the form, nothing published), publishes it; the group's public page shows the
// picture with its alt text under the warning, the post's lang, and the hashtag's link, which leads
// to the group's page of that tag listing it; the Note at its id carries the attachment, the
// Hashtag and contentMap. Editing shows the picture and its alt text, changes the alt text (the
// Update carries it) and then removes the picture.
func TestWriteWithPicturesLanguageAndHashtags(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		s.mountPublicPages()
		b := s.loggedIn(lobbyMod)
		const compose = "/admin/groups/lobby/compose"
		if _, page := b.get(compose); !strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, `<option value="en" selected>`) {
			t.Fatalf("the Write form is not multipart with English chosen: %s", page)
		}
		fields := url.Values{"text": {"Spring #Gardening day, bring spades."}, "summary": {"Mud"}, "language": {"de"},
			"alt_1": {"Two spades in wet soil"}, "preview": {"1"}}
		status, page := b.sendCompose(compose, compose, fields, map[string][]byte{"file_1": photo(t, 800, 600)})
		if status != http.StatusOK {
			t.Fatalf("preview: %d %s", status, page)
		}
		tagLink := `<a href="` + s.iris.GroupTag("lobby", "gardening") + `" class="mention hashtag" rel="tag">#<span>Gardening</span></a>`
		for _, want := range []string{"Preview: how Mastodon shows it", `<article lang="de">`, "<summary>Mud</summary>", tagLink,
			`alt="Two spades in wet soil"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the preview lacks %s", want)
			}
		}
		kept := keptPicture.FindStringSubmatch(page)
		if kept == nil {
			t.Fatalf("the preview does not keep the uploaded picture: %s", page)
		}
		if posts, creates := s.ownPostsAndCreates(s.lobby); posts != 0 || creates != 0 {
			t.Fatalf("a preview published %d posts, %d Creates", posts, creates)
		}

		fields.Del("preview")
		fields.Set("image_1", kept[1])
		if status, page := b.sendCompose(compose, compose, fields, nil); status != http.StatusSeeOther {
			t.Fatalf("publish: %d %s", status, page)
		}
		var post model.Post
		if err := st.DB().Where("group_id = ? AND author_kind = ?", s.lobby.ID, model.AuthorGroup).Take(&post).Error; err != nil {
			t.Fatal(err)
		}
		if post.Language != "de" || !strings.Contains(post.ContentHTML, tagLink) {
			t.Errorf("published %+v", post)
		}

		status, groupPage := b.getAs("/groups/lobby", "text/html")
		if status != http.StatusOK {
			t.Fatalf("group page: %d", status)
		}
		for _, want := range []string{`<article lang="de">`, `<img src="/media/` + kept[1] + `" alt="Two spades in wet soil"`, tagLink} {
			if !strings.Contains(groupPage, want) {
				t.Errorf("the group page lacks %s", want)
			}
		}
		if status, tagged := b.getAs(s.iris.GroupTag("lobby", "gardening"), "text/html"); status != http.StatusOK ||
			!strings.Contains(tagged, "Posts tagged #gardening") || !strings.Contains(tagged, "bring spades") {
			t.Errorf("the hashtag's link: %d %s", status, tagged)
		}
		if status, tagged := b.getAs(s.iris.GroupTag("lobby", "cooking"), "text/html"); status != http.StatusOK || strings.Contains(tagged, "bring spades") {
			t.Errorf("another hashtag's page: %d, lists the post: %t", status, strings.Contains(tagged, "bring spades"))
		}
		if status, _ := b.getAs("/media/"+kept[1], "image/*"); status != http.StatusOK {
			t.Errorf("the picture is not served: %d", status)
		}

		status, body := b.getAs(post.ObjectIRI, "application/activity+json")
		var note map[string]any
		if err := json.Unmarshal([]byte(body), &note); status != http.StatusOK || err != nil {
			t.Fatalf("the Note at its id: %d %v", status, err)
		}
		attachments, _ := note["attachment"].([]any)
		tags, _ := note["tag"].([]any)
		if len(attachments) != 1 || attachments[0].(map[string]any)["name"] != "Two spades in wet soil" ||
			len(tags) != 1 || tags[0].(map[string]any)["type"] != "Hashtag" || note["contentMap"] == nil || note["sensitive"] != true {
			t.Errorf("the Note at its id: %s", body)
		}

		edit := "/admin/groups/lobby/posts/" + post.ID + "/edit"
		if _, form := b.get(edit); !strings.Contains(form, `name="image_1" value="`+kept[1]+`"`) || !strings.Contains(form, "Two spades in wet soil</textarea>") ||
			!strings.Contains(form, "Spring #Gardening day, bring spades.</textarea>") {
			t.Fatalf("the edit form does not show the post as written with its picture: %s", form)
		}
		change := url.Values{"text": {"Spring #Gardening day, bring spades."}, "summary": {"Mud"}, "language": {"de"},
			"image_1": {kept[1]}, "alt_1": {"Two spades in very wet soil"}}
		if status, page := b.sendCompose(edit, edit, change, nil); status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", status, page)
		}
		var update model.OutboundActivity
		if err := st.DB().Where("activity_type = ?", "Update").Order("created_at DESC").Take(&update).Error; err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(update.Body, `"name":"Two spades in very wet soil"`) || !strings.Contains(update.Body, `"type":"Hashtag"`) {
			t.Errorf("the Update lacks the new alt text or the hashtag: %s", update.Body)
		}
		change.Set("remove_1", "on")
		if status, page := b.sendCompose(edit, edit, change, nil); status != http.StatusSeeOther {
			t.Fatalf("remove the picture: %d %s", status, page)
		}
		if parts, err := st.PartsOfPost(t.Context(), post.ID); err != nil || len(parts.Media) != 0 || len(parts.Hashtags) != 1 {
			t.Errorf("after removing the picture: %+v %v", parts, err)
		}
	})
}

// elevenMentions mentions eleven accounts, one more than a post may.
var elevenMentions = func() string {
	var b strings.Builder
	for _, user := range "abcdefghijk" {
		b.WriteString("@" + string(user) + "@social.example ")
	}
	return b.String()
}()

// TestWriteFormRefusesHostilePictures: five pictures, alt text over 1500 characters, an upload that
// is not a picture or is over 8 MiB, a kept picture whose name Kring did not give a post's picture
// (a path, a group's avatar's kind of name, one that does not exist), and a mention that cannot be
// found (its host is loopback, which Kring does not fetch) or eleven mentions are each refused with 400, and nothing
// is published or queued.
func TestWriteFormRefusesHostilePictures(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		b := s.loggedIn(lobbyMod)
		const compose = "/admin/groups/lobby/compose"
		small := photo(t, 64, 48)
		huge := make([]byte, 8<<20+1)
		_, _ = rand.Read(huge)
		copy(huge, small[:4]) // a JPEG's first bytes, so only its size refuses it
		five := map[string][]byte{}
		for _, n := range []string{"1", "2", "3", "4", "5"} {
			five["file_"+n] = small
		}
		text := url.Values{"text": {"Hello"}}
		with := func(extra url.Values) url.Values {
			out := url.Values{"text": {"Hello"}}
			for k, v := range extra {
				out[k] = v
			}
			return out
		}
		for _, c := range []struct {
			name   string
			fields url.Values
			files  map[string][]byte
			says   string
		}{
			{"five pictures", text, five, "at most 4 pictures"},
			{"alt text too long", with(url.Values{"alt_1": {strings.Repeat("a", 1501)}}), map[string][]byte{"file_1": small}, "at most 1500 characters"},
			{"not a picture", text, map[string][]byte{"file_1": []byte("#!/bin/sh\necho hello\n")}, "PNG, JPEG, GIF or WebP"},
			{"over 8 MiB", text, map[string][]byte{"file_1": huge}, "at most 8 MiB"},
			{"a path", with(url.Values{"image_1": {"../../etc/passwd"}}), nil, "not one Kring stored for a post"},
			{"an avatar's name", with(url.Values{"image_1": {"0123456789abcdef0123456789abcdef.jpg"}}), nil, "not one Kring stored for a post"},
			{"a post's name that does not exist", with(url.Values{"image_1": {"post-0123456789abcdef0123456789abcdef.jpg"}}), nil, "not one Kring stored for a post"},
			{"an unknown mention", url.Values{"text": {"Hello @carol@127.0.0.1:9"}}, nil, "cannot mention @carol@127.0.0.1:9"},
			{"eleven mentions", url.Values{"text": {elevenMentions}}, nil, "at most 10 accounts"},
		} {
			status, page := b.sendCompose(compose, compose, c.fields, c.files)
			if status != http.StatusBadRequest || !strings.Contains(page, c.says) {
				t.Errorf("%s: %d, want 400 saying %q", c.name, status, c.says)
			}
		}
		if posts, creates := s.ownPostsAndCreates(s.lobby); posts != 0 || creates != 0 {
			t.Errorf("refused forms published %d posts, %d Creates", posts, creates)
		}
	})
}
