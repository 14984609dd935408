package e2e

import (
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kring-social/kring/app/mail/mailtest"
	"github.com/kring-social/kring/test/testenv"
)

// Who the browser logs in as: an admin of the organisation, made with `kring admin staff create`,
// and the instance's first admin, made by the first start from KRING_ADMIN_EMAIL and _PASSWORD.
const (
	staffEmail    = "ada@acme.example"
	staffPassword = "correct horse battery staple"
	rootEmail     = "root@kring.example"
	rootPassword  = "the instance's own long password"
)

// kring is a running Kring in its production shape: `kring serve` and `kring worker` as separate
// processes on PostgreSQL and Redis, reached at base, sending staff e-mail to a real SMTP server.
type kring struct {
	base   string
	env    map[string]string
	mail   *mailtest.Server
	worker *testenv.Process
}

// startKring prepares the database with `kring admin` as an operator would (an organisation and a
// pre-moderated group that approves its followers), starts serve (whose first start makes the
// instance admin) and worker, and adds the organisation's staff admin.
// Fetching from loopback is allowed so Kring can reach the Fedify peer.
func startKring(t *testing.T) *kring {
	t.Helper()
	redis := testenv.Redis(t)
	listen := freeAddress(t)
	mail := mailtest.Start(t)
	k := &kring{base: "http://" + listen, mail: mail, env: map[string]string{
		"KRING_DATA_DIR":       t.TempDir(),
		"KRING_DATABASE_URL":   testenv.PostgresURL(t),
		"KRING_REDIS_URL":      testenv.RedisURL(redis),
		"KRING_LISTEN":         listen,
		"KRING_PUBLIC_URL":     "http://" + listen,
		"KRING_FETCH_ALLOW":    "127.0.0.0/8",
		"KRING_ADMIN_EMAIL":    rootEmail,
		"KRING_ADMIN_PASSWORD": rootPassword,
		"KRING_SMTP_URL":       mail.URL(),
		"KRING_SMTP_FROM":      "Acme's Kring <kring@acme.example>",
	}}
	k.admin(t, "org", "create", "--slug", "acme", "--name", "Acme Housing Co-op")
	k.admin(t, "group", "create", "--org", "acme", "--slug", "tenants", "--name", "Tenants' Desk",
		"--posting-policy", "premoderated", "--approve-followers")
	testenv.StartKring(t, k.env, "serve").WaitListening(t)
	k.worker = testenv.StartKring(t, k.env, "worker")
	k.admin(t, "staff", "create", "--org", "acme", "--email", staffEmail, "--name", "Ada", "--role", "admin",
		"--password", staffPassword)
	return k
}

// killWorker kills the worker process as a crash would (SIGKILL: nothing is finished or handed
// back) and starts another in its place.
func (k *kring) killWorker(t *testing.T) {
	t.Helper()
	if err := k.worker.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill the worker: %v", err)
	}
	k.worker.Wait(t)
	k.worker = testenv.StartKring(t, k.env, "worker")
}

// admin runs `kring admin ...` against the same database and returns what it printed.
func (k *kring) admin(t *testing.T, args ...string) string {
	t.Helper()
	code, out := testenv.RunKring(t, k.env, append([]string{"admin"}, args...)...)
	if code != 0 {
		t.Fatalf("kring admin %v: exit %d\n%s", args, code, out)
	}
	return out
}

// freeAddress is a loopback address with a port nothing listens on, so Kring's public URL can be
// known before it starts.
func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// awaitMail waits until to has received an e-mail whose subject holds subject, and returns the path
// of the first link in it to Kring's admin.
func (k *kring) awaitMail(t *testing.T, to, subject string) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		for _, m := range k.mail.MessagesTo(to) {
			if !strings.Contains(m.Subject, subject) {
				continue
			}
			for _, link := range m.Links() {
				if u, err := url.Parse(link); err == nil && strings.HasPrefix(link, k.base+"/admin/") {
					return u.RequestURI()
				}
			}
			t.Fatalf("the e-mail %q to %s links to no admin page of %s:\n%s", m.Subject, to, k.base, m.Text)
		}
	}
	t.Fatalf("%s received no e-mail about %q within 30 s", to, subject)
	return ""
}
