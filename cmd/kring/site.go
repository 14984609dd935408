package main

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/kring-social/kring/app/certs"
)

// site is the listeners the web site is served on, per KRING_TLS: one plain-HTTP listener, one
// HTTPS listener, or for acme an HTTPS listener and a plain-HTTP one for challenges and redirects.
// They start and stop together.
type site struct {
	servers []*httpServer
	done    chan error
	closers []func()
}

// startSite binds every listener of the mode before serving anything, so a taken port stops the
// start, then (acme) begins obtaining the certificate.
func startSite(ctx context.Context, cfg *Config, logger *slog.Logger, handler http.Handler) (*site, error) {
	s := &site{done: make(chan error, 2)}
	err := s.start(ctx, cfg, logger, handler)
	if err != nil {
		s.Shutdown(time.Second)
		return nil, err
	}
	for _, server := range s.servers {
		go func() { s.done <- <-server.Done() }()
	}
	return s, nil
}

func (s *site) start(ctx context.Context, cfg *Config, logger *slog.Logger, handler http.Handler) error {
	switch cfg.TLS.Mode {
	case tlsFiles:
		cert, err := certs.LoadFileCertificate(cfg.TLS.CertFile, cfg.TLS.KeyFile, logger)
		if err != nil {
			return usageError{err}
		}
		return s.add(serveHTTPS("https server", cfg.Listen, "KRING_LISTEN", logger, handler,
			&tls.Config{GetCertificate: cert.GetCertificate, MinVersion: tls.VersionTLS12}))
	case tlsACME:
		return s.startACME(ctx, cfg, logger, handler)
	default:
		return s.add(serveHTTP("http server", cfg.Listen, "KRING_LISTEN", logger, handler))
	}
}

func (s *site) startACME(ctx context.Context, cfg *Config, logger *slog.Logger, handler http.Handler) error {
	acme, err := certs.NewACME(certs.ACMEOptions{
		Host:       cfg.PublicURL.Hostname(),
		CA:         cfg.TLS.ACMECA,
		Email:      cfg.TLS.ACMEEmail,
		CARootFile: cfg.TLS.ACMECARoot,
		StorageDir: filepath.Join(cfg.DataDir, "acme"),
		Logger:     logger,
	})
	if err != nil {
		return usageError{err}
	}
	s.closers = append(s.closers, acme.Stop)
	plain := acme.ChallengeHandler(redirectToHTTPS(cfg.PublicURL.Host, handler))
	if err := s.add(serveHTTP("http redirect server", cfg.TLS.HTTPListen, "KRING_HTTP_LISTEN", logger, plain)); err != nil {
		return err
	}
	tlsConfig := acme.TLSConfig()
	tlsConfig.MinVersion = tls.VersionTLS12
	if err := s.add(serveHTTPS("https server", cfg.TLS.Listen, "KRING_TLS_LISTEN", logger, handler, tlsConfig)); err != nil {
		return err
	}
	// The process's context ends at SIGTERM, which also ends the background renewals.
	return acme.Start(ctx)
}

func (s *site) add(server *httpServer, err error) error {
	if err != nil {
		return err
	}
	s.servers = append(s.servers, server)
	return nil
}

// Done delivers the error of the first listener that stops on its own.
func (s *site) Done() <-chan error { return s.done }

// Shutdown stops every listener, waiting for requests in flight up to timeout, then the
// certificate's renewals.
func (s *site) Shutdown(timeout time.Duration) error {
	var errs []error
	for _, server := range s.servers {
		errs = append(errs, server.Shutdown(timeout))
	}
	for _, closeFn := range s.closers {
		closeFn()
	}
	return errors.Join(errs...)
}

// redirectToHTTPS sends plain-HTTP requests to the same path on https://host, keeping the method
// (308), except the health probes, which go to site: a container's health check asks on the plain
// port, where no certificate for 127.0.0.1 is needed, and they tell nothing https does not.
func redirectToHTTPS(host string, site http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			site.ServeHTTP(w, r)
			return
		}
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}
