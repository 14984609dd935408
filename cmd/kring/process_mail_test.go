package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/mail/mailtest"
	"github.com/kring-social/kring/test/testenv"
)

// With KRING_SMTP_URL set, `kring all` offers password resets and its worker sends the e-mail
// through the SMTP server: the wiring of cmd/kring, end to end.
func TestEmbeddedDefaultSendsEmail(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	const admin = "admin@kring.test"
	k := testenv.StartKring(t, map[string]string{"KRING_DATA_DIR": t.TempDir(), "KRING_ADMIN_EMAIL": admin,
		"KRING_ADMIN_PASSWORD": "a first admin passphrase", "KRING_SMTP_URL": smtp.URL(), "KRING_SMTP_FROM": "Kring <kring@kring.test>"})
	base := k.WaitListening(t)
	defer k.Stop(t)

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if _, page := get("/admin/login"); !strings.Contains(page, "Forgot your password?") {
		t.Fatal("no Forgot your password? link with e-mail on")
	}
	_, page := get("/admin/password-reset")
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if token == nil {
		t.Fatalf("no form token:\n%s", page)
	}
	resp, err := client.PostForm(base+"/admin/password-reset", url.Values{"csrf": {token[1]}, "email": {admin}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset request: %d", resp.StatusCode)
	}
	msg := smtp.WaitFor(t, admin, 1, 30*time.Second)
	if msg.From != "kring@kring.test" || len(msg.Links()) != 1 || !strings.HasPrefix(msg.Links()[0], "http://127.0.0.1:8080/admin/password-reset/new?token=") {
		t.Fatalf("reset e-mail from %s, links %q", msg.From, msg.Links())
	}
	link, _ := url.Parse(msg.Links()[0])
	if status, page := get(link.RequestURI()); status != http.StatusOK || !strings.Contains(page, admin) {
		t.Errorf("the link's page: %d", status)
	}
}
