package https

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/test/testenv"
)

const pebbleModule = "github.com/letsencrypt/pebble/v2"

var (
	pebbleOnce   sync.Once
	pebbleBinary string
	pebbleDir    string
	pebbleErr    error
)

// buildPebble builds Pebble once per test binary from the version go.mod pins as a tool, and finds
// its module directory, which holds the certificate of its own HTTPS endpoint.
func buildPebble(t *testing.T) (binary, moduleDir string) {
	t.Helper()
	pebbleOnce.Do(func() {
		_, here, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(here), "..", "..")
		dir, err := os.MkdirTemp("", "pebble-bin-")
		if err != nil {
			pebbleErr = err
			return
		}
		pebbleBinary = filepath.Join(dir, "pebble")
		build := exec.Command("go", "build", "-o", pebbleBinary, pebbleModule+"/cmd/pebble")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			pebbleErr = fmt.Errorf("build pebble: %v\n%s", err, out)
			return
		}
		list := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", pebbleModule)
		list.Dir = root
		out, err := list.Output()
		if err != nil {
			pebbleErr = fmt.Errorf("find pebble's module: %v", err)
			return
		}
		pebbleDir = strings.TrimSpace(string(out))
	})
	if pebbleErr != nil {
		t.Fatal(pebbleErr)
	}
	return pebbleBinary, pebbleDir
}

// pebble is a running Pebble ACME server.
type pebble struct {
	process *testenv.Process
	// Directory is the ACME directory URL; EndpointRoot the PEM file its HTTPS endpoint is signed
	// by (what Kring's KRING_ACME_CA_ROOT names).
	Directory    string
	EndpointRoot string
	management   string
	endpoint     *http.Client
}

// startPebble runs Pebble validating HTTP-01 challenges against httpPort on the name's address,
// as a CA reaches port 80. Validation is real (no PEBBLE_VA_ALWAYS_VALID); only its random sleeps
// and rejected nonces are turned off, to keep the test quick and its path the same each run.
func startPebble(t *testing.T, httpPort int) *pebble {
	t.Helper()
	binary, moduleDir := buildPebble(t)
	listen, management := freeAddress(t), freeAddress(t)
	config := map[string]any{"pebble": map[string]any{
		"listenAddress":                  listen,
		"managementListenAddress":        management,
		"certificate":                    filepath.Join(moduleDir, "test", "certs", "localhost", "cert.pem"),
		"privateKey":                     filepath.Join(moduleDir, "test", "certs", "localhost", "key.pem"),
		"httpPort":                       httpPort,
		"tlsPort":                        portOf(t, freeAddress(t)),
		"ocspResponderURL":               "",
		"externalAccountBindingRequired": false,
		"keyAlgorithm":                   "ecdsa",
		"profiles":                       map[string]any{"default": map[string]any{"description": "default", "validityPeriod": 7776000}},
	}}
	data, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	configFile := filepath.Join(t.TempDir(), "pebble.json")
	if err := os.WriteFile(configFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	p := &pebble{
		Directory:    "https://" + listen + "/dir",
		EndpointRoot: filepath.Join(moduleDir, "test", "certs", "pebble.minica.pem"),
		management:   "https://" + management,
	}
	roots := x509.NewCertPool()
	pemData, err := os.ReadFile(p.EndpointRoot)
	if err != nil || !roots.AppendCertsFromPEM(pemData) {
		t.Fatalf("read pebble's endpoint root %s: %v", p.EndpointRoot, err)
	}
	p.endpoint = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	p.process = testenv.StartProcess(t, binary, map[string]string{"PATH": os.Getenv("PATH"),
		"PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0"}, "-config", configFile)
	eventually(t, 30*time.Second, "pebble's directory answers", func() error {
		_, err := p.get(p.Directory)
		return err
	})
	return p
}

func (p *pebble) get(url string) ([]byte, error) {
	resp, err := p.endpoint.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, nil
}

// IssuingRoots is the root Pebble signs certificates with; it is new every time Pebble starts.
func (p *pebble) IssuingRoots(t *testing.T) *x509.CertPool {
	t.Helper()
	body, err := p.get(p.management + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(body) {
		t.Fatalf("pebble's /roots/0 is not PEM: %q", body)
	}
	return pool
}

// Issued counts the certificates Pebble has issued, from its log.
func (p *pebble) Issued() int {
	return strings.Count(p.process.Stdout()+p.process.Stderr(), "Issued certificate serial")
}

// Validated reports whether Pebble's log shows an HTTP-01 check of a URL starting with urlPrefix
// and an authorization made valid by a challenge (the only one the test orders).
func (p *pebble) Validated(urlPrefix string) bool {
	log := p.process.Stdout() + p.process.Stderr()
	return strings.Contains(log, "Attempting to validate w/ HTTP: "+urlPrefix) &&
		strings.Contains(log, "set VALID by completed challenge")
}

// freeAddress is a loopback address with a port nothing listens on now.
func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func portOf(t *testing.T, address string) int {
	t.Helper()
	addr, err := net.ResolveTCPAddr("tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	return addr.Port
}

// eventually polls check until it succeeds or within passes, then fails with its last error.
func eventually(t *testing.T, within time.Duration, what string, check func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		err := check()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not within %s: %v", what, within, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
