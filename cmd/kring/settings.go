package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	email "github.com/kring-social/kring/app/mail"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/workers"
)

// Config is everything Kring reads from its environment and flags. Only cmd builds it.
type Config struct {
	PublicURL         *url.URL
	Listen            string
	DataDir           string
	DatabaseURL       string
	RedisURL          string
	FetchAllow        []netip.Prefix
	TrustedProxies    []netip.Prefix
	AdminEmail        string
	AdminPassword     string
	LogLevel          slog.Level
	LogFormat         string
	WorkerConcurrency int
	ShutdownTimeout   time.Duration
	// WorkerPollInterval is how often an idle worker asks the broker for tasks.
	WorkerPollInterval time.Duration
	PostLimitWindow    time.Duration
	PostLimitPerActor  int
	PostLimitPerHost   int
	// InboxLimits bound what senders may have the inbox store.
	InboxLimits workers.InboundLimits
	// InboxMaxInFlight bounds the inbox requests one serve process works on at once; 0 sizes it to
	// the database pool.
	InboxMaxInFlight int
	// PasswordHashMemoryMiB bounds the memory of the password hashes one process runs at once.
	PasswordHashMemoryMiB int
	// SMTPURL and SMTPFrom are the raw e-mail settings; Mail is what they say, MailOn false when both
	// are empty (e-mail off).
	SMTPURL  string
	SMTPFrom string
	Mail     email.Config
	MailOn   bool
	// MetricsListen is the separate host:port /metrics is served on; empty = none.
	MetricsListen string
	// MetricsToken, when set, also serves /metrics on the main listener to requests bearing it.
	MetricsToken string
	// TLS says whether and how the site is served over HTTPS.
	TLS TLSConfig
	// AnalyticsRetention is how long settled deliveries (and the outbound activities only they
	// needed) are kept; their figures stay in the daily rollups.
	AnalyticsRetention time.Duration
}

// setting is one configuration value: read from a flag, else from the environment, else its default.
// The table below is the single description of every setting, so flags, environment, validation and
// `kring help` cannot drift apart.
type setting struct {
	env   string
	flag  string
	def   string
	usage string
	apply func(c *Config, value string) error
}

