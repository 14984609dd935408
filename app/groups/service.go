// Package groups holds the rules for groups, the ActivityPub Group actors people follow: creating
// them with their signing keys, finding and listing them, and the instance actor's key.
package groups

import (
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Service creates and finds groups.
type Service struct {
	store *store.Store
}

// NewService returns a Service over st.
func NewService(st *store.Store) *Service {
	return &Service{store: st}
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
