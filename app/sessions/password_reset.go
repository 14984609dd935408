package sessions

import (
	"context"
	"errors"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// ResetMailer sends a staff member her password reset link inside the transaction that stores it
// (the notify service, when e-mail is on). The token is the link's secret; valid says how long the
// link works.
type ResetMailer interface {
	PasswordResetRequested(ctx context.Context, tx *store.Store, account model.StaffAccount, token string, valid time.Duration) error
}

// WithResetMailer returns the service offering password resets by e-mail through mailer.
func (s *Service) WithResetMailer(mailer ResetMailer) *Service {
	c := *s
	c.resets = mailer
	return &c
}

// WithClock returns the service reading the time from now (tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// ResetsByEmail says whether staff may reset a forgotten password by e-mail (e-mail is set up).
func (s *Service) ResetsByEmail() bool { return s != nil && s.resets != nil }

// ErrResetLinkGone is the answer to a password reset link that was used, expired or never existed.
var ErrResetLinkGone = &apperror.Error{Kind: apperror.KindNotFound,
	Message: "this password reset link was already used or has expired: ask for a new one"}

// ErrResetsOff is the answer to a reset request when e-mail is not set up.
var ErrResetsOff = &apperror.Error{Kind: apperror.KindNotFound, Message: "password reset by e-mail is not set up on this server: ask an admin"}

// allowsResetRequest says whether another reset e-mail may be asked for.
func (p Policy) allowsResetRequest(c store.LoginAttemptCounts, _ time.Time) bool {
	return c.ByAddress < int64(p.MaxResetsByAddress) && c.ByAccount < int64(p.MaxResetsByAccount)
}

// RequestPasswordReset sends a single-use reset link to the account with e-mail, if there is one and
// it is enabled. Its answer says nothing of whether there is: nil either way, unless the requests
// for that e-mail or from that address went over the policy's limits (ErrThrottled), which happens
// the same whether the account exists or not.
func (s *Service) RequestPasswordReset(ctx context.Context, email, ip string) error {
	if s.resets == nil {
		return ErrResetsOff
	}
	email = store.NormaliseEmail(email)
	if _, err := s.reserve(ctx, store.AttemptPasswordReset, email, ip, s.policy.allowsResetRequest); err != nil {
		return err // the reserved attempt stays: every request counts
	}
	account, err := s.store.StaffAccountByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if account.DisabledAt != nil {
		return nil
	}
	token, err := randomToken()
	if err != nil {
		return err
	}
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		if err := tx.CreatePasswordResetToken(ctx, account.ID, tokenID(token), s.now().Add(s.policy.ResetValidity)); err != nil {
			return err
		}
		return s.resets.PasswordResetRequested(ctx, tx, account, token, s.policy.ResetValidity)
	})
}

// PasswordResetAccount returns the account a live reset link is for; ErrResetLinkGone when the link
// was used, expired or never existed.
func (s *Service) PasswordResetAccount(ctx context.Context, token string) (model.StaffAccount, error) {
	_, account, err := s.liveReset(ctx, token)
	return account, err
}

func (s *Service) liveReset(ctx context.Context, token string) (model.PasswordResetToken, model.StaffAccount, error) {
	if token == "" {
		return model.PasswordResetToken{}, model.StaffAccount{}, ErrResetLinkGone
	}
	row, err := s.store.PasswordResetTokenByHash(ctx, tokenID(token))
	if errors.Is(err, store.ErrNotFound) {
		return row, model.StaffAccount{}, ErrResetLinkGone
	}
	if err != nil {
		return row, model.StaffAccount{}, err
	}
	if row.UsedAt != nil || !s.now().Before(row.ExpiresAt) {
		return row, model.StaffAccount{}, ErrResetLinkGone
	}
	account, err := s.store.StaffAccountByID(ctx, row.StaffAccountID)
	if err != nil {
		return row, model.StaffAccount{}, err
	}
	if account.DisabledAt != nil {
		return row, model.StaffAccount{}, ErrResetLinkGone
	}
	return row, account, nil
}

// ResetPassword sets a new password through a live reset link (same rules and hashing as every
// password), uses the link up with every other live link of the account, and ends all the account's
// sessions. ErrResetLinkGone when the link was used or expired; an invalid password leaves the link
// live.
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	row, account, err := s.liveReset(ctx, token)
	if err != nil {
		return err
	}
	hash, err := s.orgs.HashNewPassword(ctx, password)
	if err != nil {
		return err
	}
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		used, err := tx.UsePasswordResetToken(ctx, row, s.now())
		if err != nil {
			return err
		}
		if !used {
			return ErrResetLinkGone
		}
		if err := tx.SetStaffPassword(ctx, account.ID, hash); err != nil {
			return err
		}
		return tx.DeleteAdminSessionsOf(ctx, account.ID, "")
	})
}
