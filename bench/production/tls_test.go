package production

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// testCA is a certificate authority made for one run. Kring trusts it through SSL_CERT_FILE, as a
// process trusts an operator's CA; it issues a certificate per IP address on demand, so every remote
// host on its own loopback address is a TLS identity of its own.
type testCA struct {
	file string // the CA certificate, PEM
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool

	mu     sync.Mutex
	leaves map[string]*tls.Certificate
	serial int64
}

func newTestCA(b *testing.B) *testCA {
	b.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	template := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Kring benchmark CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(48 * time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		b.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		b.Fatal(err)
	}
	ca := &testCA{file: filepath.Join(b.TempDir(), "ca.pem"), cert: cert, key: key, pool: x509.NewCertPool(),
		leaves: map[string]*tls.Certificate{}, serial: 1}
	ca.pool.AddCert(cert)
	if err := os.WriteFile(ca.file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		b.Fatal(err)
	}
	return ca
}

// leafFor returns the certificate of one IP address, issuing it the first time.
func (ca *testCA) leafFor(ip string) (*tls.Certificate, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if leaf, ok := ca.leaves[ip]; ok {
		return leaf, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	ca.serial++
	template := &x509.Certificate{SerialNumber: big.NewInt(ca.serial), Subject: pkix.Name{CommonName: ip},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(48 * time.Hour), IPAddresses: []net.IP{net.ParseIP(ip)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, template, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	leaf := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	ca.leaves[ip] = leaf
	return leaf, nil
}

// serverConfig serves each local address with that address's certificate.
func (ca *testCA) serverConfig() *tls.Config {
	return &tls.Config{GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		host, _, err := net.SplitHostPort(hello.Conn.LocalAddr().String())
		if err != nil {
			return nil, err
		}
		return ca.leafFor(host)
	}}
}

// tlsProxy is the TLS reverse proxy an operator puts in front of `kring serve`: it terminates TLS on
// listener and passes requests on over plain HTTP, keeping the Host header that signatures cover.
func tlsProxy(b *testing.B, ca *testCA, listener net.Listener, backend *url.URL) {
	b.Helper()
	proxy := httputil.NewSingleHostReverseProxy(backend)
	// A pool of kept-alive connections to serve, as an operator configures nginx or Caddy upstreams:
	// past it requests wait in the proxy instead of opening and closing connections by the thousand.
	proxy.Transport = &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512, IdleConnTimeout: 90 * time.Second}
	server := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second, TLSConfig: ca.serverConfig()}
	go func() { _ = server.ServeTLS(listener, "", "") }()
	b.Cleanup(func() { _ = server.Close() })
}
