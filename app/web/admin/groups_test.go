package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/documents"
	"github.com/kring-social/kring/test/testenv"
)

// groupNow reads a group as stored.
func (s *site) groupNow(slug string) model.Group {
	s.t.Helper()
	g, err := s.store.GroupBySlug(context.Background(), slug)
	if err != nil {
		s.t.Fatal(err)
	}
	return g.Group
}

// settingsForm is the settings form of group as its page fills it in.
func settingsForm(g model.Group) url.Values {
	form := url.Values{"name": {g.Name}, "summary": {g.Summary}, "rules": {g.Rules}, "posting_policy": {string(g.PostingPolicy)}}
	if g.ApproveFollowers {
		form.Set("approve_followers", "on")
	}
	if g.Discoverable {
		form.Set("discoverable", "on")
	}
	return form
}

// sendPicture posts a picture to a group's upload form as a browser does (multipart), with the CSRF
// token of the group's page, or of the dashboard for someone who may not see the group.
func (b *browser) sendPicture(slug, kind string, picture []byte) (int, string) {
	b.t.Helper()
	return b.sendPictureTo("/admin/groups/"+slug+"/images", map[string]string{"kind": kind}, picture)
}

// sendPictureTo posts a picture with fields to an upload form at path, as a browser does.
func (b *browser) sendPictureTo(path string, fields map[string]string, picture []byte) (int, string) {
	b.t.Helper()
	_, page := b.get("/admin")
	token := csrfInput.FindStringSubmatch(page)
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	if token != nil {
		_ = form.WriteField("csrf", token[1])
	}
	for name, value := range fields {
		_ = form.WriteField(name, value)
	}
	part, _ := form.CreateFormFile("picture", "picture.jpg")
	_, _ = part.Write(picture)
	_ = form.Close()
	resp, err := b.client.Post(b.site.server.URL+path, form.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(reply)
}

// photo is a JPEG of w by h pixels, noisy so that it does not compress to nothing.
func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	seed := uint32(1)
	for i := range img.Pix {
		seed = seed*1664525 + 1013904223
		img.Pix[i] = uint8(seed >> 24)
	}
	for y := range h {
		img.SetRGBA(0, y, color.RGBA{R: 255, A: 255})
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGroupRoutesRoles: the overview is for whoever moderates the group; every change is for the
// organisation's owners and admins (and instance admins) only: another organisation's admin, a
// moderator of another group and the group's own moderator are refused, logged-out browsers too.
func TestGroupRoutesRoles(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	ctx := context.Background()
	spare, err := s.store.CreateStaffAccount(ctx, model.StaffAccount{Email: "spare@acme.test", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.SetStaffRole(ctx, spare.ID, s.lobby.OrganisationID, model.RoleModerator); err != nil {
		t.Fatal(err)
	}
	lobby := func(suffix string) func() string { return func() string { return "/admin/groups/lobby" + suffix } }
	checkRoles(t, s, s.lobby, []roleRoute{{name: "overview", target: lobby("")}},
		[]string{acmeOwner, acmeAdmin, instanceAdmin, lobbyMod}, []string{otherAdmin, deskMod})
	checkRoles(t, s, s.lobby, []roleRoute{
		{name: "edit", post: true, target: lobby(""), form: settingsForm(s.lobby)},
		{name: "archive", post: true, target: lobby("/archive")},
		{name: "unarchive", post: true, target: lobby("/unarchive")},
		{name: "remove picture", post: true, target: lobby("/images/remove"), form: url.Values{"kind": {"avatar"}}},
		{name: "assign moderator", post: true, target: lobby("/moderators"), form: url.Values{"staff": {spare.ID}}},
		{name: "unassign moderator", post: true, target: func() string {
			if err := s.store.AssignGroupModerator(ctx, s.lobby.ID, spare.ID); err != nil {
				t.Fatal(err)
			}
			return "/admin/groups/lobby/moderators/remove"
		}, form: url.Values{"staff": {spare.ID}}},
	}, []string{acmeOwner, acmeAdmin, instanceAdmin}, []string{otherAdmin, deskMod, lobbyMod})

	picture := photo(t, 50, 50)
	for email, want := range map[string]int{otherAdmin: http.StatusForbidden, deskMod: http.StatusForbidden,
		lobbyMod: http.StatusForbidden, acmeAdmin: http.StatusSeeOther, instanceAdmin: http.StatusSeeOther} {
		if status, _ := s.loggedIn(email).sendPicture("lobby", "avatar", picture); status != want {
			t.Errorf("upload as %s: %d, want %d", email, status, want)
		}
	}
	if status, _ := s.browser().sendPicture("lobby", "avatar", picture); status != http.StatusUnauthorized {
		t.Errorf("upload logged out: %d", status)
	}
	if status, _ := s.loggedIn(acmeAdmin).get("/admin/groups/nowhere"); status != http.StatusNotFound {
		t.Errorf("unknown group: %d", status)
	}
}

// TestCreateGroupFromAdmin: an admin creates a group in their organisation and lands on its page;
// a refused form comes back filled in; creating in someone else's organisation is refused, and
// moderators get no form at all.
func TestCreateGroupFromAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		admin := s.loggedIn(acmeAdmin)
		if _, page := admin.get("/admin/groups"); !strings.Contains(page, "New group") || !strings.Contains(page, `href="/admin/groups/desk"`) ||
			strings.Contains(page, "elsewhere") {
			t.Fatalf("groups page of acme's admin: %s", page)
		}
		form := url.Values{"org": {"acme"}, "slug": {"hall"}, "name": {"Town hall"}, "summary": {"Meet here."},
			"posting_policy": {"premoderated"}, "approve_followers": {"on"}}
		if status, _ := admin.submit("/admin/groups", "/admin/groups", form); status != http.StatusSeeOther {
			t.Fatalf("create: %d", status)
		}
		hall := s.groupNow("hall")
		if hall.Name != "Town hall" || hall.PostingPolicy != model.PostingPremoderated || !hall.ApproveFollowers || hall.OrganisationID != s.lobby.OrganisationID {
			t.Errorf("created %+v", hall)
		}
		if log := s.logged(hall, model.ActionGroupCreate); len(log) != 1 || log[0].StaffAccountID == nil || *log[0].StaffAccountID != s.staffID(acmeAdmin) {
			t.Errorf("log %+v", log)
		}
		if status, page := admin.get("/admin/groups/hall"); status != http.StatusOK || !strings.Contains(page, "Group Town hall created.") {
			t.Errorf("after creating: %d %s", status, page)
		}

		form.Set("name", "Second hall")
		status, page := admin.submit("/admin/groups", "/admin/groups", form)
		if status != http.StatusConflict || !strings.Contains(page, `role="alert"`) || !strings.Contains(page, `value="Second hall"`) {
			t.Errorf("taken slug: %d %s", status, page)
		}
		form.Set("slug", "Not A Slug")
		if status, _ := admin.submit("/admin/groups", "/admin/groups", form); status != http.StatusBadRequest {
			t.Errorf("bad slug: %d", status)
		}
		form.Set("slug", "theirs")
		form.Set("org", "other")
		if status, _ := admin.submit("/admin/groups", "/admin/groups", form); status != http.StatusForbidden {
			t.Errorf("in another organisation: %d", status)
		}
		if _, err := st.GroupBySlug(context.Background(), "theirs"); err == nil {
			t.Error("a group was created in another organisation")
		}
		mod := s.loggedIn(lobbyMod)
		if _, page := mod.get("/admin/groups"); strings.Contains(page, "New group") || !strings.Contains(page, "Lobby") || strings.Contains(page, `href="/admin/groups/desk"`) {
			t.Errorf("groups page of lobby's moderator: %s", page)
		}
		form.Set("org", "acme")
		if status, _ := mod.submit("/admin/groups", "/admin/groups", form); status != http.StatusForbidden {
			t.Errorf("a moderator creating a group: %d", status)
		}
		if _, page := s.loggedIn(instanceAdmin).get("/admin/groups"); !strings.Contains(page, `<option value="other"`) || !strings.Contains(page, `<option value="acme"`) {
			t.Errorf("an instance admin chooses among every organisation: %s", page)
		}
	})
}

// TestEditGroupFromAdmin: saving settings changes the group, logs what changed and sends its
// followers an Update of the actor; the slug changes only until the group has followers, and a
// refused form comes back with what was typed. A moderator sees the settings without a form.
func TestEditGroupFromAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		owner := s.loggedIn(acmeOwner)
		if _, page := owner.get("/admin/groups/desk"); !strings.Contains(page, `name="slug"`) {
			t.Fatalf("no slug field before the group has federated: %s", page)
		}
		form := settingsForm(s.desk)
		form.Set("slug", "help_desk")
		if status, _ := owner.submit("/admin/groups/desk", "/admin/groups/desk", form); status != http.StatusSeeOther {
			t.Fatalf("rename: %d", status)
		}
		desk := s.groupNow("help_desk")

		member := s.member(desk)
		form = settingsForm(desk)
		form.Set("name", "Help desk")
		form.Set("summary", "Ask us anything.")
		form.Set("posting_policy", "anyone")
		form.Del("discoverable")
		form.Set("slug", "helpdesk") // ignored no more: refused, the group has a follower
		status, page := owner.submit("/admin/groups/help_desk", "/admin/groups/help_desk", form)
		if status != http.StatusConflict || !strings.Contains(page, `role="alert"`) || !strings.Contains(page, "Ask us anything.") {
			t.Fatalf("slug change after a follow: %d %s", status, page)
		}
		form.Del("slug")
		if status, _ := owner.submit("/admin/groups/help_desk", "/admin/groups/help_desk", form); status != http.StatusSeeOther {
			t.Fatalf("edit: %d", status)
		}
		desk = s.groupNow("help_desk")
		if desk.Name != "Help desk" || desk.Summary != "Ask us anything." || desk.PostingPolicy != model.PostingAnyone || desk.Discoverable {
			t.Errorf("edited %+v", desk)
		}
		updates := s.sentTo(member.SharedInboxURL, "Update")
		if len(updates) != 1 || !strings.Contains(updates[0].Body, `"name":"Help desk"`) || !strings.Contains(updates[0].Body, `"type":"Group"`) {
			t.Fatalf("Updates to the follower: %+v", updates)
		}
		log := s.logged(desk, model.ActionGroupEdit)
		var changes map[string]map[string]any
		if len(log) != 2 || json.Unmarshal([]byte(log[0].Metadata), &changes) != nil || changes["name"]["to"] != "Help desk" || changes["slug"] != nil {
			t.Errorf("log %+v", log)
		}
		if _, page := owner.get("/admin/groups/help_desk"); strings.Contains(page, `name="slug"`) || !strings.Contains(page, "stays as it is") {
			t.Errorf("the slug is still editable after a follow: %s", page)
		}

		bad := settingsForm(desk)
		bad.Set("name", "")
		if status, _ := owner.submit("/admin/groups/help_desk", "/admin/groups/help_desk", bad); status != http.StatusBadRequest {
			t.Errorf("empty name: %d", status)
		}

		if _, page := s.loggedIn(deskMod).get("/admin/groups/help_desk"); strings.Contains(page, "Save settings") ||
			!strings.Contains(page, "Ask us anything.") || strings.Contains(page, "Archive group") || strings.Contains(page, "Upload avatar") {
			t.Errorf("a moderator's view: %s", page)
		}
	})
}