var settings = []setting{
	{"KRING_PUBLIC_URL", "public-url", "http://127.0.0.1:8080",
		"the URL people and other servers reach Kring at: https:// in production, through KRING_TLS or a TLS proxy", applyPublicURL},
	{"KRING_LISTEN", "listen", "127.0.0.1:8080", "host:port the HTTP server listens on", applyListen},
	{"KRING_DATA_DIR", "data-dir", "./data", "directory for the SQLite database and uploaded files", applyDataDir},
	{"KRING_DATABASE_URL", "database-url", "",
		"postgres:// URL of the PostgreSQL database; empty = SQLite file in the data directory", applyDatabaseURL},
	{"KRING_REDIS_URL", "redis-url", "",
		"redis:// URL of the task broker, or redis-sentinel://host:port[,host:port]/master[?db=N]; empty = in-process broker (only with `kring all`)", applyRedisURL},
	{"KRING_FETCH_ALLOW", "fetch-allow", "",
		"comma-separated CIDRs remote fetches may reach although private or loopback; empty = public addresses only",
		func(c *Config, v string) (err error) { c.FetchAllow, err = parsePrefixes(v); return err }},
	{"KRING_TRUSTED_PROXIES", "trusted-proxies", "127.0.0.0/8,::1/128",
		"comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed",
		func(c *Config, v string) (err error) { c.TrustedProxies, err = parsePrefixes(v); return err }},
	{"KRING_ADMIN_EMAIL", "admin-email", "admin@localhost",
		"e-mail of the first admin, created on first start only", applyAdminEmail},
	{"KRING_ADMIN_PASSWORD", "admin-password", "",
		"password of the first admin (at least 12 characters); empty = generated and printed once", applyAdminPassword},
	{"KRING_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", applyLogLevel},
	{"KRING_LOG_FORMAT", "log-format", "text", "text or json", applyLogFormat},
	{"KRING_WORKER_CONCURRENCY", "worker-concurrency", "20", "tasks one worker process runs at once (1-1000)",
		func(c *Config, v string) (err error) { c.WorkerConcurrency, err = parseIntIn(v, 1, 1000); return err }},
	{"KRING_WORKER_POLL_INTERVAL", "worker-poll-interval", workers.DefaultIdlePoll.String(),
		"how often an idle worker looks for new tasks (10ms-5s): the most a new delivery waits to start", applyWorkerPollInterval},
	{"KRING_SHUTDOWN_TIMEOUT", "shutdown-timeout", "25s",
		"how long a stopping process waits for requests and tasks in flight (1s-10m)", applyShutdownTimeout},
	{"KRING_POST_LIMIT_WINDOW", "post-limit-window", "10m",
		"the window the posting rate limits count over (1m-24h)", applyPostLimitWindow},
	{"KRING_POST_LIMIT_PER_ACTOR", "post-limit-per-actor", "20",
		"posts one remote account may make into this server's groups per window (1-100000)",
		func(c *Config, v string) (err error) { c.PostLimitPerActor, err = parseIntIn(v, 1, 100000); return err }},
	{"KRING_POST_LIMIT_PER_HOST", "post-limit-per-host", "300",
		"posts all accounts of one remote server may make into this server's groups per window (1-1000000)",
		func(c *Config, v string) (err error) { c.PostLimitPerHost, err = parseIntIn(v, 1, 1000000); return err }},
	{"KRING_INBOX_LIMIT_WINDOW", "inbox-limit-window", "10m",
		"the window the inbox's storage limits count over (1m-24h)", applyInboxLimitWindow},
	{"KRING_INBOX_LIMIT_PER_ACTOR", "inbox-limit-per-actor", "300",
		"activities one remote account may have stored per window, and 64 KiB each on average (1-1000000); more get 429",
		func(c *Config, v string) (err error) {
			c.InboxLimits.PerActor, err = parseIntIn(v, 1, 1000000)
			return err
		}},
	{"KRING_INBOX_LIMIT_PER_HOST", "inbox-limit-per-host", "6000",
		"activities all accounts of one remote server may have stored per window, 64 KiB each on average (1-10000000)",
		func(c *Config, v string) (err error) {
			c.InboxLimits.PerHost, err = parseIntIn(v, 1, 10000000)
			return err
		}},
	{"KRING_INBOX_MAX_IN_FLIGHT", "inbox-max-in-flight", "0",
		"inbox requests one serve process checks and stores at once (0-10000; 0: three quarters of the database pool); more get 503 with Retry-After",
		func(c *Config, v string) (err error) { c.InboxMaxInFlight, err = parseIntIn(v, 0, 10000); return err }},
	{"KRING_PASSWORD_HASH_MEMORY", "password-hash-memory", strconv.Itoa(organisations.DefaultHashMemoryKiB / 1024),
		"MiB the password hashes of one process may use at once, 64 per login (64-65536); more logins wait, then get 429",
		func(c *Config, v string) (err error) {
			c.PasswordHashMemoryMiB, err = parseIntIn(v, 64, 65536)
			return err
		}},
	{"KRING_SMTP_URL", "smtp-url", "",
		"SMTP server for staff e-mail: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465; ?starttls=off only on loopback; empty = no e-mail",
		func(c *Config, v string) error { c.SMTPURL = v; return nil }},
	{"KRING_SMTP_FROM", "smtp-from", "",
		"sender of staff e-mail, such as kring@example.org or \"Kring\" <kring@example.org>; needed with KRING_SMTP_URL",
		func(c *Config, v string) error { c.SMTPFrom = v; return nil }},
	{"KRING_METRICS_LISTEN", "metrics-listen", "",
		"host:port to serve Prometheus /metrics on, apart from the site (such as 127.0.0.1:9090); each process needs its own; empty = off",
		applyMetricsListen},
	{"KRING_METRICS_TOKEN", "metrics-token", "",
		"bearer token that also opens /metrics on the main listener (at least 32 characters, no spaces); empty = not there",
		applyMetricsToken},
	{"KRING_ANALYTICS_RETENTION", "analytics-retention", "90d",
		"how long settled delivery records are kept (their figures stay in the analytics): days such as 90d, or a duration such as 2160h; at least 1 day",
		applyAnalyticsRetention},
}

// registerSettingFlags adds a flag for every setting to fs; values left unset stay empty.
func registerSettingFlags(fs *flag.FlagSet) map[string]*string {
	values := make(map[string]*string, len(settings))
	for _, s := range settings {
		values[s.env] = fs.String(s.flag, "", fmt.Sprintf("%s (env %s, default %q)", s.usage, s.env, s.def))
	}
	return values
}

// loadConfig resolves every setting from flags (when set), the environment, or defaults, and validates
// each. The error names the setting at fault and what a good value looks like.
func loadConfig(flagValues map[string]*string, lookupEnv func(string) (string, bool)) (*Config, error) {
	c := &Config{}
	var problems []error
	for _, s := range settings {
		value, source := s.def, "default"
		if v, ok := lookupEnv(s.env); ok {
			value, source = v, "environment"
		}
		if p := flagValues[s.env]; p != nil && *p != "" {
			value, source = *p, "flag --"+s.flag
		}
		if err := s.apply(c, strings.TrimSpace(value)); err != nil {
			problems = append(problems, fmt.Errorf("invalid %s (from %s): %w", s.env, source, err))
		}
	}
	var err error
	if c.Mail, c.MailOn, err = email.ParseConfig(c.SMTPURL, c.SMTPFrom); err != nil {
		problems = append(problems, fmt.Errorf("invalid e-mail settings: %w", err))
	}
	// Port 0 lets the system choose, so two such addresses never collide.
	if c.MetricsListen != "" && c.MetricsListen == c.Listen && !strings.HasSuffix(c.Listen, ":0") {
		problems = append(problems, fmt.Errorf("invalid KRING_METRICS_LISTEN: %q is KRING_LISTEN's address; give metrics a port of their own", c.MetricsListen))
	}
	problems = append(problems, checkTLS(c)...)
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return c, nil
}

