package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/fetch"
	"github.com/kring-social/kring/federation/signing"
)

// ErrBlockedDomain is returned for a key on a suspended domain, before anything is fetched from it.
var ErrBlockedDomain = errors.New("domain blocked")

// blockingResolver refuses keys on instance-wide suspended domains before the resolver it wraps
// fetches them, so a blocked server never hears from Kring (CVE-2023-42451: the keyId's host is
// checked, normalised, before any fetch).
type blockingResolver struct {
	suspensions *suspensions
	next        signing.PublicKeyResolver
}

// RefuseBlockedKeys wraps resolver with the domain-block check.
func RefuseBlockedKeys(st *store.Store, resolver signing.PublicKeyResolver) signing.PublicKeyResolver {
	return blockingResolver{suspensions: newSuspensions(st), next: resolver}
}

func (b blockingResolver) PublicKey(ctx context.Context, keyID string, refresh bool) (signing.VerifiedKey, error) {
	blocked, err := b.suspensions.covers(ctx, fetch.HostOf(keyID), "")
	if err != nil {
		return signing.VerifiedKey{}, fmt.Errorf("check domain blocks for key %s: %w", keyID, err)
	}
	if blocked {
		return signing.VerifiedKey{}, fmt.Errorf("key %s: %w", keyID, ErrBlockedDomain)
	}
	return b.next.PublicKey(ctx, keyID, refresh)
}
