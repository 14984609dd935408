package main

import (
	"context"
	"log/slog"

	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/notify"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/sessions"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/wiring"
)

// The notifier is what the services tell staff through, each by its own small interface.
var (
	_ community.StaffNotifier    = (*notify.Notifier)(nil)
	_ reports.StaffNotifier      = (*notify.Notifier)(nil)
	_ conversations.HoldNotifier = (*notify.Notifier)(nil)
	_ sessions.ResetMailer       = (*notify.Notifier)(nil)
)

// buildFederation wires the federation side of the object graph, shared by serve, worker and admin,
// from the configuration; federation/wiring builds it, as it does for the tests. supportHolds is the
// worker's (nil elsewhere).
func buildFederation(ctx context.Context, cfg *Config, st *store.Store, logger *slog.Logger, supportHolds community.HeldBack) (*wiring.Federation, error) {
	return wiring.Build(ctx, wiring.Config{
		SupportHolds: supportHolds,
		PublicURL:    cfg.PublicURL,
		Version:      version,
		FetchAllow:   cfg.FetchAllow,
		PostLimits:   conversations.Limits{Window: cfg.PostLimitWindow, PerActor: cfg.PostLimitPerActor, PerHost: cfg.PostLimitPerHost},
		Notifier:     newNotifier(cfg, st),
		MediaDir:     mediaDir(cfg),
	}, st, logger)
}

// newNotifier returns the staff notifier, or nil when e-mail is off (KRING_SMTP_URL unset).
func newNotifier(cfg *Config, st *store.Store) *notify.Notifier {
	if !cfg.MailOn {
		return nil
	}
	return notify.New(st, cfg.PublicURL)
}
