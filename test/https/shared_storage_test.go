package https

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/kring-social/kring/test/testenv"
)

// Two `serve` processes sharing the data directory (as on a shared volume) order one certificate
// between them and serve the same one. The CA checks only the first process's plain listener, as a
// CA reaches whichever process the load balancer picks: when the second one holds the lock and
// orders, the first answers the challenge from the shared storage. The second starts once the first
// listens; before that, its order would fail on the CA's check and be retried only a minute later.
func TestACMESharedStorageOrdersOnce(t *testing.T) {
	t.Parallel()
	firstHTTPPort := portOf(t, freeAddress(t))
	ca := startPebble(t, firstHTTPPort)
	roots := ca.IssuingRoots(t)
	shared := map[string]string{
		"KRING_TLS":          "acme",
		"KRING_PUBLIC_URL":   "https://" + acmeHost,
		"KRING_ACME_CA":      ca.Directory,
		"KRING_ACME_CA_ROOT": ca.EndpointRoot,
		"KRING_DATA_DIR":     t.TempDir(),
		"KRING_DATABASE_URL": testenv.PostgresURL(t),
		"KRING_REDIS_URL":    testenv.RedisURL(testenv.Redis(t)),
	}
	type server struct {
		process      *testenv.Process
		httpsAddress string
	}
	var servers []server
	for _, httpPort := range []int{firstHTTPPort, portOf(t, freeAddress(t))} {
		env := map[string]string{"KRING_TLS_LISTEN": freeAddress(t), "KRING_HTTP_LISTEN": ":" + strconv.Itoa(httpPort)}
		for k, v := range shared {
			env[k] = v
		}
		process := testenv.StartKring(t, env, "serve")
		process.WaitForLine(t, regexp.MustCompile(`http redirect server listening`), 60*time.Second)
		servers = append(servers, server{process, env["KRING_TLS_LISTEN"]})
	}
	start := time.Now()
	var serials []string
	for i, s := range servers {
		serial := waitForHTTPS(t, clientFor(s.httpsAddress, roots))
		serials = append(serials, fmt.Sprintf("%x", serial))
		t.Logf("serve %d serves the certificate %s after both listened", i+1, time.Since(start).Round(time.Millisecond))
		if distributed := regexp.MustCompile(`served key authentication.*distributed=true`); distributed.MatchString(s.process.Stderr()) {
			t.Logf("serve %d answered the challenge of the other process from the shared storage", i+1)
		}
	}
	if serials[0] != serials[1] {
		t.Errorf("the two processes serve different certificates (serials %v)", serials)
	}
	if issued := ca.Issued(); issued != 1 {
		t.Errorf("pebble issued %d certificates for two processes sharing storage, want 1", issued)
	}
}
