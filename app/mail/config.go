// Package mail sends Kring's e-mail: plain-text messages to staff (notifications, password reset
// links) through an SMTP server. A message is first a row in outgoing_emails with a mail:send task,
// both written in the transaction of the event that causes it (Queue); the worker sends it (Deliver)
// and deletes the row, retrying while the server fails. Sender is the small interface the worker
// sends through; SMTP is the one production uses.
package mail

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// Config says how to reach the SMTP server and whom messages come from.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	// ImplicitTLS: the connection is TLS from its first byte (smtps://, usually port 465); otherwise
	// STARTTLS is required, unless NoTLS.
	ImplicitTLS bool
	// NoTLS sends in the clear: only for a test server on a loopback address (?starttls=off).
	NoTLS bool
	From  string
}

// ParseConfig reads KRING_SMTP_URL and KRING_SMTP_FROM: smtp://user:pass@host:587 (STARTTLS
// required), smtps://user:pass@host:465 (implicit TLS), smtp://127.0.0.1:2525?starttls=off (a local
// test server). Both empty means e-mail is off (ok false); one without the other is an error.
func ParseConfig(rawURL, from string) (cfg Config, ok bool, err error) {
	rawURL, from = strings.TrimSpace(rawURL), strings.TrimSpace(from)
	if rawURL == "" && from == "" {
		return Config{}, false, nil
	}
	if rawURL == "" {
		return Config{}, false, errors.New("KRING_SMTP_FROM is set but KRING_SMTP_URL is not: set both to send e-mail, or neither")
	}
	if from == "" {
		return Config{}, false, errors.New("KRING_SMTP_URL is set but KRING_SMTP_FROM is not: set the sender address, such as kring@example.org")
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return Config{}, false, errors.New("KRING_SMTP_URL must be smtp://user:pass@host:587 or smtps://user:pass@host:465")
	}
	if (u.Path != "" && u.Path != "/") || u.Fragment != "" || u.Opaque != "" {
		return Config{}, false, errors.New("KRING_SMTP_URL must have no path: smtp://user:pass@host:587")
	}
	cfg = Config{Host: u.Hostname(), ImplicitTLS: u.Scheme == "smtps", Port: 587}
	if cfg.ImplicitTLS {
		cfg.Port = 465
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Config{}, false, fmt.Errorf("KRING_SMTP_URL has an invalid port %q", p)
		}
		cfg.Port = n
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	for key, values := range u.Query() {
		if key != "starttls" || len(values) != 1 || values[0] != "off" {
			return Config{}, false, fmt.Errorf("KRING_SMTP_URL: unknown option %q (only starttls=off, for a local test server)", key)
		}
		if cfg.ImplicitTLS {
			return Config{}, false, errors.New("KRING_SMTP_URL: starttls=off makes no sense with smtps://")
		}
		if !isLoopback(cfg.Host) {
			return Config{}, false, fmt.Errorf("KRING_SMTP_URL: starttls=off is only allowed for a server on a loopback address, not %s", cfg.Host)
		}
		cfg.NoTLS = true
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return Config{}, false, fmt.Errorf("KRING_SMTP_FROM %q is not an e-mail address such as kring@example.org or \"Kring\" <kring@example.org>", from)
	}
	cfg.From = addr.String()
	return cfg, true, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
