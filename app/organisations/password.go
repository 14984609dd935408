package organisations

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/alexedwards/argon2id"
)

// defaultPasswordParams are the argon2id costs for staff passwords. 64 MiB of memory per hash is
// what makes guessing on GPUs and ASICs expensive (RFC 9106 recommends it for memory-constrained
// servers); two passes over that memory take some 50-100 ms on the small 2-core machines Kring runs
// on, slow for an attacker with a stolen table, unnoticeable at login; parallelism 2 uses both cores
// for one login instead of making it wait twice as long. A HashLimiter bounds how many run at once,
// so the memory of concurrent hashes stays bounded.
func defaultPasswordParams() argon2id.Params {
	return argon2id.Params{
		Memory:      64 * 1024, // KiB
		Iterations:  2,
		Parallelism: 2,
		SaltLength:  16,
		KeyLength:   32,
	}
}

// TestPasswordParams are cheap argon2id costs (1 MiB, one pass) for tests that hash many passwords.
// They protect nothing: production never uses them (cmd/kring builds its services with the
// defaults).
func TestPasswordParams() argon2id.Params {
	return argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

// PasswordHasher makes and checks password hashes. Argon2id is the one Kring uses; tests wrap it to
// count hashes or make them slow.
type PasswordHasher interface {
	// Hash returns the PHC string of password hashed with params.
	Hash(password string, params argon2id.Params) (string, error)
	// Matches compares password with a PHC string in constant time.
	Matches(password, hash string) (bool, error)
}

// Argon2id hashes passwords with argon2id.
type Argon2id struct{}

// Hash returns the argon2id PHC string of password.
func (Argon2id) Hash(password string, params argon2id.Params) (string, error) {
	return argon2id.CreateHash(password, &params)
}

// Matches compares password with an argon2id PHC string in constant time.
func (Argon2id) Matches(password, hash string) (bool, error) {
	return argon2id.ComparePasswordAndHash(password, hash)
}

// hashPassword returns the PHC string of password, with the service's parameters, once the limiter
// has room for it (ErrBusy when it had none in time).
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	release, err := s.hashes.acquire(ctx, uint64(s.passwordParams.Memory))
	if err != nil {
		return "", err
	}
	defer release()
	hash, err := s.hasher.Hash(password, s.passwordParams)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}

// passwordMatches compares password with a PHC string in constant time, once the limiter has room
// for the memory that hash's parameters need (ErrBusy when it had none in time).
func (s *Service) passwordMatches(ctx context.Context, password, hash string) (bool, error) {
	params, _, _, err := argon2id.DecodeHash(hash)
	if err != nil {
		return false, fmt.Errorf("check password: %w", err)
	}
	release, err := s.hashes.acquire(ctx, uint64(params.Memory))
	if err != nil {
		return false, err
	}
	defer release()
	match, err := s.hasher.Matches(password, hash)
	if err != nil {
		return false, fmt.Errorf("check password: %w", err)
	}
	return match, nil
}

// generatePassword returns a password for someone to copy once: 26 characters of base32 (A-Z, 2-7)
// from crypto/rand, 128 bits of entropy, nothing ambiguous to retype.
func generatePassword() string {
	return rand.Text()
}
