package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/app/mail"
	"github.com/kring-social/kring/app/mail/mailtest"
)

func TestSMTPSendsPlainText(t *testing.T) {
	t.Parallel()
	server := mailtest.Start(t)
	cfg, ok, err := mail.ParseConfig(server.URL(), "Kring <kring@kring.test>")
	if err != nil || !ok {
		t.Fatalf("parse %s: %v %v", server.URL(), ok, err)
	}
	long := "https://kring.example/admin/groups/lobby/support/" + strings.Repeat("0123456789", 10)
	err = mail.NewSMTP(cfg).Send(context.Background(), mail.Message{To: "mod@acme.test", Subject: "Nouveau signalement – lobby",
		Text: "A report waits.\n\n" + long + "\n"})
	if err != nil {
		t.Fatal(err)
	}
	got := server.WaitFor(t, "mod@acme.test", 1, 10*time.Second)
	if got.Subject != "Nouveau signalement – lobby" || got.From != "kring@kring.test" {
		t.Errorf("subject %q from %q", got.Subject, got.From)
	}
	if links := got.Links(); len(links) != 1 || links[0] != long {
		t.Errorf("links %q, want %q; text:\n%s", links, long, got.Text)
	}
}

func TestParseConfig(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url, from string
		want      mail.Config
		on        bool
		bad       string
	}{
		{url: "", from: "", on: false},
		{url: "smtp://user:p%40ss@mail.example:587", from: "kring@example.org", on: true,
			want: mail.Config{Host: "mail.example", Port: 587, Username: "user", Password: "p@ss", From: "<kring@example.org>"}},
		{url: "smtps://mail.example", from: "Kring <kring@example.org>", on: true,
			want: mail.Config{Host: "mail.example", Port: 465, ImplicitTLS: true, From: "\"Kring\" <kring@example.org>"}},
		{url: "smtp://127.0.0.1:2525?starttls=off", from: "k@localhost", on: true,
			want: mail.Config{Host: "127.0.0.1", Port: 2525, NoTLS: true, From: "<k@localhost>"}},
		{url: "smtp://mail.example:2525?starttls=off", from: "k@example.org", bad: "loopback"},
		{url: "smtps://127.0.0.1?starttls=off", from: "k@example.org", bad: "smtps"},
		{url: "smtp://mail.example?tls=no", from: "k@example.org", bad: "unknown option"},
		{url: "http://mail.example", from: "k@example.org", bad: "smtp://"},
		{url: "smtp://mail.example:99999", from: "k@example.org", bad: "port"},
		{url: "smtp://mail.example", from: "", bad: "KRING_SMTP_FROM"},
		{url: "", from: "k@example.org", bad: "KRING_SMTP_URL is not"},
		{url: "smtp://mail.example", from: "not an address", bad: "not an e-mail address"},
	} {
		cfg, on, err := mail.ParseConfig(c.url, c.from)
		if c.bad != "" {
			if err == nil || !strings.Contains(err.Error(), c.bad) {
				t.Errorf("%q %q: error %v, want one about %q", c.url, c.from, err, c.bad)
			}
			continue
		}
		if err != nil || on != c.on || cfg != c.want {
			t.Errorf("%q %q: %+v %v %v, want %+v %v", c.url, c.from, cfg, on, err, c.want, c.on)
		}
	}
}
