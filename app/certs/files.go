package certs

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// DefaultReloadCheck is how often a handshake may look at the certificate files' modification
// times: often enough that a renewal is served within a minute, rarely enough that handshakes do
// not stat the files each time.
const DefaultReloadCheck = time.Minute

// FileCertificate serves a certificate and key read from PEM files and reloads them when either
// file changes, so a renewal by an outside tool needs no restart.
type FileCertificate struct {
	certFile, keyFile string
	logger            *slog.Logger
	// checkEvery and now are fields so tests can check reloading without waiting a minute.
	checkEvery time.Duration
	now        func() time.Time

	mu        sync.Mutex
	current   *tls.Certificate
	loadedFor fileStamps
	checkedAt time.Time
}

// fileStamps tells whether the pair on disk is the one loaded: size and modification time of both.
type fileStamps struct {
	certMod, keyMod   time.Time
	certSize, keySize int64
}

// LoadFileCertificate reads the pair once, failing if it cannot, so a bad pair stops the start.
func LoadFileCertificate(certFile, keyFile string, logger *slog.Logger) (*FileCertificate, error) {
	f := &FileCertificate{certFile: certFile, keyFile: keyFile, logger: logger,
		checkEvery: DefaultReloadCheck, now: time.Now}
	stamps, err := f.stamps()
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load certificate %s and key %s: %w", certFile, keyFile, err)
	}
	f.current, f.loadedFor, f.checkedAt = &cert, stamps, f.now()
	return f, nil
}

// GetCertificate is tls.Config's callback. At most once per checkEvery it compares the files with
// the loaded pair and loads them again if they changed. A pair that does not load (a renewal half
// written: new certificate, old key) keeps the old one served and is tried again at the next check.
func (f *FileCertificate) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if now.Sub(f.checkedAt) < f.checkEvery {
		return f.current, nil
	}
	f.checkedAt = now
	stamps, err := f.stamps()
	if err != nil {
		f.logger.Warn("cannot look at the certificate files; serving the loaded certificate", "error", err)
		return f.current, nil
	}
	if stamps == f.loadedFor {
		return f.current, nil
	}
	cert, err := tls.LoadX509KeyPair(f.certFile, f.keyFile)
	if err != nil {
		f.logger.Warn("the certificate files changed but do not load; serving the loaded certificate",
			"cert", f.certFile, "key", f.keyFile, "error", err)
		return f.current, nil
	}
	f.current, f.loadedFor = &cert, stamps
	f.logger.Info("reloaded the certificate", "cert", f.certFile)
	return f.current, nil
}

func (f *FileCertificate) stamps() (fileStamps, error) {
	certInfo, err := os.Stat(f.certFile)
	if err != nil {
		return fileStamps{}, err
	}
	keyInfo, err := os.Stat(f.keyFile)
	if err != nil {
		return fileStamps{}, err
	}
	return fileStamps{certMod: certInfo.ModTime(), keyMod: keyInfo.ModTime(),
		certSize: certInfo.Size(), keySize: keyInfo.Size()}, nil
}
