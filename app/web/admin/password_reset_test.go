package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/test/testenv"
)

const newPassword = "a brand new passphrase"

var resetLink = regexp.MustCompile(`/admin/password-reset/new\?token=[A-Za-z0-9_-]{43}$`)

// resetAction is where the reset link's form posts, the token in its body.
const resetAction = "/admin/password-reset/new"

// withToken adds the link's token to a form, as the page's hidden field does.
func withToken(secret string, form url.Values) url.Values {
	form.Set("token", secret)
	return form
}

// requestReset fills in the "Forgot your password?" form for email and returns the answer.
func (b *browser) requestReset(email string) (int, string) {
	b.t.Helper()
	return b.submit("/admin/password-reset", "/admin/password-reset", url.Values{"email": {email}})
}

// TestPasswordResetByEmail: the login page links to the form; the form answers the same for an
// address with an account and one without; the e-mail's link opens a form that sets a new password
// (the rules of every password apply), which logs every session of the account out; the new
// password logs in and the old one no longer does; the link works once (410 after), and an expired
// link is 410 too; requests for one address are throttled.
func TestPasswordResetByEmail(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		s := newSiteWith(t, st, siteOptions{email: true})
		session := s.loggedIn(lobbyMod) // her session elsewhere, which the reset ends

		b := s.browser()
		if _, page := b.get("/admin/login"); !strings.Contains(page, `href="/admin/password-reset"`) {
			t.Fatal("no Forgot your password? link on the login page")
		}
		status, known := b.requestReset(lobbyMod)
		if status != http.StatusOK || !strings.Contains(known, "If a staff account has that address") {
			t.Fatalf("request: %d %s", status, known)
		}
		status, unknown := s.browser().requestReset("nobody@acme.test")
		if status != http.StatusOK || unknown != known {
			t.Errorf("an unknown address is answered differently: %d", status)
		}
		var tokens []model.PasswordResetToken
		if err := st.DB().Find(&tokens).Error; err != nil || len(tokens) != 1 {
			t.Fatalf("%d reset tokens stored (%v)", len(tokens), err)
		}
		s.runMail()
		msg := s.mail.WaitFor(t, lobbyMod, 1, mailWait)
		links := msg.Links()
		if len(links) != 1 || !strings.HasPrefix(links[0], s.server.URL) || !resetLink.MatchString(links[0]) {
			t.Fatalf("reset e-mail links %q:\n%s", links, msg.Text)
		}
		path := strings.TrimPrefix(links[0], s.server.URL)
		secret := path[strings.Index(path, "token=")+len("token="):]
		if strings.Contains(tokens[0].TokenHash, secret) {
			t.Error("the token itself is stored")
		}
		var stored int64
		if err := st.DB().Model(&model.OutgoingEmail{}).Count(&stored).Error; err != nil || stored != 0 {
			t.Errorf("the sent e-mail with the link is still stored: %d (%v)", stored, err)
		}
		if got := len(s.mail.Messages()); got != 1 {
			t.Errorf("%d e-mails sent, want 1 (none for the unknown address)", got)
		}

		follow := s.browser()
		status, page := follow.get(path)
		if status != http.StatusOK || !strings.Contains(page, lobbyMod) || !strings.Contains(page, `name="token" value="`+secret+`"`) {
			t.Fatalf("the link's page: %d", status)
		}
		if status, _ := follow.submit(path, resetAction, withToken(secret, url.Values{"new_password": {"short"}, "confirm_password": {"short"}})); status != http.StatusBadRequest {
			t.Errorf("a short password: %d", status)
		}
		if status, _ := follow.submit(path, resetAction, withToken(secret, url.Values{"new_password": {newPassword}, "confirm_password": {newPassword + "!"}})); status != http.StatusBadRequest {
			t.Errorf("two different passwords: %d", status)
		}
		if status, _ := follow.postForm(resetAction, withToken(secret, url.Values{"new_password": {newPassword}, "confirm_password": {newPassword}})); status != http.StatusForbidden {
			t.Errorf("no form token: %d", status)
		}
		if status, _ := follow.submit(path, resetAction, withToken(secret, url.Values{"new_password": {newPassword}, "confirm_password": {newPassword}})); status != http.StatusSeeOther {
			t.Fatalf("set the new password: %d", status)
		}

		if status, _ := session.get("/admin"); status != http.StatusSeeOther {
			t.Errorf("her old session survived the reset: %d", status)
		}
		if status, _ := s.browser().login(lobbyMod, password); status != http.StatusUnauthorized {
			t.Errorf("the old password: %d", status)
		}
		if status, _ := s.browser().login(lobbyMod, newPassword); status != http.StatusSeeOther {
			t.Errorf("the new password: %d", status)
		}
		if status, page := s.browser().get(path); status != http.StatusGone || !strings.Contains(page, "already used or has expired") {
			t.Errorf("the link a second time: %d", status)
		}
		if status, _ := follow.postForm(resetAction, withToken(secret, url.Values{"new_password": {"another new passphrase"}, "confirm_password": {"another new passphrase"}})); status != http.StatusForbidden && status != http.StatusGone {
			t.Errorf("posting through a used link: %d", status)
		}

		// An expired link.
		if status, _ := s.browser().requestReset(lobbyMod); status != http.StatusOK {
			t.Fatalf("second request: %d", status)
		}
		s.runMail()
		msg = s.mail.WaitFor(t, lobbyMod, 2, mailWait)
		expired := strings.TrimPrefix(msg.Links()[0], s.server.URL)
		expiredSecret := expired[strings.Index(expired, "token=")+len("token="):]
		late := s.browser()
		_, form := late.get(expired) // opened while the link still works
		token := csrfInput.FindStringSubmatch(form)
		if token == nil {
			t.Fatal("no form on the link's page")
		}
		s.clock.Set(s.clock.Now().Add(61 * time.Minute))
		if status, _ := s.browser().get(expired); status != http.StatusGone {
			t.Errorf("an expired link: %d", status)
		}
		if status, _ := late.postForm(resetAction, withToken(expiredSecret, url.Values{"csrf": {token[1]}, "new_password": {"too late a passphrase"}, "confirm_password": {"too late a passphrase"}})); status != http.StatusGone {
			t.Errorf("setting a password through an expired link: %d", status)
		}
		if status, _ := s.browser().login(lobbyMod, newPassword); status != http.StatusSeeOther {
			t.Errorf("the password after the expired link: %d", status)
		}

		// Throttled (the clock moved on, so the window starts afresh): three requests for an address
		// within a quarter of an hour are fine, the fourth is not, whether or not it has an account.
		for i := 0; i < 3; i++ {
			if status, _ := s.browser().requestReset(lobbyMod); status != http.StatusOK {
				t.Errorf("request %d: %d", i+1, status)
			}
		}
		if status, _ := s.browser().requestReset(lobbyMod); status != http.StatusTooManyRequests {
			t.Errorf("fourth request: %d", status)
		}
		for i := 0; i < 3; i++ {
			s.browser().requestReset("nobody@acme.test")
		}
		if status, _ := s.browser().requestReset("nobody@acme.test"); status != http.StatusTooManyRequests {
			t.Errorf("requests for an unknown address are not throttled alike: %d", status)
		}
		// And ten requests from one IP address, whatever the addresses, are all it gets.
		for i := 0; i < 4; i++ {
			if status, _ := s.browser().requestReset(fmt.Sprintf("someone%d@acme.test", i)); status != http.StatusOK {
				t.Errorf("request %d from the address: %d", 7+i, status)
			}
		}
		if status, _ := s.browser().requestReset("someone-else@acme.test"); status != http.StatusTooManyRequests {
			t.Errorf("the eleventh request from one address: %d", status)
		}
	})
}

// TestPasswordResetOffWithoutEmail: without e-mail there is no link and no form.
func TestPasswordResetOffWithoutEmail(t *testing.T) {
	t.Parallel()
	s := newSite(t, testenv.SQLite(t))
	b := s.browser()
	if _, page := b.get("/admin/login"); strings.Contains(page, "/admin/password-reset") {
		t.Error("a Forgot your password? link without e-mail")
	}
	if status, _ := b.get("/admin/password-reset"); status != http.StatusNotFound {
		t.Errorf("the form without e-mail: %d", status)
	}
}
