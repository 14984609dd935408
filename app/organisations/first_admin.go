package organisations

import (
	"context"
	"errors"
	"fmt"

	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// FirstAdmin reports what EnsureFirstAdmin did. GeneratedPassword is set only when it created the
// account and made the password up; it is shown once and never stored in clear.
type FirstAdmin struct {
	Created           bool
	Email             string
	GeneratedPassword string
}

// errStaffExists ends the first-admin transaction when another account appeared meanwhile.
var errStaffExists = errors.New("a staff account exists")

// EnsureFirstAdmin creates an instance admin with email and password (generated when empty) when the
// instance has no staff account at all, and does nothing otherwise. Two processes starting together
// are safe: the account and the 'first_admin' instance setting are inserted in one transaction, and
// the setting's primary key (or the email's unique index) lets only one of them commit.
func (s *Service) EnsureFirstAdmin(ctx context.Context, email, password string) (FirstAdmin, error) {
	// The common case, every start after the first, needs no hashing.
	count, err := s.store.CountStaffAccounts(ctx)
	if err != nil {
		return FirstAdmin{}, err
	}
	if count > 0 {
		return FirstAdmin{}, nil
	}
	email, err = cleanEmail(email)
	if err != nil {
		return FirstAdmin{}, err
	}
	password, generated, err := passwordOrGenerated(password)
	if err != nil {
		return FirstAdmin{}, err
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return FirstAdmin{}, err
	}
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		count, err := tx.CountStaffAccounts(ctx)
		if err != nil {
			return err
		}
		if count > 0 {
			return errStaffExists
		}
		account, err := tx.CreateStaffAccount(ctx, model.StaffAccount{Email: email, PasswordHash: hash, InstanceAdmin: true})
		if err != nil {
			return err
		}
		return tx.InsertInstanceSetting(ctx, model.InstanceSettingFirstAdmin, account.ID)
	})
	if errors.Is(err, errStaffExists) || errors.Is(err, store.ErrDuplicate) {
		return FirstAdmin{}, nil // another process created the first admin
	}
	if err != nil {
		return FirstAdmin{}, fmt.Errorf("create first admin: %w", err)
	}
	return FirstAdmin{Created: true, Email: email, GeneratedPassword: generated}, nil
}
