package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"github.com/caddyserver/certmagic"
)

// ACMEOptions say where to get the certificate and where to keep it.
type ACMEOptions struct {
	// Host is the name the certificate is for: the public URL's host.
	Host string
	// CA is the ACME directory URL; Email, optional, is where the CA may warn of expiry.
	CA, Email string
	// CARootFile, optional, is a PEM file of roots to trust for the CA's own HTTPS endpoint (a test
	// CA); empty = the system's roots.
	CARootFile string
	// StorageDir holds accounts, certificates and locks. Processes sharing it share one certificate:
	// certmagic's file storage locks across processes, so one of them orders and the others load it.
	StorageDir string
	Logger     *slog.Logger
}

// ACME obtains and renews a certificate for one host with certmagic.
//
// certmagic rather than x/crypto/acme/autocert: its storage locks across processes, so several
// `serve` processes on a shared volume do not each order (and hit the CA's rate limits), and it
// keeps HTTP-01 challenge tokens in that storage, so whichever process the CA's request reaches can
// answer it. autocert's DirCache does neither. certmagic also renews ahead of expiry in the
// background, retries with backoff and follows the CA's renewal information.
type ACME struct {
	magic  *certmagic.Config
	issuer *certmagic.ACMEIssuer
	cache  *certmagic.Cache
	host   string
}

// NewACME prepares the manager; Start begins obtaining.
func NewACME(o ACMEOptions) (*ACME, error) {
	roots, err := trustedRoots(o.CARootFile)
	if err != nil {
		return nil, err
	}
	storageDir, err := filepath.Abs(o.StorageDir)
	if err != nil {
		return nil, err
	}
	logger := zapFor(o.Logger)
	var magic *certmagic.Config
	cache := certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return magic, nil },
		Logger:           logger,
	})
	magic = certmagic.New(cache, certmagic.Config{
		Storage: &certmagic.FileStorage{Path: storageDir},
		Logger:  logger,
	})
	issuer := certmagic.NewACMEIssuer(magic, certmagic.ACMEIssuer{
		CA:     o.CA,
		Email:  o.Email,
		Agreed: true,
		// HTTP-01 only: Kring listens on port 80 anyway, to redirect, and one way of proving the
		// name is one way to test and to reason about behind load balancers that end TLS.
		DisableTLSALPNChallenge: true,
		TrustedRoots:            roots,
		Logger:                  logger,
	})
	magic.Issuers = []certmagic.Issuer{issuer}
	return &ACME{magic: magic, issuer: issuer, cache: cache, host: o.Host}, nil
}

// Start loads the stored certificate or, if there is none (or it is due), orders one in the
// background: a CA that is down or rate-limiting is retried with backoff rather than failing the
// start, while the HTTP listener keeps answering challenges and redirects.
func (a *ACME) Start(ctx context.Context) error {
	if err := a.magic.ManageAsync(ctx, []string{a.host}); err != nil {
		return fmt.Errorf("manage the certificate of %s: %w", a.host, err)
	}
	return nil
}

// TLSConfig serves the managed certificate.
func (a *ACME) TLSConfig() *tls.Config {
	config := a.magic.TLSConfig()
	config.NextProtos = []string{"h2", "http/1.1"}
	return config
}

// ChallengeHandler answers the CA's HTTP-01 requests and passes everything else to next.
func (a *ACME) ChallengeHandler(next http.Handler) http.Handler {
	return a.issuer.HTTPChallengeHandler(next)
}

// Stop ends the background renewals.
func (a *ACME) Stop() { a.cache.Stop() }

func trustedRoots(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s holds no PEM certificate", file)
	}
	return pool, nil
}
