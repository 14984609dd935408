package main

import (
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/workers"
)

func envFrom(values map[string]string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		v, ok := values[key]
		return v, ok
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(nil, envFrom(nil))
	if err != nil {
		t.Fatalf("defaults must load: %v", err)
	}
	if got := cfg.PublicURL.String(); got != "http://127.0.0.1:8080" {
		t.Errorf("public URL = %q", got)
	}
	if cfg.Listen != "127.0.0.1:8080" || cfg.DataDir != "./data" || cfg.DatabaseURL != "" || cfg.RedisURL != "" {
		t.Errorf("unexpected defaults: %+v", cfg)
	}
	if cfg.WorkerConcurrency != 20 || cfg.ShutdownTimeout != 25*time.Second || len(cfg.FetchAllow) != 0 ||
		cfg.WorkerPollInterval != 100*time.Millisecond || cfg.PostLimitWindow != 10*time.Minute ||
		cfg.InboxLimits != workers.DefaultInboundLimits() {
		t.Errorf("unexpected defaults: %+v", cfg)
	}
}

func TestLoadConfigFlagBeatsEnvironment(t *testing.T) {
	t.Parallel()
	flagValue := "0.0.0.0:9090"
	cfg, err := loadConfig(map[string]*string{"KRING_LISTEN": &flagValue},
		envFrom(map[string]string{"KRING_LISTEN": "127.0.0.1:7070", "KRING_PUBLIC_URL": "https://Kring.Example./"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != flagValue {
		t.Errorf("listen = %q, want the flag's %q", cfg.Listen, flagValue)
	}
	if got := cfg.PublicURL.String(); got != "https://kring.example" {
		t.Errorf("public URL not normalised: %q", got)
	}
}

func TestLoadConfigParsesLists(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(nil, envFrom(map[string]string{"KRING_FETCH_ALLOW": "127.0.0.1, 10.1.2.3/8 ,::1/128"}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range cfg.FetchAllow {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "127.0.0.1/32 10.0.0.0/8 ::1/128" {
		t.Errorf("fetch allow = %v", got)
	}
}

// Every bad value stops start-up with a message naming the setting.
func TestLoadConfigRefusesBadValues(t *testing.T) {
	t.Parallel()
	cases := []struct{ env, value, want string }{
		{"KRING_PUBLIC_URL", "kring.example", "absolute http(s) URL"},
		{"KRING_PUBLIC_URL", "ftp://kring.example", "absolute http(s) URL"},
		{"KRING_PUBLIC_URL", "https://kring.example/sub", "scheme and host only"},
		{"KRING_PUBLIC_URL", "https://user:pw@kring.example", "scheme and host only"},
		{"KRING_LISTEN", "8080", "host:port"},
		{"KRING_LISTEN", "127.0.0.1:99999", "no valid port"},
		{"KRING_LISTEN", "example.org:80", "IP address"},
		{"KRING_DATABASE_URL", "mysql://db/kring", "postgres://"},
		{"KRING_REDIS_URL", "http://redis:6379", "redis://"},
		{"KRING_FETCH_ALLOW", "10.0.0.0/33", "CIDR"},
		{"KRING_FETCH_ALLOW", "localhost", "IP address or CIDR"},
		{"KRING_TRUSTED_PROXIES", "nope", "IP address or CIDR"},
		{"KRING_ADMIN_EMAIL", "not-an-email", "e-mail"},
		{"KRING_ADMIN_EMAIL", "Admin <a@b.example>", "plain e-mail"},
		{"KRING_ADMIN_PASSWORD", "short", "at least 12"},
		{"KRING_LOG_LEVEL", "loud", "debug, info"},
		{"KRING_LOG_FORMAT", "xml", "text or json"},
		{"KRING_WORKER_CONCURRENCY", "0", "from 1 to 1000"},
		{"KRING_WORKER_CONCURRENCY", "lots", "from 1 to 1000"},
		{"KRING_SHUTDOWN_TIMEOUT", "1h", "between 1s and 10m, such as 25s"},
		{"KRING_POST_LIMIT_WINDOW", "30s", "between 1m and 24h, such as 10m"},
		{"KRING_INBOX_LIMIT_WINDOW", "2d", "between 1m and 24h, such as 10m"},
		{"KRING_INBOX_LIMIT_PER_ACTOR", "0", "from 1 to 1000000"},
		{"KRING_INBOX_LIMIT_PER_HOST", "many", "from 1 to 10000000"},
		{"KRING_INBOX_MAX_IN_FLIGHT", "-1", "from 0 to 10000"},
		{"KRING_WORKER_POLL_INTERVAL", "1ms", "between 10ms and 5s, such as 100ms"},
		{"KRING_WORKER_POLL_INTERVAL", "soon", "between 10ms and 5s"},
		{"KRING_DATA_DIR", "settings_test.go", "not a directory"},
		{"KRING_METRICS_LISTEN", "9090", "host:port"},
		{"KRING_METRICS_LISTEN", "metrics.example:9090", "IP address"},
		{"KRING_METRICS_LISTEN", "127.0.0.1:8080", "port of their own"},
		{"KRING_METRICS_TOKEN", "short", "at least 32 characters"},
		{"KRING_METRICS_TOKEN", "0123456789abcdef 0123456789abcdef", "without spaces"},
	}
	for _, tc := range cases {
		t.Run(tc.env+"="+tc.value, func(t *testing.T) {
			_, err := loadConfig(nil, envFrom(map[string]string{tc.env: tc.value}))
			if err == nil {
				t.Fatalf("%s=%q was accepted", tc.env, tc.value)
			}
			if !strings.Contains(err.Error(), tc.env) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q should name %s and say %q", err, tc.env, tc.want)
			}
		})
	}
}

// Several bad settings are reported together, so an operator fixes them in one go.
func TestLoadConfigReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(nil, envFrom(map[string]string{"KRING_LISTEN": "x", "KRING_LOG_FORMAT": "y"}))
	if err == nil || !strings.Contains(err.Error(), "KRING_LISTEN") || !strings.Contains(err.Error(), "KRING_LOG_FORMAT") {
		t.Fatalf("want both settings named, got %v", err)
	}
}

// E-mail is off unless both SMTP settings are set; set, they say how to reach the server.
func TestLoadConfigEmail(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(nil, envFrom(nil))
	if err != nil || cfg.MailOn {
		t.Fatalf("e-mail must be off by default: %v %v", cfg.MailOn, err)
	}
	cfg, err = loadConfig(nil, envFrom(map[string]string{
		"KRING_SMTP_URL": "smtps://kring:s%40cret@mail.example", "KRING_SMTP_FROM": "Kring <kring@example.org>"}))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.MailOn || cfg.Mail.Host != "mail.example" || cfg.Mail.Port != 465 || !cfg.Mail.ImplicitTLS ||
		cfg.Mail.Username != "kring" || cfg.Mail.Password != "s@cret" || cfg.Mail.From != `"Kring" <kring@example.org>` {
		t.Errorf("mail config %+v", cfg.Mail)
	}
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"KRING_SMTP_URL": "smtp://mail.example"}, "KRING_SMTP_FROM"},
		{map[string]string{"KRING_SMTP_FROM": "kring@example.org"}, "KRING_SMTP_URL"},
		{map[string]string{"KRING_SMTP_URL": "mail.example:587", "KRING_SMTP_FROM": "kring@example.org"}, "smtp://"},
		{map[string]string{"KRING_SMTP_URL": "smtp://mail.example?starttls=off", "KRING_SMTP_FROM": "kring@example.org"}, "loopback"},
		{map[string]string{"KRING_SMTP_URL": "smtp://mail.example", "KRING_SMTP_FROM": "kring"}, "KRING_SMTP_FROM"},
	} {
		_, err := loadConfig(nil, envFrom(c.env))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "e-mail") {
			t.Errorf("%v: error %v, want one naming %s", c.env, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "s%40cret") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

// Metrics are off by default; set, the listener and token are kept as given.
func TestLoadConfigMetrics(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(nil, envFrom(nil))
	if err != nil || cfg.MetricsListen != "" || cfg.MetricsToken != "" {
		t.Fatalf("defaults: %+v %v", cfg, err)
	}
	token := strings.Repeat("k", 32)
	cfg, err = loadConfig(nil, envFrom(map[string]string{"KRING_METRICS_LISTEN": "127.0.0.1:9090", "KRING_METRICS_TOKEN": token}))
	if err != nil || cfg.MetricsListen != "127.0.0.1:9090" || cfg.MetricsToken != token {
		t.Fatalf("set: %+v %v", cfg, err)
	}
}
