package fetch

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/memo"
	"github.com/kring-social/kring/federation/signing"
)

// Actors resolves remote actors and their keys, caching them in remote_actors.
type Actors struct {
	client *Client
	store  *store.Store
	logger *slog.Logger
	// MaxAge is how long a cached actor is used before it is fetched again.
	maxAge time.Duration
	now    func() time.Time
	limits *refetchLimiter
	// keys keeps parsed public keys: an active sender signs every request, and reading and parsing
	// its key each time costs a database round trip. A rotated key still verifies: the verifier asks
	// again with refresh, which bypasses and replaces the cached one.
	keys *memo.Cache[string, signing.VerifiedKey]
	// flights merges concurrent fetches of one actor: a burst of signed requests from a sender Kring
	// does not know yet costs its server one GET, not one per request.
	flights singleflight.Group
}

// justFetched is how recent a stored actor must be for a caller that just missed the fetch that
// stored it to take it instead of fetching again.
const justFetched = 10 * time.Second

// DefaultActorMaxAge keeps a fetched actor for a day, as Mastodon does.
const DefaultActorMaxAge = 24 * time.Hour

// NewActors returns a resolver backed by client and st.
func NewActors(client *Client, st *store.Store, logger *slog.Logger) *Actors {
	if logger == nil {
		logger = slog.Default()
	}
	return &Actors{client: client, store: st, logger: logger, maxAge: DefaultActorMaxAge, now: time.Now,
		limits: newRefetchLimiter(time.Minute), keys: memo.New[string, signing.VerifiedKey](time.Minute, 10000)}
}

var _ signing.PublicKeyResolver = (*Actors)(nil)

// ResolveActor returns the actor with id iri: from the cache while fresh, else fetched (signed) and
// checked: the document's id is iri, its key belongs to it and lives on its origin.
func (a *Actors) ResolveActor(ctx context.Context, iri string) (model.RemoteActor, error) {
	cached, err := a.cachedActor(ctx, iri)
	if err == nil && a.now().Sub(cached.FetchedAt) < a.maxAge {
		return cached, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return model.RemoteActor{}, err
	}
	return a.fetchActor(ctx, iri, false)
}

// cachedActor is the stored copy of an actor: the one the worker read with the activity it
// processes, when that is the actor asked for, or a read.
func (a *Actors) cachedActor(ctx context.Context, iri string) (model.RemoteActor, error) {
	if actor, ok := store.TakePrereadActor(ctx, iri); ok {
		return actor, nil
	}
	return a.store.RemoteActorByIRI(ctx, iri)
}

// fetchActor fetches iri once however many ask for it at the same time. Each caller waits only as
// long as its own context allows (the inbox gives a signer's key a few seconds); the fetch itself
// goes on, bounded by the client's timeout, so the next request finds the actor cached.
//
// A caller that found no usable copy before asking may come just after a fetch of the same actor
// finished: unless it needs a new copy (refresh), it takes the one that fetch stored.
func (a *Actors) fetchActor(ctx context.Context, iri string, refresh bool) (model.RemoteActor, error) {
	flight := iri
	if refresh {
		flight = "refresh " + iri
	}
	results := a.flights.DoChan(flight, func() (any, error) {
		detached := context.WithoutCancel(ctx)
		if !refresh {
			cached, err := a.store.RemoteActorByIRI(detached, iri)
			if err == nil && a.now().Sub(cached.FetchedAt) < justFetched {
				return cached, nil
			}
		}
		return a.fetchActorNow(detached, iri)
	})
	select {
	case <-ctx.Done():
		return model.RemoteActor{}, fmt.Errorf("fetch actor %s: %w", iri, context.Cause(ctx))
	case result := <-results:
		if result.Err != nil {
			return model.RemoteActor{}, result.Err
		}
		return result.Val.(model.RemoteActor), nil
	}
}

