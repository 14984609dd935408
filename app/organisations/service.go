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
	hasher         PasswordHasher
	hashes         *HashLimiter

	// decoyHash is compared against when a login names an unknown email, so that answer takes as
	// long as a wrong password. Made on first use: it costs one hash. decoyCall is its making, while
	// a login makes it.
	decoyMu   sync.Mutex
	decoyHash string
	decoyCall *decoyCall
}

// Options tune how a Service hashes passwords; the zero value is what production runs.
type Options struct {
	// PasswordParams are the argon2id costs of new hashes; zero means the defaults (64 MiB, two
	// passes). Tests set TestPasswordParams.
	PasswordParams argon2id.Params
	// Hasher makes and checks hashes; nil means Argon2id.
	Hasher PasswordHasher
	// Hashes bounds the hashes in flight. The services of one process share one, made by cmd from
	// its settings; nil means one of this service's own with DefaultHashMemoryKiB and
	// DefaultHashWait.
	Hashes *HashLimiter
}

// NewService returns a Service over st with the default options.
func NewService(st *store.Store) *Service {
	return NewServiceWith(st, Options{})
}

// NewServiceWith returns a Service over st with opts.
func NewServiceWith(st *store.Store, opts Options) *Service {
	if opts.PasswordParams == (argon2id.Params{}) {
		opts.PasswordParams = defaultPasswordParams()
	}
	if opts.Hasher == nil {
		opts.Hasher = Argon2id{}
	}
	if opts.Hashes == nil {
		opts.Hashes = NewHashLimiter(DefaultHashMemoryKiB, DefaultHashWait)
	}
	return &Service{store: st, passwordParams: opts.PasswordParams, hasher: opts.Hasher, hashes: opts.Hashes}
}
