package https

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kring-social/kring/test/testenv"
)

var httpsListening = regexp.MustCompile(`https server listening.*address=(\S+)`)

// With KRING_TLS=files the site is HTTPS on KRING_LISTEN with the operator's certificate, and not
// plain HTTP. (Reloading a renewed pair is tested on the reloader itself, in app/certs, where the
// minute between checks can be skipped.)
func TestFilesServesTheOperatorsCertificate(t *testing.T) {
	t.Parallel()
	ca := testenv.NewCA(t)
	certFile, keyFile := ca.LeafFiles(t, "127.0.0.1")
	kring := testenv.StartKring(t, map[string]string{
		"KRING_TLS":        "files",
		"KRING_TLS_CERT":   certFile,
		"KRING_TLS_KEY":    keyFile,
		"KRING_PUBLIC_URL": "https://127.0.0.1",
		"KRING_DATA_DIR":   t.TempDir(),
	}, "all")
	address := kring.WaitForLine(t, httpsListening, 60*time.Second)[1]

	resp, err := ca.Client().Get("https://" + address + "/healthz")
	if err != nil {
		t.Fatalf("https request: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("https /healthz answered %s", resp.Status)
	}
	want, err := ca.LeafFor("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.TLS.PeerCertificates[0].Raw; string(got) != string(want.Certificate[0]) {
		t.Error("the served certificate is not the one in KRING_TLS_CERT")
	}

	plain, err := http.Get("http://" + address + "/healthz")
	if err == nil {
		plain.Body.Close()
		if plain.StatusCode == http.StatusOK {
			t.Error("the HTTPS listener answered plain HTTP with 200")
		}
	}
}

// A pair that does not belong together stops the start with a message naming the files.
func TestFilesRefusesAMismatchedPair(t *testing.T) {
	t.Parallel()
	ca := testenv.NewCA(t)
	certFile, _ := ca.LeafFiles(t, "127.0.0.1")
	_, otherKey := ca.LeafFiles(t, "127.0.0.2")
	kring := testenv.StartKring(t, map[string]string{
		"KRING_TLS": "files", "KRING_TLS_CERT": certFile, "KRING_TLS_KEY": otherKey, "KRING_DATA_DIR": t.TempDir(),
	}, "all")
	if code := kring.Wait(t); code != 2 {
		t.Errorf("exit code %d, want 2 (bad configuration)", code)
	}
	if !strings.Contains(kring.Stderr(), certFile) || !strings.Contains(kring.Stderr(), otherKey) {
		t.Errorf("the error does not name the files:\n%s", kring.Stderr())
	}
}
