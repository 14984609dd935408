package main

import (
	"context"
	"log/slog"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/wiring"
)

// buildFederation wires the federation side of the object graph, shared by serve, worker and admin,
// from the configuration; federation/wiring builds it, as it does for the tests.
func buildFederation(ctx context.Context, cfg *Config, st *store.Store, logger *slog.Logger) (*wiring.Federation, error) {
	return wiring.Build(ctx, wiring.Config{
		PublicURL:  cfg.PublicURL,
		Version:    version,
		FetchAllow: cfg.FetchAllow,
		PostLimits: conversations.Limits{Window: cfg.PostLimitWindow, PerActor: cfg.PostLimitPerActor, PerHost: cfg.PostLimitPerHost},
	}, st, logger)
}