func (a *Actors) fetchActorNow(ctx context.Context, iri string) (model.RemoteActor, error) {
	doc, err := a.client.GetActivityJSON(ctx, iri)
	if err != nil {
		return model.RemoteActor{}, err
	}
	actor, err := parseActorDocument(doc.Body)
	if err != nil {
		return model.RemoteActor{}, fmt.Errorf("actor %s: %w", iri, err)
	}
	if actor.ID != iri {
		return model.RemoteActor{}, fmt.Errorf("%w: asked for %s, got %s", ErrIDMismatch, iri, actor.ID)
	}
	if actor.PublicKeyOwner != actor.ID || !sameOrigin(actor.PublicKeyID, actor.ID) {
		return model.RemoteActor{}, fmt.Errorf("actor %s: its key %s is not its own", iri, actor.PublicKeyID)
	}
	if _, err := parsePublicKeyPEM(actor.PublicKeyPEM); err != nil {
		return model.RemoteActor{}, fmt.Errorf("actor %s: %w", iri, err)
	}
	previous, err := a.store.RemoteActorByIRI(ctx, iri)
	if err == nil && previous.PublicKeyPEM != actor.PublicKeyPEM {
		// A changed key can be a rotation or an impersonation attempt (INTEROP defence 4): keep a trace.
		a.logger.WarnContext(ctx, "remote actor's public key changed", "actor", iri, "key", actor.PublicKeyID)
	}
	return a.store.SaveRemoteActor(ctx, model.RemoteActor{
		IRI: actor.ID, Host: HostOf(actor.ID), ActorType: actor.Type, PreferredUsername: actor.PreferredUsername,
		DisplayName: actor.Name, Summary: actor.Summary, InboxURL: actor.Inbox, SharedInboxURL: actor.SharedInbox,
		OutboxURL: actor.Outbox, FollowersURL: actor.Followers, URL: actor.URL, IconURL: actor.Icon,
		PublicKeyID: actor.PublicKeyID, PublicKeyPEM: actor.PublicKeyPEM, RawDocument: string(doc.Body), FetchedAt: a.now(),
	})
}

// PublicKey finds the key keyID names: the cached actor's key unless refresh is set, else the
// actor fetched again (at most once a minute per key). The key's owner is the actor, always.
func (a *Actors) PublicKey(ctx context.Context, keyID string, refresh bool) (signing.VerifiedKey, error) {
	if !refresh {
		if key, ok := a.keys.Get(keyID); ok {
			return key, nil
		}
		cached, err := a.store.RemoteActorByKeyID(ctx, keyID)
		if err == nil {
			return a.remember(verifiedKey(cached))
		}
		if !errors.Is(err, store.ErrNotFound) {
			return signing.VerifiedKey{}, err
		}
	} else if !a.limits.allow(keyID, a.now()) {
		return signing.VerifiedKey{}, fmt.Errorf("key %s was refetched less than a minute ago", keyID)
	}
	actor, err := a.fetchActor(ctx, actorOfKey(keyID), refresh)
	if err != nil {
		return signing.VerifiedKey{}, err
	}
	if actor.PublicKeyID != keyID {
		return signing.VerifiedKey{}, fmt.Errorf("actor %s does not publish key %s", actor.IRI, keyID)
	}
	return a.remember(verifiedKey(actor))
}

// remember caches a key that parsed and passes the result through.
func (a *Actors) remember(key signing.VerifiedKey, err error) (signing.VerifiedKey, error) {
	if err == nil {
		a.keys.Put(key.KeyID, key)
	}
	return key, err
}

// actorOfKey is the document a key id points into: keys are published inside their actor, as
// {actor}#main-key (Mastodon, Kring) or at a path below it that serves the actor (GoToSocial's
// /main-key answers with the actor's document too).
func actorOfKey(keyID string) string {
	base, _, _ := strings.Cut(keyID, "#")
	return strings.TrimSuffix(base, "/main-key")
}

func verifiedKey(actor model.RemoteActor) (signing.VerifiedKey, error) {
	key, err := parsePublicKeyPEM(actor.PublicKeyPEM)
	if err != nil {
		return signing.VerifiedKey{}, fmt.Errorf("key of %s: %w", actor.IRI, err)
	}
	return signing.VerifiedKey{KeyID: actor.PublicKeyID, OwnerIRI: actor.IRI, Key: key}, nil
}

// parsePublicKeyPEM reads an RSA (PKIX or PKCS#1) or Ed25519 public key.
func parsePublicKeyPEM(text string) (crypto.PublicKey, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("public key is not PEM")
	}
	if block.Type == "RSA PUBLIC KEY" {
		return x509.ParsePKCS1PublicKey(block.Bytes)
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	switch key.(type) {
	case *rsa.PublicKey, ed25519.PublicKey:
		return key, nil
	}
	return nil, fmt.Errorf("unsupported public key type %T", key)
}

// refetchLimiter lets a key be refetched once per interval. It lives in one process: a limit per
// process is what matters (bounding the fetches one hostile sender can cause), and several worker
// processes multiply it by a small number.
type refetchLimiter struct {
	mu       sync.Mutex
	interval time.Duration
	last     map[string]time.Time
}

const maxRememberedRefetches = 10000

func newRefetchLimiter(interval time.Duration) *refetchLimiter {
	return &refetchLimiter{interval: interval, last: map[string]time.Time{}}
}

func (l *refetchLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if at, ok := l.last[key]; ok && now.Sub(at) < l.interval {
		return false
	}
	if len(l.last) >= maxRememberedRefetches {
		for k, at := range l.last {
			if now.Sub(at) >= l.interval {
				delete(l.last, k)
			}
		}
	}
	l.last[key] = now
	return true
}
