package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kring-social/kring/test/testenv"
)

// The embedded default: no configuration, SQLite in the data dir, in-process broker, first admin
// printed once, ready, and a clean exit on SIGTERM.
func TestEmbeddedDefaultStartsAndStopsCleanly(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	k := testenv.StartKring(t, map[string]string{"KRING_DATA_DIR": dataDir})
	base := k.WaitListening(t)
	if status := testenv.GetStatus(t, base+"/readyz"); status != http.StatusOK {
		t.Fatalf("/readyz = %d, want 200", status)
	}
	if code := k.Stop(t); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}
	out := k.Stdout()
	for _, want := range []string{"/admin", "admin@localhost", "Password:"} {
		if !strings.Contains(out, want) {
			t.Errorf("first start should print %q; stdout:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dataDir, "kring.db")); err != nil {
		t.Errorf("SQLite file not created in the data dir: %v", err)
	}
	if logs := k.Stderr(); !strings.Contains(logs, "stopped cleanly") {
		t.Errorf("no clean-stop log line:\n%s", logs)
	}

	// A second start finds the admin and prints no password again.
	again := testenv.StartKring(t, map[string]string{"KRING_DATA_DIR": dataDir})
	again.WaitListening(t)
	if code := again.Stop(t); code != 0 {
		t.Fatalf("second run exit code = %d", code)
	}
	if out := again.Stdout(); strings.Contains(out, "Password:") {
		t.Errorf("the password must be printed on first start only:\n%s", out)
	}
}

// Bad configuration stops start-up with exit code 2 and a message naming the setting.
func TestBadConfigurationStopsStartUp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"KRING_PUBLIC_URL": "kring.example"}, nil, "KRING_PUBLIC_URL"},
		{map[string]string{"KRING_LOG_LEVEL": "loud"}, []string{"serve"}, "KRING_LOG_LEVEL"},
		{nil, []string{"serve"}, "needs KRING_REDIS_URL"},
		{nil, []string{"worker"}, "needs KRING_REDIS_URL"},
		{nil, []string{"all", "--listen", "nope"}, "KRING_LISTEN"},
		{nil, []string{"all", "--no-such-flag"}, "no-such-flag"},
		{nil, []string{"frobnicate"}, "unknown command"},
		{map[string]string{"KRING_SMTP_URL": "smtp://mail.example"}, nil, "KRING_SMTP_FROM"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " ")+tc.want, func(t *testing.T) {
			env := map[string]string{"KRING_DATA_DIR": t.TempDir()}
			for k, v := range tc.env {
				env[k] = v
			}
			k := testenv.StartKring(t, env, tc.args...)
			if code := k.Wait(t); code != exitUsage {
				t.Errorf("exit code = %d, want %d", code, exitUsage)
			}
			if errOut := k.Stderr(); !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr should mention %q:\n%s", tc.want, errOut)
			}
		})
	}
}

// An unreachable database is a clear failure at start, not a hang.
func TestUnreachableDatabaseFailsAtStart(t *testing.T) {
	t.Parallel()
	k := testenv.StartKring(t, map[string]string{
		"KRING_DATA_DIR":     t.TempDir(),
		"KRING_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=3",
	})
	if code := k.Wait(t); code != exitFailure {
		t.Errorf("exit code = %d, want %d", code, exitFailure)
	}
	if errOut := k.Stderr(); !strings.Contains(errOut, "open database") {
		t.Errorf("stderr should say the database could not be opened:\n%s", errOut)
	}
}
