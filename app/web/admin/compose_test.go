package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestWriteAsTheGroup: the group's moderator publishes a post with a content warning (a Create goes
// out), finds it in the posts list, edits it (the form shows her text as written; an Update goes
// out), pins and unpins it, and deletes it (a Delete goes out); a member's post cannot be edited
// here; staff of another group can do none of it.
func TestWriteAsTheGroup(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		b := s.loggedIn(lobbyMod)
		const compose, posts = "/admin/groups/lobby/compose", "/admin/groups/lobby/posts"
		if status, _ := b.submit(compose, compose, url.Values{"text": {""}}); status != http.StatusBadRequest {
			t.Errorf("an empty post: %d, want 400", status)
		}
		text := "Meeting moved to <Thursday> & the room is upstairs.\n\nBring a friend!"
		if status, _ := b.submit(compose, compose, url.Values{"text": {text}, "summary": {"Schedule change"}}); status != http.StatusSeeOther {
			t.Fatalf("publish: %d", status)
		}
		var post model.Post
		if err := st.DB().Where("group_id = ? AND author_kind = ? AND summary = ?", s.lobby.ID, model.AuthorGroup, "Schedule change").Take(&post).Error; err != nil {
			t.Fatal(err)
		}
		if post.ContentHTML != "<p>Meeting moved to &lt;Thursday&gt; &amp; the room is upstairs.</p><p>Bring a friend!</p>" || post.CreateActivityIRI == "" {
			t.Fatalf("published %+v", post)
		}
		if status, shown := b.get(posts); status != http.StatusOK || !strings.Contains(shown, "CW:</strong> Schedule change") || !strings.Contains(shown, "/posts/"+post.ID+"/edit") {
			t.Fatalf("posts list %d: %s", status, shown)
		}
		edit := posts + "/" + post.ID + "/edit"
		if status, shown := b.get(edit); status != http.StatusOK || !strings.Contains(shown, "Meeting moved to &lt;Thursday&gt; &amp; the room is upstairs.\n\nBring a friend!") {
			t.Fatalf("edit form %d: %s", status, shown)
		}
		if status, _ := b.submit(edit, edit, url.Values{"text": {"Meeting moved to Friday."}, "summary": {""}}); status != http.StatusSeeOther {
			t.Fatalf("save: %d", status)
		}
		if edited := s.postNow(post.ID); edited.ContentHTML != "<p>Meeting moved to Friday.</p>" || edited.EditedAt == nil || edited.Summary != "" {
			t.Fatalf("edited %+v", edited)
		}
		for _, step := range []struct {
			path   string
			pinned bool
		}{{"/pin", true}, {"/unpin", false}} {
			if status, _ := b.submit(posts, posts+"/"+post.ID+step.path, nil); status != http.StatusSeeOther {
				t.Fatalf("%s: %d", step.path, status)
			}
			if got := s.postNow(post.ID).PinnedAt != nil; got != step.pinned {
				t.Errorf("after %s pinned=%t", step.path, got)
			}
		}

		if _, err := s.talk.SetIntroductionsPrompt(t.Context(), s.lobby.ID, nil, ""); err != nil {
			t.Fatal(err)
		}
		prompt := *s.groupNow("lobby").IntroductionsPostID
		if status, _ := b.submit(posts, posts+"/"+prompt+"/delete", nil); status != http.StatusConflict {
			t.Errorf("deleting the introductions prompt from the posts list: %d, want 409", status)
		}
		if _, shown := b.get(posts); !strings.Contains(shown, "Kept in step with") {
			t.Errorf("the posts list offers to edit the introductions prompt")
		}
		member := s.newPost(s.lobby, "<p>a member's words</p>", conversations.Shared)
		if status, _ := b.get(posts + "/" + member.ID + "/edit"); status != http.StatusBadRequest {
			t.Errorf("editing a member's post: %d, want 400", status)
		}
		desk := s.loggedIn(deskMod)
		for _, path := range []string{compose, posts + "/" + post.ID + "/edit", posts + "/" + post.ID + "/delete", posts + "/" + post.ID + "/pin"} {
			if got, _ := desk.submit("/admin", path, url.Values{"text": {"taken over"}}); got != http.StatusForbidden && got != http.StatusNotFound {
				t.Errorf("another group's moderator posted to %s: %d", path, got)
			}
		}

		if status, _ := b.submit(posts, posts+"/"+post.ID+"/delete", nil); status != http.StatusSeeOther {
			t.Fatalf("delete: %d", status)
		}
		var left int64
		if err := st.DB().Model(&model.Post{}).Where("id = ?", post.ID).Count(&left).Error; err != nil || left != 0 {
			t.Errorf("post still stored after deleting: %d %v", left, err)
		}
		for _, kind := range []string{"Create", "Update", "Delete"} {
			var n int64
			if err := st.DB().Model(&model.OutboundActivity{}).Where("activity_type = ? AND body LIKE ?", kind, "%"+post.ObjectIRI+"%").Count(&n).Error; err != nil || n == 0 {
				t.Errorf("no %s of the post stored (%v)", kind, err)
			}
		}
		for _, action := range []model.LogAction{model.ActionPostPublish, model.ActionPostEdit, model.ActionPostPin, model.ActionPostUnpin, model.ActionPostDelete} {
			var hers int
			for _, entry := range s.logged(s.lobby, action) {
				if entry.StaffAccountID != nil && *entry.StaffAccountID == s.staffID(lobbyMod) {
					hers++
				}
			}
			if hers != 1 {
				t.Errorf("%s logged %d times in her name, want once", action, hers)
			}
		}
	})
}

// TestWriteInSeveralGroups: an organisation admin publishes one post in two of its groups at once
// (each group's own post, sharing a publication id, shown together in the posts list); a moderator of
// one group may not add another, nor anyone a group of another organisation.
func TestWriteInSeveralGroups(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		const compose = "/admin/groups/lobby/compose"
		admin := s.loggedIn(acmeAdmin)
		if status, shown := admin.get(compose); status != http.StatusOK || !strings.Contains(shown, `value="`+s.desk.ID+`"`) || strings.Contains(shown, s.away.ID) {
			t.Fatalf("compose form %d: %s", status, shown)
		}
		if status, _ := admin.submit(compose, compose, url.Values{"text": {"Both groups: open day on Saturday."}, "also": {s.desk.ID}}); status != http.StatusSeeOther {
			t.Fatalf("publish in two groups: %d", status)
		}
		var posts []model.Post
		if err := st.DB().Where("author_kind = ? AND content_html LIKE ?", model.AuthorGroup, "%open day%").Order("group_id").Find(&posts).Error; err != nil {
			t.Fatal(err)
		}
		if len(posts) != 2 || posts[0].PublicationID == nil || posts[1].PublicationID == nil || *posts[0].PublicationID != *posts[1].PublicationID ||
			posts[0].GroupID == posts[1].GroupID {
			t.Fatalf("posts %+v, want one per group sharing a publication", posts)
		}
		if _, shown := admin.get("/admin/groups/desk/posts"); !strings.Contains(shown, "Published together in Desk, Lobby") {
			t.Errorf("desk's posts do not show the publication: %s", shown)
		}
		moderator := s.loggedIn(lobbyMod)
		if status, _ := moderator.submit(compose, compose, url.Values{"text": {"sneaking into desk"}, "also": {s.desk.ID}}); status != http.StatusForbidden {
			t.Errorf("a lobby moderator adding desk: %d, want 403", status)
		}
		if status, _ := admin.submit(compose, compose, url.Values{"text": {"into another organisation"}, "also": {s.away.ID}}); status != http.StatusForbidden {
			t.Errorf("adding another organisation's group: %d, want 403", status)
		}
		var sneaked int64
		if err := st.DB().Model(&model.Post{}).Where("content_html LIKE ? OR content_html LIKE ?", "%sneaking%", "%another organisation%").Count(&sneaked).Error; err != nil || sneaked != 0 {
			t.Errorf("%d refused posts were published (%v)", sneaked, err)
		}
	})
}
