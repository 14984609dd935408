// Package logins measures what a burst of parallel logins costs a running `kring serve`: the
// process's peak memory (VmHWM) and how long /healthz takes to answer meanwhile.
//
// It starts the kring binary named by KRING_BENCH_BINARY (default: cmd/kring built from this tree)
// on a fresh PostgreSQL schema and a Redis database of its own, then fires KRING_BENCH_LOGINS (60)
// logins at once while asking /healthz every 50 ms. Half use the first admin's right password, half
// wrong passwords for e-mails that have no account; each comes from an address of its own (in
// X-Forwarded-For, which serve believes from loopback), as a spread-out attacker would send them,
// so no per-address limit stops them before they reach the hashing. KRING_PASSWORD_HASH_MEMORY is
// passed on when set; KRING_BENCH_LOG names a file to keep kring's log in (warnings and errors,
// with every refused request's duration). Run:
//
//	go test ./bench/logins/ -run '^$' -bench ParallelLogins -benchtime 1x -v
//
// Measured on a shared 2-core machine (load average 9-12 from other work), 2026-12: before logins
// reserved their attempt and hashes were bounded, the burst took 25-34 s, peak RSS 3.8-4.0 GB
// (163 MB before it), /healthz p50 296-484 ms and max 1.7-1.9 s, and half the logins got 500 on
// one run (their request deadline passed). With both and the default 128 MiB of hashes, it took
// 5.4-7.8 s, peak RSS 367-373 MB, /healthz p50 22-34 ms and max 94-148 ms; 15-18 logged in, 4-9
// were throttled and the rest were refused as busy (429) after 2.5-2.9 s at the median.
package logins

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/test/testenv"
)

const (
	adminEmail    = "admin@bench.test"
	adminPassword = "the bench admin's password"
)

// server is a running kring serve.
type server struct {
	cmd    *exec.Cmd
	url    string
	output *strings.Builder
}

func startServe(b *testing.B) *server {
	b.Helper()
	binary := os.Getenv("KRING_BENCH_BINARY")
	if binary == "" {
		binary = testenv.KringBinary(b)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	address := listener.Addr().String()
	_ = listener.Close()
	base := "http://" + address

	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + b.TempDir(),
		"KRING_DATABASE_URL=" + testenv.PostgresURL(b),
		"KRING_REDIS_URL=" + testenv.RedisURL(testenv.Redis(b)),
		"KRING_DATA_DIR=" + filepath.Join(b.TempDir(), "data"),
		"KRING_LISTEN=" + address, "KRING_PUBLIC_URL=" + base,
		"KRING_ADMIN_EMAIL=" + adminEmail, "KRING_ADMIN_PASSWORD=" + adminPassword,
		"KRING_LOG_LEVEL=warn",
	}
	// The hashes' memory budget, when the run sets one (binaries from before it ignore it).
	if v, ok := os.LookupEnv("KRING_PASSWORD_HASH_MEMORY"); ok {
		cmd.Env = append(cmd.Env, "KRING_PASSWORD_HASH_MEMORY="+v)
	}
	output := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = &lockedWriter{w: output}, &lockedWriter{w: output}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	s := &server{cmd: cmd, url: base, output: output}
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("kring serve did not answer /healthz within 2 minutes:\n%s", output)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// memory reads a field of /proc/PID/status, in MB.
func (s *server) memory(b *testing.B, field string) float64 {
	b.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		b.Fatalf("no %s in /proc status", field)
	}
	kB, _ := strconv.ParseFloat(string(m[1]), 64)
	return kB / 1024
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// loginForm is one browser's login form, its CSRF cookie in the client's jar.
type loginForm struct {
	client  *http.Client
	form    url.Values
	address string
}

func (s *server) prepareLogin(b *testing.B, email, password, address string) loginForm {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(s.url + "/admin/login")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := csrfInput.FindSubmatch(page)
	if token == nil {
		b.Fatalf("no CSRF token on the login page: %s", page)
	}
	return loginForm{client: client, address: address,
		form: url.Values{"csrf": {string(token[1])}, "email": {email}, "password": {password}}}
}

// post sends the form and returns the status (0 when the request failed), and for a 429 whether
// it said busy or throttled.
func (s *server) post(l loginForm) (int, string) {
	req, err := http.NewRequest(http.MethodPost, s.url+"/admin/login", strings.NewReader(l.form.Encode()))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", l.address)
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case resp.StatusCode != http.StatusTooManyRequests:
		return resp.StatusCode, ""
	case strings.Contains(string(body), "busy"):
		return resp.StatusCode, "busy"
	default:
		return resp.StatusCode, "throttled"
	}
}

