package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/membership"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/federation/outbox"
	"github.com/kring-social/kring/federation/signing"
)

// federationParts is the federation side of the object graph, shared by serve, worker and admin.
type federationParts struct {
	iris          federation.IRIs
	client        *fetch.Client
	actors        *fetch.Actors
	planner       delivery.Planner
	membership    *membership.Service
	conversations *conversations.Service
	software      *fetch.Software
	reports       *reports.Service
}

// buildFederation wires federation: the instance actor's key (made on first start) signs fetches,
// one fetch client serves every remote request, and follow answers go out through the outbox.
func buildFederation(ctx context.Context, cfg *Config, st *store.Store, logger *slog.Logger) (*federationParts, error) {
	iris := federation.NewIRIs(cfg.PublicURL)
	instanceKey, err := groups.NewService(st).EnsureInstanceKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare the instance actor's key: %w", err)
	}
	privateKey, err := delivery.ParsePrivateKey(instanceKey.PrivatePEM)
	if err != nil {
		return nil, fmt.Errorf("read the instance actor's key: %w", err)
	}
	client := fetch.NewClient(fetch.Options{
		UserAgent: fmt.Sprintf("Kring/%s (+%s)", version, cfg.PublicURL),
		Allow:     cfg.FetchAllow,
		AllowHTTP: cfg.PublicURL.Scheme == "http", // development and tests; production is https only
		Signer:    signing.Signer{KeyID: iris.InstanceActor() + "#" + instanceKey.KeySuffix, Key: privateKey},
	})
	planner := delivery.Planner{Batch: true}
	return &federationParts{
		iris:       iris,
		client:     client,
		actors:     fetch.NewActors(client, st, logger),
		planner:    planner,
		membership: membership.NewService(st, outbox.FollowResponder{IRIs: iris, Planner: planner}),
		conversations: conversations.NewService(st, outbox.Federator{IRIs: iris, Planner: planner},
			conversations.Limits{Window: cfg.PostLimitWindow, PerActor: cfg.PostLimitPerActor, PerHost: cfg.PostLimitPerHost}),
		software: fetch.NewSoftware(client, st, logger),
		reports:  reports.NewService(st, outbox.Flags{IRIs: iris, Planner: planner}),
	}, nil
}

// fetchObject fetches an object from its origin with a signed GET (servers with authorized fetch
// answer nothing else), checking that its id is the URL it came from.
func (f *federationParts) fetchObject(ctx context.Context, iri string) ([]byte, error) {
	doc, err := f.client.GetActivityJSON(ctx, iri)
	return doc.Body, err
}

// members removes, bans and unbans groups' members: Rejects, Blocks and their Undo go out through
// the outbox, and a ban's post removals through the conversations service.
func (f *federationParts) members(st *store.Store) *moderation.Members {
	return moderation.NewMembers(st, outbox.Bans{IRIs: f.iris, Planner: f.planner}, f.conversations)
}
