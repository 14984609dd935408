// Package organisations holds the rules for organisations and their staff: creating them, roles,
// passwords, the first instance admin and logging in.
package organisations

import (
	"sync"

	"github.com/alexedwards/argon2id"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Role is what a staff account may do in an organisation: owner, admin or moderator.
type Role = model.Role

// Service creates and finds organisations and staff accounts.
type Service struct {
	store          *store.Store
	passwordParams argon2id.Params

	// decoyHash is compared against when a login names an unknown email, so that answer takes as
	// long as a wrong password. Made on first use: it costs one hash.
	decoyOnce sync.Once
	decoyHash string
	decoyErr  error
}

// NewService returns a Service over st.
func NewService(st *store.Store) *Service {
	return newService(st, defaultPasswordParams())
}

// newService lets tests use cheaper hashing.
func newService(st *store.Store, params argon2id.Params) *Service {
	return &Service{store: st, passwordParams: params}
}
