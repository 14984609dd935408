package main

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"

	"github.com/kring-social/kring/app/certs"
)

// TLS modes of KRING_TLS.
const (
	tlsOff   = "off"
	tlsFiles = "files"
	tlsACME  = "acme"
)

// letsEncryptDirectory is the default ACME CA: free, and what operators expect.
const letsEncryptDirectory = "https://acme-v02.api.letsencrypt.org/directory"

// TLSConfig is how the site is served: plain HTTP behind a proxy, HTTPS from certificate files, or
// HTTPS with a certificate Kring obtains over ACME.
type TLSConfig struct {
	Mode string
	// CertFile and KeyFile are the PEM pair of files mode.
	CertFile, KeyFile string
	// Listen and HTTPListen are acme mode's HTTPS and plain-HTTP (challenge and redirect) addresses.
	Listen, HTTPListen string
	// ACMECA is the directory URL; ACMEEmail and ACMECARoot are optional.
	ACMECA, ACMEEmail, ACMECARoot string
}

var tlsSettings = []setting{
	{"KRING_TLS", "tls", tlsOff,
		"off (plain HTTP, for a reverse proxy), files (HTTPS on KRING_LISTEN from KRING_TLS_CERT and KRING_TLS_KEY) or acme (certificate obtained for the public URL's host)",
		applyTLSMode},
	{"KRING_TLS_CERT", "tls-cert", "", "PEM certificate chain for KRING_TLS=files; reloaded within a minute when it changes",
		func(c *Config, v string) error { c.TLS.CertFile = v; return nil }},
	{"KRING_TLS_KEY", "tls-key", "", "PEM private key for KRING_TLS=files",
		func(c *Config, v string) error { c.TLS.KeyFile = v; return nil }},
	{"KRING_TLS_LISTEN", "tls-listen", ":443", "host:port of the HTTPS listener with KRING_TLS=acme",
		func(c *Config, v string) error { return applyListenSetting(&c.TLS.Listen, v) }},
	{"KRING_HTTP_LISTEN", "http-listen", ":80",
		"host:port of the plain-HTTP listener with KRING_TLS=acme: answers the CA's challenges, redirects the rest to https",
		func(c *Config, v string) error { return applyListenSetting(&c.TLS.HTTPListen, v) }},
	{"KRING_ACME_EMAIL", "acme-email", "", "e-mail the ACME CA may write to about the certificate; empty = none",
		applyACMEEmail},
	{"KRING_ACME_CA", "acme-ca", letsEncryptDirectory, "directory URL of the ACME CA (such as Let's Encrypt's staging one)",
		applyACMECA},
	{"KRING_ACME_CA_ROOT", "acme-ca-root", "", "PEM file of roots to trust for the ACME CA's own https (a test CA); empty = system roots",
		func(c *Config, v string) error { c.TLS.ACMECARoot = v; return nil }},
}

// The TLS settings join the table here, beside the checks that read them together; they are part of
// it before main runs, so flags, help and validation see them like any other.
func init() { settings = append(settings, tlsSettings...) }

func applyTLSMode(c *Config, v string) error {
	switch v {
	case tlsOff, tlsFiles, tlsACME:
		c.TLS.Mode = v
		return nil
	}
	return fmt.Errorf("%q is not off, files or acme", v)
}

func applyListenSetting(into *string, v string) error {
	if err := checkListenAddress(v); err != nil {
		return err
	}
	*into = v
	return nil
}

func applyACMEEmail(c *Config, v string) error {
	if v == "" {
		return nil
	}
	if addr, err := mail.ParseAddress(v); err != nil || addr.Address != v {
		return fmt.Errorf("%q is not a plain e-mail address such as admin@example.org", v)
	}
	c.TLS.ACMEEmail = v
	return nil
}

func applyACMECA(c *Config, v string) error {
	if u, err := url.Parse(v); err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q is not an https:// ACME directory URL", v)
	}
	c.TLS.ACMECA = v
	return nil
}

// checkTLS checks what one setting alone cannot: that the mode has what it needs. It runs after
// every setting is read, so it sees the public URL and the files together.
func checkTLS(c *Config) []error {
	var problems []error
	switch c.TLS.Mode {
	case tlsFiles:
		if c.TLS.CertFile == "" || c.TLS.KeyFile == "" {
			problems = append(problems, errors.New("invalid KRING_TLS=files: needs both KRING_TLS_CERT and KRING_TLS_KEY"))
		}
		for _, f := range []struct{ env, path string }{{"KRING_TLS_CERT", c.TLS.CertFile}, {"KRING_TLS_KEY", c.TLS.KeyFile}} {
			if f.path != "" {
				if err := checkReadable(f.path); err != nil {
					problems = append(problems, fmt.Errorf("invalid %s: %w", f.env, err))
				}
			}
		}
	case tlsACME:
		if c.PublicURL != nil && c.PublicURL.Scheme != "https" {
			problems = append(problems, fmt.Errorf("invalid KRING_TLS=acme: KRING_PUBLIC_URL %q must be https://, with the host the certificate is for", c.PublicURL))
		}
		if c.PublicURL != nil && c.PublicURL.Port() != "" {
			problems = append(problems, fmt.Errorf("invalid KRING_TLS=acme: KRING_PUBLIC_URL %q must not name a port; the certificate is for port 443", c.PublicURL))
		}
		if c.PublicURL != nil && c.TLS.ACMECA == letsEncryptDirectory && !certs.QualifiesForPublicCA(c.PublicURL.Hostname()) {
			problems = append(problems, fmt.Errorf("invalid KRING_TLS=acme: Let's Encrypt issues no certificate for %q; set KRING_PUBLIC_URL (KRING_DOMAIN under docker compose) to your domain", c.PublicURL.Hostname()))
		}
		if c.TLS.ACMECARoot != "" {
			if err := checkReadable(c.TLS.ACMECARoot); err != nil {
				problems = append(problems, fmt.Errorf("invalid KRING_ACME_CA_ROOT: %w", err))
			}
		}
		if c.TLS.Listen == c.TLS.HTTPListen {
			problems = append(problems, fmt.Errorf("invalid KRING_HTTP_LISTEN: %q is KRING_TLS_LISTEN's address", c.TLS.HTTPListen))
		}
	}
	return problems
}

// checkReadable opens the file, so a wrong path or permission is reported at start, not at the
// first handshake.
func checkReadable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read %q: %w", path, err)
	}
	return f.Close()
}
