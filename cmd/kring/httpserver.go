package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// HTTP server timeouts. ReadHeaderTimeout and ReadTimeout stop slow-loris clients from holding
// connections; WriteTimeout bounds a response; handlers have their own, shorter, context deadline.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
)

// httpServer is a listening HTTP server that can be shut down gracefully.
type httpServer struct {
	server   *http.Server
	listener net.Listener
	done     chan error
}

// serveHTTP listens on address, which the setting named configures, and serves handler there; what
// names the server in the log. It binds at once, so a taken port is reported at start, then serves
// in the background.
func serveHTTP(what, address, setting string, logger *slog.Logger, handler http.Handler) (*httpServer, error) {
	return serve(what, address, setting, logger, handler, nil)
}

// serveHTTPS is serveHTTP over TLS with tlsConfig's certificate.
func serveHTTPS(what, address, setting string, logger *slog.Logger, handler http.Handler, tlsConfig *tls.Config) (*httpServer, error) {
	return serve(what, address, setting, logger, handler, tlsConfig)
}

func serve(what, address, setting string, logger *slog.Logger, handler http.Handler, tlsConfig *tls.Config) (*httpServer, error) {
	listener, err := net.Listen("tcp", address)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (%s): %w", address, setting, err)
	}
	server := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		TLSConfig:         tlsConfig,
	}
	hs := &httpServer{server: server, listener: listener, done: make(chan error, 1)}
	go func() {
		var err error
		if tlsConfig != nil {
			err = server.ServeTLS(listener, "", "") // certificates come from tlsConfig
		} else {
			err = server.Serve(listener)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		hs.done <- err
	}()
	logger.Info(what+" listening", "address", listener.Addr().String(), "setting", setting)
	return hs, nil
}

// Addr is the address actually bound (useful with port 0).
func (hs *httpServer) Addr() string { return hs.listener.Addr().String() }

// Done delivers the server's error if it stops on its own.
func (hs *httpServer) Done() <-chan error { return hs.done }

// Shutdown stops accepting connections and waits for requests in flight, up to timeout.
func (hs *httpServer) Shutdown(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := hs.server.Shutdown(ctx); err != nil {
		return fmt.Errorf("stop http server: %w", err)
	}
	return nil
}