// TestArchiveGroupFromAdmin: archiving is logged with its reason, refuses the group's follows
// thereafter (the services already refuse archived groups), and can be undone.
func TestArchiveGroupFromAdmin(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	admin := s.loggedIn(acmeAdmin)
	if status, _ := admin.submit("/admin/groups/lobby", "/admin/groups/lobby/archive", url.Values{"reason": {"moved to desk"}}); status != http.StatusSeeOther {
		t.Fatalf("archive: %d", status)
	}
	if s.groupNow("lobby").ArchivedAt == nil {
		t.Fatal("not archived")
	}
	if log := s.logged(s.lobby, model.ActionGroupArchive); len(log) != 1 || log[0].Reason != "moved to desk" {
		t.Errorf("log %+v", log)
	}
	if _, page := admin.get("/admin/groups/lobby"); !strings.Contains(page, "Bring back") {
		t.Errorf("archived page: %s", page)
	}
	if status, _ := admin.submit("/admin/groups/lobby", "/admin/groups/lobby/unarchive", nil); status != http.StatusSeeOther || s.groupNow("lobby").ArchivedAt != nil {
		t.Errorf("unarchive: %d", status)
	}
}

// TestGroupPictures: an uploaded photo is re-encoded at the avatar's size under a random name,
// served publicly with its type, named in the actor document as icon, and federated; a header goes
// to image; SVG and oversize uploads are refused; removing deletes the file.
func TestGroupPictures(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	member := s.member(s.lobby)
	admin := s.loggedIn(acmeAdmin)
	upload := photo(t, 800, 600)
	if status, page := admin.sendPicture("lobby", "avatar", upload); status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", status, page)
	}
	lobby := s.groupNow("lobby")
	if !groups.ValidMediaName(lobby.AvatarPath) || !strings.HasSuffix(lobby.AvatarPath, ".jpg") {
		t.Fatalf("avatar %q", lobby.AvatarPath)
	}
	resp, err := http.Get(s.server.URL + "/media/" + lobby.AvatarPath)
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("served %d %v", resp.StatusCode, resp.Header)
	}
	if config, err := jpeg.DecodeConfig(bytes.NewReader(served)); err != nil || config.Width != 400 || config.Height != 400 || bytes.Equal(served, upload) {
		t.Errorf("served picture %+v %v", config, err)
	}
	if _, page := admin.get("/admin/groups/lobby"); !strings.Contains(page, `src="/media/`+lobby.AvatarPath+`"`) {
		t.Errorf("the group page does not show the avatar: %s", page)
	}

	if status, _ := admin.sendPicture("lobby", "header", photo(t, 1000, 400)); status != http.StatusSeeOther {
		t.Fatalf("header: %d", status)
	}
	lobby = s.groupNow("lobby")
	key, err := s.store.ActiveGroupKey(context.Background(), lobby.ID)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := documents.GroupActor(s.iris, lobby, key)
	if err != nil {
		t.Fatal(err)
	}
	var actor struct {
		Icon, Image struct{ Type, URL, MediaType string }
	}
	if err := json.Unmarshal(doc, &actor); err != nil {
		t.Fatal(err)
	}
	if actor.Icon.Type != "Image" || actor.Icon.URL != s.server.URL+"/media/"+lobby.AvatarPath || actor.Icon.MediaType != "image/jpeg" ||
		actor.Image.URL != s.server.URL+"/media/"+lobby.HeaderPath {
		t.Errorf("actor pictures %+v in %s", actor, doc)
	}
	if updates := s.sentTo(member.SharedInboxURL, "Update"); len(updates) != 2 || !strings.Contains(updates[1].Body, lobby.HeaderPath) && !strings.Contains(updates[0].Body, lobby.HeaderPath) {
		t.Errorf("Updates: %+v", updates)
	}

	padded := func(size int) []byte { // a real photo, with bytes after its end up to size
		return append(photo(t, 100, 100), make([]byte, size)...)[:size]
	}
	for _, c := range []struct {
		name    string
		picture []byte
		want    int
	}{
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), http.StatusBadRequest},
		{"just over 2 MiB", padded(groups.MaxImageBytes + 1), http.StatusBadRequest},
		{"3 MiB, over the route's body limit", padded(3 << 20), http.StatusRequestEntityTooLarge},
	} {
		if status, _ := admin.sendPicture("lobby", "avatar", c.picture); status != c.want {
			t.Errorf("%s (%d bytes): %d, want %d", c.name, len(c.picture), status, c.want)
		}
	}
	if got := s.groupNow("lobby").AvatarPath; got != lobby.AvatarPath {
		t.Errorf("a refused upload changed the avatar to %q", got)
	}

	if status, _ := admin.submit("/admin/groups/lobby", "/admin/groups/lobby/images/remove", url.Values{"kind": {"avatar"}}); status != http.StatusSeeOther {
		t.Fatalf("remove: %d", status)
	}
	if _, err := os.Stat(filepath.Join(s.media, lobby.AvatarPath)); !os.IsNotExist(err) {
		t.Errorf("the removed avatar's file: %v", err)
	}
	if s.groupNow("lobby").AvatarPath != "" {
		t.Error("avatar still set")
	}
}

