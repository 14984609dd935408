package testenv

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
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce   sync.Once
	builtBinary string
	buildErr    error
)

// KringBinary builds cmd/kring once per test binary and returns its path, so process tests run the
// real program as an operator would: flags, environment, signals and exit codes.
func KringBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		_, here, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(here), "..", "..")
		dir, err := os.MkdirTemp("", "kring-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBinary = filepath.Join(dir, "kring")
		build := exec.Command("go", "build", "-o", builtBinary, "./cmd/kring")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build kring: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBinary
}

// Process is a running program with its output captured line by line.
type Process struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stdout strings.Builder
	stderr strings.Builder
	exited chan struct{}
}

// StartKring runs the kring binary with a clean environment plus env, listening on a free port
// unless env says otherwise.
func StartKring(t testing.TB, env map[string]string, args ...string) *Process {
	t.Helper()
	full := map[string]string{"PATH": os.Getenv("PATH"), "HOME": t.TempDir(), "KRING_LISTEN": "127.0.0.1:0"}
	for k, v := range env {
		full[k] = v
	}
	return StartProcess(t, KringBinary(t), full, args...)
}

// StartProcess runs a program with exactly env, stopping it when the test ends.
func StartProcess(t testing.TB, program string, env map[string]string, args ...string) *Process {
	t.Helper()
	cmd := exec.Command(program, args...)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdin, err := cmd.StdinPipe() // kept open: some programs (the interop peer) exit when it closes
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{cmd: cmd, exited: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var readers sync.WaitGroup
	readers.Add(2)
	go p.collect(&readers, stdout, &p.stdout)
	go p.collect(&readers, stderr, &p.stderr)
	go func() {
		readers.Wait()
		_ = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = stdin.Close()
		if !p.Exited() {
			_ = cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("%s stdout:\n%s\n%s stderr:\n%s", filepath.Base(program), p.Stdout(), filepath.Base(program), p.Stderr())
		}
	})
	return p
}

func (p *Process) collect(done *sync.WaitGroup, r io.Reader, into *strings.Builder) {
	defer done.Done()
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64<<10), 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		p.mu.Lock()
		into.WriteString(line + "\n")
		p.mu.Unlock()
	}
}

// Stdout and Stderr return what the process printed so far.
func (p *Process) Stdout() string { p.mu.Lock(); defer p.mu.Unlock(); return p.stdout.String() }
func (p *Process) Stderr() string { p.mu.Lock(); defer p.mu.Unlock(); return p.stderr.String() }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// WaitForLine waits until a printed line matches pattern and returns its submatches.
func (p *Process) WaitForLine(t testing.TB, pattern *regexp.Regexp, within time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		exited := p.Exited() // read before the output, so nothing printed before the exit is missed
		for _, line := range strings.Split(p.Stdout()+p.Stderr(), "\n") {
			if m := pattern.FindStringSubmatch(line); m != nil {
				return m
			}
		}
		if exited {
			t.Fatalf("process exited before printing a line matching %q", pattern)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no line matching %q within %s", pattern, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var listeningLine = regexp.MustCompile(`http server listening.*address=(\S+)`)

// WaitListening returns kring's base URL once its HTTP server is up.
func (p *Process) WaitListening(t testing.TB) string {
	t.Helper()
	return "http://" + p.WaitForLine(t, listeningLine, 60*time.Second)[1]
}

// Stop sends SIGTERM and returns the exit code.
func (p *Process) Stop(t testing.TB) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return p.Wait(t)
}

// Wait waits for the process to end by itself and returns its exit code.
func (p *Process) Wait(t testing.TB) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(60 * time.Second):
		t.Fatal("process did not exit within 60 s")
	}
	return -1
}

// RunKring runs a kring command to its end (such as `admin ...`) and returns its exit code and
// standard output.
func RunKring(t testing.TB, env map[string]string, args ...string) (int, string) {
	t.Helper()
	p := StartKring(t, env, args...)
	code := p.Wait(t)
	return code, p.Stdout()
}

// GetStatus fetches url and returns the status code.
func GetStatus(t testing.TB, url string) int {
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

// Pid is the process's id, to read its CPU time from /proc.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Signal sends sig to the process, such as SIGKILL to test a crash.
func (p *Process) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }
