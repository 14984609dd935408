package https

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/kring-social/kring/test/testenv"
)

// The certificate is for localhost: it resolves to the loopback address without DNS, so Pebble's
// HTTP-01 request reaches Kring's plain-HTTP listener, as a CA's reaches port 80.
const acmeHost = "localhost"

// Kring obtains its certificate from a real ACME server, serves the site over HTTPS with it,
// redirects plain HTTP there, and after a restart serves the stored certificate without ordering.
func TestACMEObtainsServesAndReusesTheCertificate(t *testing.T) {
	t.Parallel()
	started := time.Now()
	// The plain listener takes every address, so Pebble reaches it whichever of localhost's
	// addresses it resolves first.
	httpPort := portOf(t, freeAddress(t))
	ca := startPebble(t, httpPort)
	httpsAddress := freeAddress(t)
	env := map[string]string{
		"KRING_TLS":          "acme",
		"KRING_PUBLIC_URL":   "https://" + acmeHost,
		"KRING_TLS_LISTEN":   httpsAddress,
		"KRING_HTTP_LISTEN":  ":" + strconv.Itoa(httpPort),
		"KRING_ACME_CA":      ca.Directory,
		"KRING_ACME_CA_ROOT": ca.EndpointRoot,
		"KRING_ACME_EMAIL":   "ops@example.org",
		"KRING_DATA_DIR":     t.TempDir(),
	}
	client := clientFor(httpsAddress, ca.IssuingRoots(t))

	kring := testenv.StartKring(t, env, "all")
	kring.WaitForLine(t, regexp.MustCompile(`https server listening`), 60*time.Second)
	listening := time.Now()
	first := waitForHTTPS(t, client)
	t.Logf("certificate obtained and served %s after kring listened (%s after the test started, builds included)",
		time.Since(listening).Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
	if issued := ca.Issued(); issued != 1 {
		t.Errorf("pebble issued %d certificates, want 1", issued)
	}
	// The name was proved by Pebble fetching the HTTP-01 token from Kring's plain listener.
	if !ca.Validated(fmt.Sprintf("http://%s:%d/.well-known/acme-challenge/", acmeHost, httpPort)) {
		t.Error("pebble's log shows no HTTP-01 validation against kring's plain listener")
	}

	checkRedirect(t, httpPort)

	if code := kring.Stop(t); code != 0 {
		t.Fatalf("kring exited with %d", code)
	}
	restarted := testenv.StartKring(t, env, "all")
	restarted.WaitForLine(t, regexp.MustCompile(`https server listening`), 60*time.Second)
	again := waitForHTTPS(t, client)
	if again.Cmp(first) != 0 {
		t.Errorf("after the restart the served certificate has serial %x, before %x: it was not reused", again, first)
	}
	if issued := ca.Issued(); issued != 1 {
		t.Errorf("pebble issued %d certificates after the restart, want still 1", issued)
	}
}

// clientFor makes HTTPS requests to the public host, connecting to Kring's address, trusting only
// roots, and never following redirects (the test looks at them).
func clientFor(address string, roots *x509.CertPool) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: acmeHost},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return dialer.DialContext(ctx, network, address)
			},
			DisableKeepAlives: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// waitForHTTPS polls /healthz over HTTPS until a certificate the client trusts is served, and
// returns its serial number.
func waitForHTTPS(t *testing.T, client *http.Client) *big.Int {
	t.Helper()
	var serial *big.Int
	eventually(t, 90*time.Second, "https://"+acmeHost+"/healthz answers with a trusted certificate", func() error {
		resp, err := client.Get("https://" + acmeHost + "/healthz")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %s", resp.Status)
		}
		serial = resp.TLS.PeerCertificates[0].SerialNumber
		return nil
	})
	return serial
}

// checkRedirect sees plain HTTP sent to the same path on https, while the health probe a container
// runs on the plain port is answered there.
func checkRedirect(t *testing.T, httpPort int) {
	t.Helper()
	plain := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "http://127.0.0.1:" + strconv.Itoa(httpPort)
	resp, err := plain.Post(base+"/groups/lobby/inbox?x=1", "application/activity+json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != "https://"+acmeHost+"/groups/lobby/inbox?x=1" {
		t.Errorf("plain HTTP answered %s to %q, want 308 to the same path on https", resp.Status, resp.Header.Get("Location"))
	}
	resp, err = plain.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("plain /healthz answered %s, want 200 for the container's probe", resp.Status)
	}
}