// TestAssignModeratorsFromAdmin: assigning gives a moderator the group's pages at once, unassigning
// takes them away; staff who are not the organisation's moderators cannot be assigned.
func TestAssignModeratorsFromAdmin(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.Postgres(t))
	owner := s.loggedIn(acmeOwner)
	deskModerator := s.loggedIn(deskMod)
	if status, _ := deskModerator.get("/admin/groups/lobby"); status != http.StatusForbidden {
		t.Fatalf("before: %d", status)
	}
	if _, page := owner.get("/admin/groups/lobby"); !strings.Contains(page, deskMod) || !strings.Contains(page, "Assign moderator") {
		t.Fatalf("no way to assign %s: %s", deskMod, page)
	}
	id := s.staffID(deskMod)
	if status, _ := owner.submit("/admin/groups/lobby", "/admin/groups/lobby/moderators", url.Values{"staff": {id}}); status != http.StatusSeeOther {
		t.Fatalf("assign: %d", status)
	}
	if status, _ := deskModerator.get("/admin/groups/lobby"); status != http.StatusOK {
		t.Errorf("after assigning: %d", status)
	}
	if log := s.logged(s.lobby, model.ActionGroupModeratorAssign); len(log) != 1 || log[0].TargetID != id {
		t.Errorf("log %+v", log)
	}
	if status, _ := owner.submit("/admin/groups/lobby", "/admin/groups/lobby/moderators/remove", url.Values{"staff": {id}}); status != http.StatusSeeOther {
		t.Fatalf("unassign: %d", status)
	}
	if status, _ := deskModerator.get("/admin/groups/lobby"); status != http.StatusForbidden {
		t.Errorf("after unassigning: %d", status)
	}
	if status, _ := owner.submit("/admin/groups/lobby", "/admin/groups/lobby/moderators", url.Values{"staff": {s.staffID(otherAdmin)}}); status != http.StatusBadRequest {
		t.Errorf("assigning another organisation's admin: %d", status)
	}
}
