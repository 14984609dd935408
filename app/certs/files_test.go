package certs

import (
	"bytes"
	"crypto/tls"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kring-social/kring/test/testenv"
)

// fakeClock is a time the test moves on by hand.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

// copyPair writes a certificate and key to the paths served, with a modification time of its own,
// as certbot's renewal replaces them.
func copyPair(t *testing.T, fromCert, fromKey, toCert, toKey string, modified time.Time) {
	t.Helper()
	for from, to := range map[string]string{fromCert: toCert, fromKey: toKey} {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(to, modified, modified); err != nil {
			t.Fatal(err)
		}
	}
}

func served(t *testing.T, f *FileCertificate) []byte {
	t.Helper()
	cert, err := f.GetCertificate(&tls.ClientHelloInfo{})
	if err != nil {
		t.Fatal(err)
	}
	return cert.Certificate[0]
}

func TestFileCertificateReloadsAfterTheCheckInterval(t *testing.T) {
	t.Parallel()
	ca := testenv.NewCA(t)
	oldCert, oldKey := ca.LeafFiles(t, "127.0.0.1")
	newCert, newKey := ca.LeafFiles(t, "127.0.0.2")
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "fullchain.pem"), filepath.Join(dir, "privkey.pem")
	start := time.Now()
	copyPair(t, oldCert, oldKey, certFile, keyFile, start.Add(-time.Hour))

	f, err := LoadFileCertificate(certFile, keyFile, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: start}
	f.now, f.checkedAt = clock.Now, start
	first := served(t, f)

	copyPair(t, newCert, newKey, certFile, keyFile, start)
	clock.now = start.Add(DefaultReloadCheck - time.Second)
	if !bytes.Equal(served(t, f), first) {
		t.Fatal("the files were read again before the check interval passed")
	}
	clock.now = start.Add(DefaultReloadCheck)
	renewed := served(t, f)
	if bytes.Equal(renewed, first) {
		t.Fatal("the renewed certificate is not served after the check interval")
	}
	want, err := tls.LoadX509KeyPair(newCert, newKey)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(renewed, want.Certificate[0]) {
		t.Error("served a certificate that is neither the old nor the new one")
	}
}

// A renewal caught half written (new certificate, old key) keeps the loaded pair, and the complete
// pair is taken at the next check.
func TestFileCertificateKeepsServingThroughAHalfWrittenRenewal(t *testing.T) {
	t.Parallel()
	ca := testenv.NewCA(t)
	oldCert, oldKey := ca.LeafFiles(t, "127.0.0.1")
	newCert, newKey := ca.LeafFiles(t, "127.0.0.2")
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "fullchain.pem"), filepath.Join(dir, "privkey.pem")
	start := time.Now()
	copyPair(t, oldCert, oldKey, certFile, keyFile, start.Add(-time.Hour))
	f, err := LoadFileCertificate(certFile, keyFile, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: start}
	f.now, f.checkedAt = clock.Now, start
	first := served(t, f)

	copyPair(t, newCert, oldKey, certFile, keyFile, start) // the key is not written yet
	clock.now = start.Add(DefaultReloadCheck)
	if !bytes.Equal(served(t, f), first) {
		t.Fatal("a mismatched pair replaced the working certificate")
	}
	copyPair(t, newCert, newKey, certFile, keyFile, start.Add(time.Second))
	clock.now = start.Add(2 * DefaultReloadCheck)
	if bytes.Equal(served(t, f), first) {
		t.Fatal("the completed renewal was not taken at the next check")
	}
}

func TestLoadFileCertificateRefusesABadPair(t *testing.T) {
	t.Parallel()
	ca := testenv.NewCA(t)
	certFile, _ := ca.LeafFiles(t, "127.0.0.1")
	_, otherKey := ca.LeafFiles(t, "127.0.0.2")
	if _, err := LoadFileCertificate(certFile, otherKey, slog.Default()); err == nil {
		t.Fatal("a certificate with another certificate's key was accepted")
	}
	if _, err := LoadFileCertificate(certFile, filepath.Join(t.TempDir(), "none"), slog.Default()); err == nil {
		t.Fatal("a missing key file was accepted")
	}
}