// pollHealth asks /healthz every 50 ms until ctx ends and returns each answer's latency.
func (s *server) pollHealth(ctx context.Context) []time.Duration {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}}
	var latencies []time.Duration
	ticker := time.NewTicker(50 * time.Millisecond)
	defer ticker.Stop()
	for {
		began := time.Now()
		if resp, err := client.Get(s.url + "/healthz"); err == nil {
			resp.Body.Close()
			latencies = append(latencies, time.Since(began))
		}
		select {
		case <-ctx.Done():
			return latencies
		case <-ticker.C:
		}
	}
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func BenchmarkParallelLogins(b *testing.B) {
	logins := 60
	if v := os.Getenv("KRING_BENCH_LOGINS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			b.Fatalf("KRING_BENCH_LOGINS=%q: want a number of at least 2", v)
		}
		logins = n
	}
	s := startServe(b)
	// One login first, so the process is warm (templates, connections) before it is measured.
	if status, _ := s.post(s.prepareLogin(b, adminEmail, adminPassword, "192.0.2.1")); status != http.StatusSeeOther {
		b.Fatalf("warm-up login: %d\n%s", status, s.output)
	}
	for i := 0; i < b.N; i++ {
		forms := make([]loginForm, logins)
		for j := range forms {
			address := fmt.Sprintf("10.%d.%d.%d", i, j/250, j%250+1)
			if j%2 == 0 {
				forms[j] = s.prepareLogin(b, adminEmail, adminPassword, address)
			} else {
				forms[j] = s.prepareLogin(b, fmt.Sprintf("nobody%d-%d@bench.test", i, j), "a wrong password", address)
			}
		}
		rssBefore := s.memory(b, "VmRSS")
		ctx, stop := context.WithCancel(context.Background())
		health := make(chan []time.Duration)
		go func() { health <- s.pollHealth(ctx) }()
		time.Sleep(200 * time.Millisecond) // a few answers from before the burst

		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			statuses = map[string]int{}
			answered []time.Duration
			start    = make(chan struct{})
		)
		began := time.Now()
		for _, form := range forms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				sent := time.Now()
				status, kind := s.post(form)
				took := time.Since(sent)
				mu.Lock()
				answered = append(answered, took)
				statuses[strings.TrimSpace(fmt.Sprintf("%d %s", status, kind))]++
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		burst := time.Since(began)
		time.Sleep(500 * time.Millisecond)
		stop()
		latencies := <-health
		slices.Sort(latencies)
		slices.Sort(answered)

		peak := s.memory(b, "VmHWM")
		b.ReportMetric(peak, "peak-rss-MB")
		b.ReportMetric(ms(percentile(latencies, 0.50)), "healthz-p50-ms")
		b.ReportMetric(ms(percentile(latencies, 0.99)), "healthz-p99-ms")
		b.ReportMetric(ms(latencies[len(latencies)-1]), "healthz-max-ms")
		b.ReportMetric(burst.Seconds(), "burst-s")
		b.Logf("%d logins at once in %s (each answered in %s at the median, %s at most): statuses %v; RSS %.0f MB before, peak %.0f MB; /healthz over %d answers: p50 %s, p99 %s, max %s",
			logins, burst.Round(time.Millisecond), percentile(answered, 0.5).Round(time.Millisecond),
			answered[len(answered)-1].Round(time.Millisecond), statuses, rssBefore, peak, len(latencies),
			percentile(latencies, 0.50).Round(time.Microsecond), percentile(latencies, 0.99).Round(time.Microsecond),
			latencies[len(latencies)-1].Round(time.Microsecond))
	}
	if path := os.Getenv("KRING_BENCH_LOG"); path != "" {
		if err := os.WriteFile(path, []byte(s.output.String()), 0o600); err != nil {
			b.Error(err)
		}
	}
	for _, line := range strings.Split(s.output.String(), "\n") {
		if strings.Contains(line, "level=ERROR") {
			b.Logf("first error kring logged: %s", line)
			break
		}
	}
}
