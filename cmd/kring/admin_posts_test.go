package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAdminPostsAsTheGroup publishes as the group, pins and unpins, lists and deletes, through the
// command line, and refuses what makes no sense with the documented exit codes.
func TestAdminPostsAsTheGroup(t *testing.T) {
	t.Parallel()
	forEachAdminDatabase(t, func(t *testing.T, admin adminRunner) {
		for _, args := range [][]string{
			{"org", "create", "--slug", "acme", "--name", "Acme"},
			{"group", "create", "--org", "acme", "--slug", "news", "--name", "News", "--posting-policy", "moderators"},
		} {
			if code, _, errOut := admin(t, args...); code != exitOK {
				t.Fatalf("%v: exit %d: %s", args, code, errOut)
			}
		}
		code, out, errOut := admin(t, "post", "publish", "--group", "news", "--text", "Doors open at 9.\n\nBring a friend.", "--pin", "--json")
		if code != exitOK {
			t.Fatalf("publish: exit %d: %s", code, errOut)
		}
		var post postView
		if err := json.Unmarshal([]byte(out), &post); err != nil {
			t.Fatal(err)
		}
		if post.Author != "group" || !post.Pinned || post.State != "visible" || post.Content != "<p>Doors open at 9.</p><p>Bring a friend.</p>" ||
			!strings.HasSuffix(post.Object, "/groups/news/posts/"+post.ID) {
			t.Errorf("published %+v", post)
		}
		if code, out, _ = admin(t, "post", "unpin", "--id", post.ID, "--json"); code != exitOK || strings.Contains(out, `"pinned": true`) {
			t.Errorf("unpin: exit %d: %s", code, out)
		}
		code, out, _ = admin(t, "post", "list", "--group", "news", "--json")
		var list []postView
		if err := json.Unmarshal([]byte(out), &list); code != exitOK || err != nil || len(list) != 1 || list[0].ID != post.ID {
			t.Errorf("list: exit %d: %s", code, out)
		}
		for _, tc := range []struct {
			args []string
			code int
		}{
			{[]string{"post", "publish", "--group", "news"}, exitUsage},
			{[]string{"post", "publish", "--group", "news", "--text", "   "}, exitUsage},
			{[]string{"post", "publish", "--group", "nowhere", "--text", "hi"}, exitNotFound},
			{[]string{"post", "approve", "--id", "no-such-post"}, exitNotFound},
			{[]string{"post", "approve", "--id", post.ID}, exitConflict},
			{[]string{"post", "remove", "--id", post.ID, "--reason", "x"}, exitInvalid},
		} {
			if code, _, errOut := admin(t, tc.args...); code != tc.code {
				t.Errorf("%v: exit %d (%s), want %d", tc.args, code, errOut, tc.code)
			}
		}
		if code, _, errOut := admin(t, "post", "delete", "--id", post.ID); code != exitOK {
			t.Fatalf("delete: exit %d: %s", code, errOut)
		}
		if code, out, _ = admin(t, "post", "list", "--group", "news"); code != exitOK || !strings.Contains(out, "no posts") {
			t.Errorf("after delete: %s", out)
		}
	})
}
