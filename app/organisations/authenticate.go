package organisations

import (
	"context"
	"errors"
	"fmt"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// loginRefused is the one answer to every failed login, so it reveals neither which emails have
// accounts nor which accounts are disabled.
func loginRefused() error {
	return &apperror.Error{Kind: apperror.KindUnauthenticated, Message: "wrong email or password"}
}

// Authenticate checks an email and password and records the login. Every failure (unknown email,
// malformed email, wrong password, disabled account) is the same KindUnauthenticated error, and
// spends one password hash, so neither the answer nor its timing tells them apart.
func (s *Service) Authenticate(ctx context.Context, email, password string) (model.StaffAccount, error) {
	account, lookupErr := s.store.StaffAccountByEmail(ctx, email)
	if lookupErr != nil && !errors.Is(lookupErr, store.ErrNotFound) {
		return model.StaffAccount{}, fmt.Errorf("log in: %w", lookupErr)
	}
	hash := account.PasswordHash
	if lookupErr != nil {
		decoy, err := s.decoy(ctx)
		if err != nil {
			return model.StaffAccount{}, err
		}
		hash = decoy
	}
	match, err := s.passwordMatches(ctx, password, hash)
	if err != nil {
		return model.StaffAccount{}, fmt.Errorf("log in %s: %w", account.ID, err)
	}
	if lookupErr != nil || !match || account.DisabledAt != nil {
		return model.StaffAccount{}, loginRefused()
	}
	at, err := s.store.RecordStaffLogin(ctx, account.ID)
	if err != nil {
		return model.StaffAccount{}, err
	}
	account.LastLoginAt = &at
	return account, nil
}

// decoy returns a hash, with the service's parameters, of a password nobody knows. It is kept once
// made; a failure (such as a busy server) is not, so the next login tries again.
func (s *Service) decoy(ctx context.Context) (string, error) {
	s.decoyMu.Lock()
	decoy := s.decoyHash
	s.decoyMu.Unlock()
	if decoy != "" {
		return decoy, nil
	}
	// Made outside the lock, so no login waits on the mutex longer than on the hashing itself; two
	// first logins may both make one, and the first kept wins.
	decoy, err := s.hashPassword(ctx, generatePassword())
	if err != nil {
		return "", err
	}
	s.decoyMu.Lock()
	defer s.decoyMu.Unlock()
	if s.decoyHash == "" {
		s.decoyHash = decoy
	}
	return s.decoyHash, nil
}
