package organisations

import (
	"crypto/rand"
	"fmt"

	"github.com/alexedwards/argon2id"
)

// defaultPasswordParams are the argon2id costs for staff passwords. 64 MiB of memory per hash is
// what makes guessing on GPUs and ASICs expensive (RFC 9106 recommends it for memory-constrained
// servers); two passes over that memory take some 50-100 ms on the small 2-core machines Kring runs
// on, slow for an attacker with a stolen table, unnoticeable at login; parallelism 2 uses both cores
// for one login instead of making it wait twice as long. Logins are rate limited, so the memory
// of concurrent hashes stays bounded.
func defaultPasswordParams() argon2id.Params {
	return argon2id.Params{
		Memory:      64 * 1024, // KiB
		Iterations:  2,
		Parallelism: 2,
		SaltLength:  16,
		KeyLength:   32,
	}
}

// hashPassword returns the argon2id PHC string of password.
func hashPassword(password string, params argon2id.Params) (string, error) {
	hash, err := argon2id.CreateHash(password, &params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}

// passwordMatches compares password with an argon2id PHC string in constant time.
func passwordMatches(password, hash string) (bool, error) {
	match, err := argon2id.ComparePasswordAndHash(password, hash)
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
