package compose

import (
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

// composeFile is the part of docker-compose.yml the production promises depend on.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image           string                       `yaml:"image"`
	Build           *composeBuild                `yaml:"build"`
	Command         []string                     `yaml:"command"`
	Environment     map[string]string            `yaml:"environment"`
	Ports           []string                     `yaml:"ports"`
	Volumes         []string                     `yaml:"volumes"`
	Healthcheck     *composeHealthcheck          `yaml:"healthcheck"`
	DependsOn       map[string]composeDependency `yaml:"depends_on"`
	Restart         string                       `yaml:"restart"`
	StopGracePeriod string                       `yaml:"stop_grace_period"`
}

type composeBuild struct {
	Context string `yaml:"context"`
}

type composeHealthcheck struct {
	Test []string `yaml:"test"`
}

type composeDependency struct {
	Condition string `yaml:"condition"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	var f composeFile
	// A key set beside a `<<:` merge overrides the merged one, as compose reads it; this decoder
	// calls that a duplicate unless told otherwise.
	err := yaml.UnmarshalWithOptions([]byte(readRepoFile(t, "docker-compose.yml")), &f, yaml.AllowDuplicateMapKey())
	if err != nil {
		t.Fatalf("parse docker-compose.yml: %v", err)
	}
	return f
}

func service(t *testing.T, f composeFile, name string) composeService {
	t.Helper()
	s, ok := f.Services[name]
	if !ok {
		t.Fatalf("docker-compose.yml has no service %q", name)
	}
	return s
}

// interpolationRE matches ${NAME}, ${NAME:-default} and ${NAME-default}.
var interpolationRE = regexp.MustCompile(`\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}`)

// withDefaults resolves compose interpolation to the defaults the file declares, which is what runs
// when .env sets nothing.
func withDefaults(s string) string {
	return interpolationRE.ReplaceAllStringFunc(s, func(m string) string {
		return interpolationRE.FindStringSubmatch(m)[2]
	})
}

func durationOf(t *testing.T, what, value string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(withDefaults(value))
	if err != nil {
		t.Fatalf("%s: %q is not a duration: %v", what, value, err)
	}
	return d
}

func TestComposeBackingServices(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	tests := []struct {
		name, imagePrefix, dataPath, healthCommand string
	}{
		{"postgres", "postgres:16", "/var/lib/postgresql/data", "pg_isready"},
		{"redis", "redis:7", "/data", "redis-cli ping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := service(t, f, tt.name)
			if !strings.HasPrefix(s.Image, tt.imagePrefix) {
				t.Errorf("image %q, want %s", s.Image, tt.imagePrefix)
			}
			if s.Healthcheck == nil || !strings.Contains(strings.Join(s.Healthcheck.Test, " "), tt.healthCommand) {
				t.Errorf("healthcheck %+v does not run %s", s.Healthcheck, tt.healthCommand)
			}
			if !mountsNamedVolume(f, s, tt.dataPath) {
				t.Errorf("%s is not on a named volume declared under volumes: (volumes %v)", tt.dataPath, s.Volumes)
			}
			if len(s.Ports) != 0 {
				t.Errorf("publishes ports %v; only Kring's containers need to reach it", s.Ports)
			}
			if s.Restart != "unless-stopped" {
				t.Errorf("restart %q, want unless-stopped", s.Restart)
			}
		})
	}
}

func TestComposeRedisPersistsTheQueue(t *testing.T) {
	t.Parallel()
	command := strings.Join(service(t, loadCompose(t), "redis").Command, " ")
	for _, want := range []string{"--appendonly yes", "--appendfsync everysec"} {
		if !strings.Contains(command, want) {
			t.Errorf("redis command %q lacks %q: the task queue must survive a restart", command, want)
		}
	}
}

func TestComposeKringServices(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	migrate := service(t, f, "migrate")
	tests := []struct {
		name           string
		command        string
		restart        string
		needsMigration bool
	}{
		{"migrate", "migrate up", "no", false},
		{"serve", "serve", "unless-stopped", true},
		{"worker", "worker", "unless-stopped", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := service(t, f, tt.name)
			if got := strings.Join(s.Command, " "); got != tt.command {
				t.Errorf("command %q, want %q", got, tt.command)
			}
			if s.Image != migrate.Image || s.Build == nil || s.Build.Context != "." {
				t.Errorf("image %q build %+v: every Kring service must build and run the same image from the repository root", s.Image, s.Build)
			}
			if s.Restart != tt.restart {
				t.Errorf("restart %q, want %q", s.Restart, tt.restart)
			}
			checkBackingURL(t, s, "KRING_DATABASE_URL", "postgres", "postgres")
			checkBackingURL(t, s, "KRING_REDIS_URL", "redis", "redis")
			wantDeps := map[string]string{"postgres": "service_healthy"}
			if tt.needsMigration {
				wantDeps["redis"] = "service_healthy"
				wantDeps["migrate"] = "service_completed_successfully"
			}
			for dep, condition := range wantDeps {
				if got := s.DependsOn[dep].Condition; got != condition {
					t.Errorf("depends_on %s condition %q, want %q", dep, got, condition)
				}
			}
			grace := durationOf(t, "stop_grace_period", s.StopGracePeriod)
			shutdown := durationOf(t, "KRING_SHUTDOWN_TIMEOUT", s.Environment["KRING_SHUTDOWN_TIMEOUT"])
			if grace <= shutdown {
				t.Errorf("stop_grace_period %v is not longer than KRING_SHUTDOWN_TIMEOUT %v: Docker would kill the process mid-shutdown", grace, shutdown)
			}
		})
	}
}

// checkBackingURL checks that a URL setting names the compose service that provides it, so a
// renamed service cannot leave Kring pointing nowhere.
func checkBackingURL(t *testing.T, s composeService, setting, scheme, host string) {
	t.Helper()
	u, err := url.Parse(withDefaults(s.Environment[setting]))
	if err != nil || u.Scheme != scheme || u.Hostname() != host {
		t.Errorf("%s = %q, want a %s:// URL to the %q service", setting, s.Environment[setting], scheme, host)
	}
}

// Production is: set the domain, `docker compose up -d`. So serve answers HTTPS itself with a
// certificate it obtains for the domain, on the standard ports, and keeps it in the data volume.
func TestComposeServeTerminatesTLS(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	s := service(t, f, "serve")
	env := func(name string) string { return withDefaults(s.Environment[name]) }
	if got := s.Environment["KRING_PUBLIC_URL"]; got != "https://${KRING_DOMAIN:-localhost}" {
		t.Errorf("KRING_PUBLIC_URL %q, want https://${KRING_DOMAIN:-localhost}: the domain is the one thing to set", got)
	}
	if worker := service(t, f, "worker"); worker.Environment["KRING_PUBLIC_URL"] != s.Environment["KRING_PUBLIC_URL"] {
		t.Errorf("worker's KRING_PUBLIC_URL %q differs from serve's: group identities would disagree", worker.Environment["KRING_PUBLIC_URL"])
	}
	if env("KRING_TLS") != "acme" {
		t.Errorf("KRING_TLS %q, want acme", env("KRING_TLS"))
	}
	if ca := env("KRING_ACME_CA"); !strings.HasPrefix(ca, "https://acme-v02.api.letsencrypt.org/") {
		t.Errorf("KRING_ACME_CA defaults to %q, want Let's Encrypt's production directory", ca)
	}
	// The image runs unprivileged: it listens on high ports, which Docker publishes as 80 and 443.
	published := map[string]string{"80": env("KRING_HTTP_LISTEN"), "443": env("KRING_TLS_LISTEN")}
	for hostPort, listen := range published {
		_, containerPort, err := net.SplitHostPort(listen)
		if err != nil || !strings.HasPrefix(listen, "0.0.0.0:") {
			t.Errorf("listener for host port %s is %q, want 0.0.0.0:PORT inside the container", hostPort, listen)
			continue
		}
		if want := hostPort + ":" + containerPort; !slices.Contains(s.Ports, want) {
			t.Errorf("ports %v do not publish %s (the CA checks port 80; browsers come to 443)", s.Ports, want)
		}
	}
	if !mountsNamedVolume(f, s, env("KRING_DATA_DIR")) {
		t.Errorf("KRING_DATA_DIR %q is not a named volume: certificates (in its acme/) would be ordered again on every new container", env("KRING_DATA_DIR"))
	}
	// The health probe asks the plain listener, which answers /readyz itself rather than redirect.
	want := []string{"CMD", "kring", "probe", "http://127.0.0.1:" + portOfListen(env("KRING_HTTP_LISTEN")) + "/readyz"}
	if s.Healthcheck == nil || !slices.Equal(s.Healthcheck.Test, want) {
		t.Errorf("healthcheck %+v, want test %q", s.Healthcheck, want)
	}
	for _, proxy := range strings.Split(env("KRING_TRUSTED_PROXIES"), ",") {
		if prefix, err := netip.ParsePrefix(proxy); err != nil || !prefix.Addr().IsLoopback() {
			t.Errorf("KRING_TRUSTED_PROXIES has %q: with no proxy in front, a client could forge X-Forwarded-For from there", proxy)
		}
	}
}

func portOfListen(listen string) string {
	_, port, _ := net.SplitHostPort(listen)
	return port
}

func mountsNamedVolume(f composeFile, s composeService, path string) bool {
	for _, v := range s.Volumes {
		source, target, ok := strings.Cut(v, ":")
		target, _, _ = strings.Cut(target, ":")
		if _, declared := f.Volumes[source]; ok && declared && target == path {
			return true
		}
	}
	return false
}
