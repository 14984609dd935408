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

// decoy returns a hash, with the service's parameters, of a password nobody knows. One login makes
// it while the others that need it meanwhile wait and share its outcome (a burst of unknown
// e-mails would otherwise each spend a hash on making one, or, when the server is busy, queue to
// retry one after another). It is kept once made; a failure is not, so a later login tries again.
func (s *Service) decoy(ctx context.Context) (string, error) {
	s.decoyMu.Lock()
	if s.decoyHash != "" {
		defer s.decoyMu.Unlock()
		return s.decoyHash, nil
	}
	if call := s.decoyCall; call != nil {
		s.decoyMu.Unlock()
		select {
		case <-call.done:
			return call.hash, call.err
		case <-ctx.Done():
			return "", fmt.Errorf("log in: %w", ctx.Err())
		}
	}
	call := &decoyCall{done: make(chan struct{})}
	s.decoyCall = call
	s.decoyMu.Unlock()

	call.hash, call.err = s.hashPassword(ctx, generatePassword())
	s.decoyMu.Lock()
	if call.err == nil {
		s.decoyHash = call.hash
	}
	s.decoyCall = nil
	s.decoyMu.Unlock()
	close(call.done)
	return call.hash, call.err
}

// decoyCall is the making of the decoy hash, which the logins that need it meanwhile wait for.
type decoyCall struct {
	done chan struct{} // closed once hash and err are set
	hash string
	err  error
}
