// Package web is Kring's HTTP front: the gin engine, its middleware, health endpoints and, as they
// arrive, the public group pages and the admin. Federation's handlers are mounted here too.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/refusal"
)

// ReadinessCheck is one dependency /readyz asks before saying the process can take traffic.
type ReadinessCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Options configure the engine.
type Options struct {
	Logger         *slog.Logger
	TrustedProxies []netip.Prefix
	// MaxBodyBytes bounds every request body; larger ones get 413 before they are read.
	MaxBodyBytes int64
	// LargerBodies raises MaxBodyBytes for a few routes (gin route paths such as
	// "/admin/groups/:slug/images"): picture uploads, never the inbox.
	LargerBodies map[string]int64
	// RequestTimeout is the deadline put on every request's context.
	RequestTimeout time.Duration
	Readiness      []ReadinessCheck
	// Requests, when set, is told of every request answered (route, status, duration).
	Requests RequestObserver
}

// Defaults used when Options leave a limit at zero.
const (
	DefaultMaxBodyBytes   = 1 << 20 // 1 MiB, as other fediverse servers accept
	DefaultRequestTimeout = 30 * time.Second
)

// NewEngine builds the gin engine with Kring's middleware and the routes that exist.
func NewEngine(opts Options) (*gin.Engine, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	engine := gin.New()
	engine.HandleMethodNotAllowed = true
	engine.RemoveExtraSlash = true
	proxies := make([]string, 0, len(opts.TrustedProxies))
	for _, p := range opts.TrustedProxies {
		proxies = append(proxies, p.String())
	}
	if err := engine.SetTrustedProxies(proxies); err != nil {
		return nil, fmt.Errorf("set trusted proxies: %w", err)
	}
	engine.Use(securityHeaders(), requestID(), logRequests(opts.Logger))
	if opts.Requests != nil {
		// Outside recoverPanics, so a request that panicked is counted with its 500.
		engine.Use(observeRequests(opts.Requests))
	}
	engine.Use(
		recoverPanics(opts.Logger),
		limitBody(opts.MaxBodyBytes, opts.LargerBodies),
		deadline(opts.RequestTimeout),
	)
	engine.NoRoute(func(c *gin.Context) { refusal.Respond(c, 404, "not found") })
	engine.NoMethod(func(c *gin.Context) { refusal.Respond(c, 405, "method not allowed") })
	mountHealth(engine, opts.Readiness, opts.Logger)
	return engine, nil
}
