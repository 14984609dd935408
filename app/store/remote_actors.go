package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// SaveRemoteActor stores a fetched actor document, inserting it or refreshing the row with the same
// IRI, and returns the stored row.
func (s *Store) SaveRemoteActor(ctx context.Context, actor model.RemoteActor) (model.RemoteActor, error) {
	now := s.now()
	actor.ID = model.NewID()
	actor.CreatedAt, actor.UpdatedAt = now, now
	actor.FetchedAt = dbTime(actor.FetchedAt)
	actor.GoneAt = nil
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "iri"}},
		DoUpdates: clause.AssignmentColumns([]string{"host", "actor_type", "preferred_username", "display_name",
			"summary", "inbox_url", "shared_inbox_url", "outbox_url", "followers_url", "url", "icon_url",
			"public_key_id", "public_key_pem", "raw_document", "fetched_at", "gone_at", "updated_at"}),
	}).Create(&actor).Error
	if err != nil {
		return model.RemoteActor{}, fmt.Errorf("save remote actor %s: %w", actor.IRI, classify(err))
	}
	return s.RemoteActorByIRI(ctx, actor.IRI)
}

// actors reads remote actors without their documents as received, which Kring never reads back
// (model.RemoteActor.RawDocument): 4 KiB and more each, for nothing.
func (s *Store) actors(ctx context.Context) *gorm.DB { return s.conn(ctx).Omit("raw_document") }

// RemoteActorByIRI loads a cached remote actor by its id.
func (s *Store) RemoteActorByIRI(ctx context.Context, iri string) (model.RemoteActor, error) {
	var actor model.RemoteActor
	if err := s.actors(ctx).Where("iri = ?", iri).Take(&actor).Error; err != nil {
		return model.RemoteActor{}, fmt.Errorf("find remote actor %s: %w", iri, classify(err))
	}
	return actor, nil
}

// RemoteActorByKeyID loads the cached remote actor whose public key has this id.
func (s *Store) RemoteActorByKeyID(ctx context.Context, keyID string) (model.RemoteActor, error) {
	var actor model.RemoteActor
	if err := s.actors(ctx).Where("public_key_id = ?", keyID).Order("fetched_at DESC").Take(&actor).Error; err != nil {
		return model.RemoteActor{}, fmt.Errorf("find remote actor with key %s: %w", keyID, classify(err))
	}
	return actor, nil
}

// MarkRemoteActorGone records that an actor's account no longer exists.
func (s *Store) MarkRemoteActorGone(ctx context.Context, id string) error {
	now := s.now()
	err := s.conn(ctx).Model(&model.RemoteActor{}).Where("id = ?", id).
		Updates(map[string]any{"gone_at": now, "updated_at": now}).Error
	if err != nil {
		return fmt.Errorf("mark remote actor %s gone: %w", id, err)
	}
	return nil
}

// RemoteActorByID loads a cached remote actor by its row id.
func (s *Store) RemoteActorByID(ctx context.Context, id string) (model.RemoteActor, error) {
	var actor model.RemoteActor
	if err := s.actors(ctx).Where("id = ?", id).Take(&actor).Error; err != nil {
		return model.RemoteActor{}, fmt.Errorf("find remote actor %s: %w", id, classify(err))
	}
	return actor, nil
}
