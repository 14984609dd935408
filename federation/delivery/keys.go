package delivery

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/memo"
	"github.com/kring-social/kring/federation/signing"
)

// KeyRing finds the key an activity is signed with: its group's, or the instance actor's. A fan-out
// signs thousands of deliveries with one key, so signers are kept for signerTTL (a rotated key is
// picked up within it) and parsed keys for good (a key row never changes).
type KeyRing struct {
	store   *store.Store
	iris    federation.IRIs
	mu      sync.Mutex
	keys    map[string]*rsa.PrivateKey          // by signing_keys.id
	signers *memo.Cache[string, signing.Signer] // by actor: "instance" or the group's id
	// loading merges concurrent loads of one actor's signer: a fan-out's first batches all start
	// together and would each read the group and its key.
	loading singleflight.Group
}

// ErrUnusableKey says an activity's actor has no key it can sign with: none is on record (or its
// group is gone), or the stored key does not parse. No later attempt fares better until someone
// repairs the key, so deliveries that meet it are abandoned, not retried.
var ErrUnusableKey = errors.New("no usable signing key")

// signerTTL is how soon a rotated key is used for signing.
const signerTTL = time.Minute

// NewKeyRing returns a KeyRing.
func NewKeyRing(st *store.Store, iris federation.IRIs) *KeyRing {
	return &KeyRing{store: st, iris: iris, keys: map[string]*rsa.PrivateKey{}, signers: memo.New[string, signing.Signer](signerTTL, 10000)}
}

// SignerFor returns the signer of activity's actor. An error wrapping ErrUnusableKey will not go away
// by itself; any other (a database failure) may.
func (k *KeyRing) SignerFor(ctx context.Context, activity model.OutboundActivity) (signing.Signer, error) {
	actorKey := string(model.OwnerInstance)
	if activity.ActorKind == model.OwnerGroup && activity.GroupID != nil {
		actorKey = *activity.GroupID
	}
	if signer, ok := k.signers.Get(actorKey); ok {
		return signer, nil
	}
	loaded, err, _ := k.loading.Do(actorKey, func() (any, error) {
		signer, err := k.loadSigner(ctx, activity)
		if err == nil {
			k.signers.Put(actorKey, signer)
		}
		return signer, err
	})
	return loaded.(signing.Signer), err
}

func (k *KeyRing) loadSigner(ctx context.Context, activity model.OutboundActivity) (signing.Signer, error) {
	var (
		row   model.SigningKey
		actor string
		err   error
	)
	if activity.ActorKind == model.OwnerGroup && activity.GroupID != nil {
		var group model.Group
		if group, err = k.store.GroupByID(ctx, *activity.GroupID); err == nil {
			actor = k.iris.GroupActor(group.Slug)
			row, err = k.store.ActiveGroupKey(ctx, group.ID)
		}
	} else {
		actor = k.iris.InstanceActor()
		row, err = k.store.ActiveInstanceKey(ctx)
	}
	if errors.Is(err, store.ErrNotFound) {
		return signing.Signer{}, fmt.Errorf("%w: %w", ErrUnusableKey, err)
	}
	if err != nil {
		return signing.Signer{}, err
	}
	key, err := k.parsed(row)
	if err != nil {
		return signing.Signer{}, fmt.Errorf("%w: %w", ErrUnusableKey, err)
	}
	return signing.Signer{KeyID: actor + "#" + row.KeySuffix, Key: key}, nil
}

func (k *KeyRing) parsed(row model.SigningKey) (*rsa.PrivateKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.keys[row.ID]; ok {
		return key, nil
	}
	key, err := ParsePrivateKey(row.PrivatePEM)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", row.ID, err)
	}
	k.keys[row.ID] = key
	return key, nil
}

// ParsePrivateKey reads a PKCS#8 RSA private key, as app/groups stores them.
func ParsePrivateKey(text string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("private key is not PEM")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key is %T, not RSA", parsed)
	}
	return key, nil
}
