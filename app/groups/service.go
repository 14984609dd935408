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
	rulesPost RulesPost
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

// RulesPost keeps a group's pinned rules post saying what its rules say (the conversations service,
// which writes the group's posts). It runs after the change of the group commits and reads the group
// as it is then, so a failure is repaired by the next save.
type RulesPost interface {
	SyncRulesPost(ctx context.Context, groupID string, staffID *string) error
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

// WithRulesPost returns a copy of s that keeps each group's rules post in step with its rules when
// it creates or edits a group.
func (s *Service) WithRulesPost(r RulesPost) *Service {
	with := *s
	with.rulesPost = r
	return &with
}

// syncRulesPost brings group's rules post in step, in staffID's name (empty: Kring's command line).
func (s *Service) syncRulesPost(ctx context.Context, group model.Group, staffID string) error {
	if s.rulesPost == nil {
		return nil
	}
	var staff *string
	if staffID != "" {
		staff = &staffID
	}
	return s.rulesPost.SyncRulesPost(ctx, group.ID, staff)
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
