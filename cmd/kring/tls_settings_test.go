package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TLS is off by default, with acme's listeners at the standard ports and Let's Encrypt as the CA.
func TestLoadConfigTLSDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(nil, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := TLSConfig{Mode: tlsOff, Listen: ":443", HTTPListen: ":80", ACMECA: letsEncryptDirectory}
	if cfg.TLS != want {
		t.Errorf("TLS = %+v, want %+v", cfg.TLS, want)
	}
}

func TestLoadConfigTLSAccepts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for _, f := range []string{certFile, keyFile} {
		if err := os.WriteFile(f, []byte("pem"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := loadConfig(nil, envFrom(map[string]string{"KRING_TLS": "files", "KRING_TLS_CERT": certFile, "KRING_TLS_KEY": keyFile}))
	if err != nil || cfg.TLS.CertFile != certFile || cfg.TLS.KeyFile != keyFile {
		t.Fatalf("files: %+v %v", cfg, err)
	}
	cfg, err = loadConfig(nil, envFrom(map[string]string{"KRING_TLS": "acme", "KRING_PUBLIC_URL": "https://kring.example",
		"KRING_ACME_EMAIL": "ops@kring.example", "KRING_ACME_CA": "https://127.0.0.1:14000/dir", "KRING_ACME_CA_ROOT": certFile,
		"KRING_TLS_LISTEN": "127.0.0.1:8443", "KRING_HTTP_LISTEN": "127.0.0.1:8080"}))
	if err != nil {
		t.Fatal(err)
	}
	want := TLSConfig{Mode: tlsACME, Listen: "127.0.0.1:8443", HTTPListen: "127.0.0.1:8080",
		ACMECA: "https://127.0.0.1:14000/dir", ACMEEmail: "ops@kring.example", ACMECARoot: certFile}
	if cfg.TLS != want {
		t.Errorf("acme: %+v, want %+v", cfg.TLS, want)
	}
}

// Combinations that cannot serve HTTPS stop the start and say what is missing.
func TestLoadConfigTLSRefuses(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing.pem")
	cases := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"unknown mode", map[string]string{"KRING_TLS": "on"}, []string{"KRING_TLS", "off, files or acme"}},
		{"files without cert and key", map[string]string{"KRING_TLS": "files"},
			[]string{"KRING_TLS=files", "KRING_TLS_CERT and KRING_TLS_KEY"}},
		{"files without key", map[string]string{"KRING_TLS": "files", "KRING_TLS_CERT": "settings_test.go"},
			[]string{"KRING_TLS_KEY"}},
		{"files unreadable", map[string]string{"KRING_TLS": "files", "KRING_TLS_CERT": missing, "KRING_TLS_KEY": missing},
			[]string{"KRING_TLS_CERT", "KRING_TLS_KEY", "cannot read", "missing.pem"}},
		{"acme with the default http URL", map[string]string{"KRING_TLS": "acme"},
			[]string{"KRING_TLS=acme", "KRING_PUBLIC_URL", "must be https://"}},
		{"acme with a port in the URL", map[string]string{"KRING_TLS": "acme", "KRING_PUBLIC_URL": "https://kring.example:8443"},
			[]string{"KRING_PUBLIC_URL", "must not name a port"}},
		{"acme for localhost from Let's Encrypt", map[string]string{"KRING_TLS": "acme", "KRING_PUBLIC_URL": "https://localhost"},
			[]string{"KRING_TLS=acme", "no certificate for \"localhost\"", "your domain"}},
		{"acme for a private address from Let's Encrypt", map[string]string{"KRING_TLS": "acme", "KRING_PUBLIC_URL": "https://10.1.2.3"},
			[]string{"no certificate for \"10.1.2.3\""}},
		{"acme with an unreadable CA root", map[string]string{"KRING_TLS": "acme", "KRING_PUBLIC_URL": "https://kring.example",
			"KRING_ACME_CA_ROOT": missing}, []string{"KRING_ACME_CA_ROOT", "cannot read"}},
		{"acme on one port twice", map[string]string{"KRING_TLS": "acme", "KRING_PUBLIC_URL": "https://kring.example",
			"KRING_TLS_LISTEN": ":8443", "KRING_HTTP_LISTEN": ":8443"}, []string{"KRING_HTTP_LISTEN", "KRING_TLS_LISTEN's address"}},
		{"plain-http CA", map[string]string{"KRING_ACME_CA": "http://ca.example/dir"}, []string{"KRING_ACME_CA", "https://"}},
		{"bad e-mail", map[string]string{"KRING_ACME_EMAIL": "ops"}, []string{"KRING_ACME_EMAIL", "e-mail"}},
		{"bad listen", map[string]string{"KRING_TLS_LISTEN": "443"}, []string{"KRING_TLS_LISTEN", "host:port"}},
		{"bad http listen", map[string]string{"KRING_HTTP_LISTEN": "kring.example:80"}, []string{"KRING_HTTP_LISTEN", "IP address"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig(nil, envFrom(tc.env))
			if err == nil {
				t.Fatalf("%v was accepted", tc.env)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}
