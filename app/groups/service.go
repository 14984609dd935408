// Package groups holds the rules for groups, the ActivityPub Group actors people follow: creating
// them with their signing keys, finding, listing, editing and archiving them, their pictures, their
// moderators, and the instance actor's key.
package groups

import (
	"context"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Service creates, finds and changes groups.
type Service struct {
	store     *store.Store
	publisher ActorPublisher
	// imageDecodes bounds the uploads decoded at once, by this Service and its copies.
	imageDecodes imageSlots
	generateKey  KeyGenerator
}

// ActorPublisher sends an Update of a group's actor document to its followers through the delivery
// outbox of tx, the transaction that changed the group, so their servers show the new name, summary
// or pictures. Federation implements it; the app cannot import federation.
type ActorPublisher interface {
	UpdateGroupActor(ctx context.Context, tx *store.Store, group model.Group) error
}

// NewService returns a Service over st. Its changes to groups are not federated until
// WithActorPublisher gives it a publisher. It decodes DefaultConcurrentImageDecodes uploads at once.
func NewService(st *store.Store) *Service {
	return &Service{store: st, imageDecodes: make(imageSlots, DefaultConcurrentImageDecodes), generateKey: GenerateSigningKey}
}

// WithKeyGenerator returns a copy of s that makes its actors' signing keys with generate. Processes
// keep GenerateSigningKey; tests hand out pre-generated keys, since a fresh RSA-2048 key costs
// 100-300 ms of CPU.
func (s *Service) WithKeyGenerator(generate KeyGenerator) *Service {
	with := *s
	with.generateKey = generate
	return &with
}

// WithActorPublisher returns a copy of s that federates the changes it makes to a group's actor.
func (s *Service) WithActorPublisher(p ActorPublisher) *Service {
	with := *s
	with.publisher = p
	return &with
}

// Summary is a group with the slug of its organisation, as lists show it.
type Summary struct {
	model.Group
	OrganisationSlug string
}

// Details is a group with its organisation and the public half of its active signing key, as its
// actor document and `kring admin group show` need it.
type Details struct {
	Summary
	PublicKeyPEM string
	KeySuffix    string // the key id is the group's actor IRI + "#" + KeySuffix
}