func applyPublicURL(c *Config, v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL such as https://kring.example", v)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("%q must be scheme and host only, such as https://kring.example", v)
	}
	u.Path = ""
	u.Host = strings.TrimSuffix(strings.ToLower(u.Host), ".")
	c.PublicURL = u
	return nil
}

func applyListen(c *Config, v string) error {
	if err := checkListenAddress(v); err != nil {
		return err
	}
	c.Listen = v
	return nil
}

// checkListenAddress accepts host:port with an IP address, localhost or no host.
func checkListenAddress(v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("%q is not host:port, such as 127.0.0.1:8080 or 0.0.0.0:8080", v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has no valid port", v)
	}
	if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		return fmt.Errorf("%q: host must be an IP address, localhost or empty", v)
	}
	return nil
}

func applyDataDir(c *Config, v string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	if info, err := os.Stat(v); err == nil && !info.IsDir() {
		return fmt.Errorf("%q exists and is not a directory", v)
	}
	c.DataDir = v
	return nil
}

func applyDatabaseURL(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New("must be a postgres:// URL such as postgres://kring:secret@db:5432/kring, or empty for SQLite")
	}
	c.DatabaseURL = v
	return nil
}

func applyRedisURL(c *Config, v string) error {
	if v == "" {
		return nil
	}
	if _, err := workers.ParseRedisURL(v); err != nil {
		return errors.New("must be a redis:// or rediss:// URL such as redis://redis:6379/0, or empty for the in-process broker")
	}
	c.RedisURL = v
	return nil
}

func applyAdminEmail(c *Config, v string) error {
	addr, err := mail.ParseAddress(v)
	if err != nil || addr.Address != v {
		return fmt.Errorf("%q is not a plain e-mail address such as admin@example.org", v)
	}
	c.AdminEmail = strings.ToLower(v)
	return nil
}

func applyAdminPassword(c *Config, v string) error {
	if v != "" && len([]rune(v)) < 12 {
		return errors.New("must be at least 12 characters, or empty to have one generated")
	}
	c.AdminPassword = v
	return nil
}

func applyLogLevel(c *Config, v string) error {
	if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
		return fmt.Errorf("%q is not one of debug, info, warn, error", v)
	}
	return nil
}

func applyLogFormat(c *Config, v string) error {
	if v != "text" && v != "json" {
		return fmt.Errorf("%q is not text or json", v)
	}
	c.LogFormat = v
	return nil
}

func applyShutdownTimeout(c *Config, v string) (err error) {
	c.ShutdownTimeout, err = parseDurationIn(v, time.Second, 10*time.Minute, "25s")
	return err
}

func applyPostLimitWindow(c *Config, v string) (err error) {
	c.PostLimitWindow, err = parseDurationIn(v, time.Minute, 24*time.Hour, "10m")
	return err
}

func applyInboxLimitWindow(c *Config, v string) (err error) {
	c.InboxLimits.Window, err = parseDurationIn(v, time.Minute, 24*time.Hour, "10m")
	return err
}

func applyWorkerPollInterval(c *Config, v string) (err error) {
	c.WorkerPollInterval, err = parseDurationIn(v, 10*time.Millisecond, 5*time.Second, workers.DefaultIdlePoll.String())
	return err
}

// parseDurationIn reads a duration between lowest and highest; the error shows a good example.
func parseDurationIn(v string, lowest, highest time.Duration, example string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < lowest || d > highest {
		return 0, fmt.Errorf("%q is not a duration between %s and %s, such as %s", v, shortDuration(lowest), shortDuration(highest), example)
	}
	return d, nil
}

// shortDuration writes a duration the way people type it: 1m rather than 1m0s, 24h rather than
// 24h0m0s.
func shortDuration(d time.Duration) string {
	text := d.String()
	if strings.HasSuffix(text, "m0s") {
		text = strings.TrimSuffix(text, "0s")
	}
	if strings.HasSuffix(text, "h0m") {
		text = strings.TrimSuffix(text, "0m")
	}
	return text
}

func parseIntIn(v string, lowest, highest int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lowest || n > highest {
		return 0, fmt.Errorf("%q is not a whole number from %d to %d", v, lowest, highest)
	}
	return n, nil
}

// parsePrefixes reads a comma-separated list of CIDRs; a bare address means just that address.
func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			addr, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not an IP address or CIDR such as 10.0.0.0/8", part)
			}
			out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		prefix, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", part)
		}
		out = append(out, prefix.Masked())
	}
	return out, nil
}
