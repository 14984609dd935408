package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

// TestWelcomeThroughAdmin: the group's moderator sees the default welcome with its preview, previews
// a text of her own without saving it (placeholders filled in, markup escaped), saves it, turns
// welcomes off; a text too long is refused with its reason; each save is logged in her name; the
// moderator of another group cannot read or change it.
func TestWelcomeThroughAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		s := newSite(t, st)
		b := s.loggedIn(lobbyMod)
		const page = "/admin/groups/lobby/welcome"

		status, shown := b.get(page)
		if status != http.StatusOK || !strings.Contains(shown, "Everything you post that mentions the group") ||
			!strings.Contains(shown, "Welcome to Lobby, Alex!") || !strings.Contains(shown, `class="u-url mention"`) {
			t.Fatalf("welcome page %d: %s", status, shown)
		}

		text := "Hi {name} <b>and</b> welcome to {group}.\n\nRules: {rules}"
		status, previewed := b.submit(page, page, url.Values{"enabled": {"on"}, "text": {text}, "action": {"preview"}})
		if status != http.StatusOK || !strings.Contains(previewed, "Hi Alex &lt;b&gt;and&lt;/b&gt; welcome to Lobby.") ||
			!strings.Contains(previewed, "/groups/lobby#rules</a>") {
			t.Fatalf("preview %d: %s", status, previewed)
		}
		if group := s.groupNow("lobby"); group.WelcomeText != "" {
			t.Fatalf("a preview saved the text: %q", group.WelcomeText)
		}

		if status, _ := b.submit(page, page, url.Values{"enabled": {"on"}, "text": {text}, "action": {"save"}}); status != http.StatusSeeOther {
			t.Fatalf("save: %d", status)
		}
		if group := s.groupNow("lobby"); group.WelcomeText != text || !group.WelcomeEnabled {
			t.Fatalf("after save: %+v", group)
		}
		// The default, as a browser's textarea sends it (CRLF line ends), is kept as "the default".
		crlfDefault := strings.ReplaceAll(community.DefaultWelcome, "\n", "\r\n")
		if status, _ := b.submit(page, page, url.Values{"enabled": {"on"}, "text": {crlfDefault}, "action": {"save"}}); status != http.StatusSeeOther {
			t.Fatalf("save the default: %d", status)
		}
		if group := s.groupNow("lobby"); group.WelcomeText != "" {
			t.Fatalf("the default was stored as a text of the group's own: %q", group.WelcomeText)
		}
		if status, _ := b.submit(page, page, url.Values{"enabled": {"on"}, "text": {text}, "action": {"save"}}); status != http.StatusSeeOther {
			t.Fatalf("save again: %d", status)
		}
		if status, _ := b.submit(page, page, url.Values{"text": {text}, "action": {"save"}}); status != http.StatusSeeOther {
			t.Fatalf("turn off: %d", status)
		}
		if group := s.groupNow("lobby"); group.WelcomeEnabled {
			t.Fatal("welcomes stayed on")
		}
		long := strings.Repeat("x", community.MaxWelcomeText+1)
		if status, body := b.submit(page, page, url.Values{"enabled": {"on"}, "text": {long}, "action": {"save"}}); status != http.StatusBadRequest ||
			!strings.Contains(body, "welcome") {
			t.Errorf("a text too long: %d", status)
		}

		if logged := s.logged(s.lobby, model.ActionGroupEdit); len(logged) != 4 || logged[0].StaffAccountID == nil || *logged[0].StaffAccountID != s.staffID(lobbyMod) {
			t.Errorf("welcome changes logged: %+v", logged)
		}

		desk := s.loggedIn(deskMod)
		if status, _ := desk.get(page); status < 400 || status >= 500 {
			t.Errorf("another group's moderator read the welcome: %d", status)
		}
		if status, _ := desk.submit("/admin", page, url.Values{"enabled": {"on"}, "text": {"taken over"}, "action": {"save"}}); status < 400 || status >= 500 {
			t.Errorf("another group's moderator saved the welcome: %d", status)
		}
		if group := s.groupNow("lobby"); group.WelcomeText != text {
			t.Errorf("the welcome changed to %q", group.WelcomeText)
		}
	})
}
