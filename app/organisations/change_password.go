package organisations

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/apperror"
)

// ErrWrongCurrentPassword is ChangePassword's answer when the current password given is not the
// account's: the one outcome a throttle counts as a guess.
var ErrWrongCurrentPassword = apperror.Invalid("current_password", "is not your current password")

// ChangePassword lets a staff member replace their own password, proving they know the current one.
func (s *Service) ChangePassword(ctx context.Context, accountID, current, next string) error {
	account, err := s.store.StaffAccountByID(ctx, accountID)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	match, err := s.passwordMatches(ctx, current, account.PasswordHash)
	if err != nil {
		return fmt.Errorf("change password of %s: %w", accountID, err)
	}
	if !match {
		return ErrWrongCurrentPassword
	}
	if err := validatePassword(next); err != nil {
		return err
	}
	hash, err := s.hashPassword(ctx, next)
	if err != nil {
		return err
	}
	if err := s.store.SetStaffPassword(ctx, accountID, hash); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return nil
}

// HashNewPassword checks a new password against the password rules and returns its hash, for a
// caller that sets it itself (a password reset by e-mail, in its own transaction).
func (s *Service) HashNewPassword(ctx context.Context, password string) (string, error) {
	if err := validatePassword(password); err != nil {
		return "", err
	}
	return s.hashPassword(ctx, password)
}
