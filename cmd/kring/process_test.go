package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// kringBinary is built once per test run, so the process tests run the real program as an operator
// would: its flags, environment, signals and exit codes.
var kringBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kring-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	kringBinary = filepath.Join(dir, "kring")
	build := exec.Command("go", "build", "-o", kringBinary, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build kring:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// runningKring is a started kring process with its output captured.
type runningKring struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stdout strings.Builder
	stderr strings.Builder
	addr   chan string
	exited chan error
}

var listeningLine = regexp.MustCompile(`http server listening.*address=(\S+)`)

// startKring starts the binary with a clean environment plus env, listening on a free port.
func startKring(t *testing.T, env map[string]string, args ...string) *runningKring {
	t.Helper()
	cmd := exec.Command(kringBinary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KRING_LISTEN=127.0.0.1:0"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	k := &runningKring{cmd: cmd, addr: make(chan string, 1), exited: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var readers sync.WaitGroup
	readers.Add(2)
	go k.collect(&readers, stdout, &k.stdout)
	go k.collect(&readers, stderr, &k.stderr)
	go func() {
		readers.Wait()
		k.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("kring stdout:\n%s\nkring stderr:\n%s", k.output(&k.stdout), k.output(&k.stderr))
		}
	})
	return k
}

func (k *runningKring) collect(done *sync.WaitGroup, r io.Reader, into *strings.Builder) {
	defer done.Done()
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		line := scanner.Text()
		k.mu.Lock()
		into.WriteString(line + "\n")
		k.mu.Unlock()
		if m := listeningLine.FindStringSubmatch(line); m != nil {
			select {
			case k.addr <- m[1]:
			default:
			}
		}
	}
}

func (k *runningKring) output(b *strings.Builder) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return b.String()
}

// waitListening returns the base URL once the HTTP server is up.
func (k *runningKring) waitListening(t *testing.T) string {
	t.Helper()
	select {
	case addr := <-k.addr:
		return "http://" + addr
	case err := <-k.exited:
		t.Fatalf("kring exited before listening: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("kring did not start listening within 60 s")
	}
	return ""
}

// stop sends SIGTERM and returns the exit code.
func (k *runningKring) stop(t *testing.T) int {
	t.Helper()
	if err := k.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return k.wait(t)
}

func (k *runningKring) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-k.exited:
		return k.cmd.ProcessState.ExitCode()
	case <-time.After(60 * time.Second):
		t.Fatal("kring did not exit within 60 s")
	}
	return -1
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The embedded default: no configuration, SQLite in the data dir, in-process broker, first admin
// printed once, ready, and a clean exit on SIGTERM.
func TestEmbeddedDefaultStartsAndStopsCleanly(t *testing.T) {
	dataDir := t.TempDir()
	k := startKring(t, map[string]string{"KRING_DATA_DIR": dataDir})
	base := k.waitListening(t)
	if status := getStatus(t, base+"/readyz"); status != http.StatusOK {
		t.Fatalf("/readyz = %d, want 200", status)
	}
	if code := k.stop(t); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}
	out := k.output(&k.stdout)
	for _, want := range []string{"/admin", "admin@localhost", "Password:"} {
		if !strings.Contains(out, want) {
			t.Errorf("first start should print %q; stdout:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dataDir, "kring.db")); err != nil {
		t.Errorf("SQLite file not created in the data dir: %v", err)
	}
	if logs := k.output(&k.stderr); !strings.Contains(logs, "stopped cleanly") {
		t.Errorf("no clean-stop log line:\n%s", logs)
	}

	// A second start finds the admin and prints no password again.
	again := startKring(t, map[string]string{"KRING_DATA_DIR": dataDir})
	again.waitListening(t)
	if code := again.stop(t); code != 0 {
		t.Fatalf("second run exit code = %d", code)
	}
	if out := again.output(&again.stdout); strings.Contains(out, "Password:") {
		t.Errorf("the password must be printed on first start only:\n%s", out)
	}
}

// Bad configuration stops start-up with exit code 2 and a message naming the setting.
func TestBadConfigurationStopsStartUp(t *testing.T) {
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
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " ")+tc.want, func(t *testing.T) {
			env := map[string]string{"KRING_DATA_DIR": t.TempDir()}
			for k, v := range tc.env {
				env[k] = v
			}
			k := startKring(t, env, tc.args...)
			if code := k.wait(t); code != exitUsage {
				t.Errorf("exit code = %d, want %d", code, exitUsage)
			}
			if errOut := k.output(&k.stderr); !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr should mention %q:\n%s", tc.want, errOut)
			}
		})
	}
}

// An unreachable database is a clear failure at start, not a hang.
func TestUnreachableDatabaseFailsAtStart(t *testing.T) {
	k := startKring(t, map[string]string{
		"KRING_DATA_DIR":     t.TempDir(),
		"KRING_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=3",
	})
	if code := k.wait(t); code != exitFailure {
		t.Errorf("exit code = %d, want %d", code, exitFailure)
	}
	if errOut := k.output(&k.stderr); !strings.Contains(errOut, "open database") {
		t.Errorf("stderr should say the database could not be opened:\n%s", errOut)
	}
}
