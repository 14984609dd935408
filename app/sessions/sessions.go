// Package sessions logs staff in to the web admin and out again: logins are throttled per address,
// per account and address, and per account across every process (the counts live in the database,
// and every attempt is recorded before its password is hashed), sessions are server-side rows
// named by the SHA-256 of a random cookie token, expire after a quiet spell and at the latest after a
// fixed lifetime, and carry the token every form must send back (CSRF).
package sessions

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
)

// Policy bounds sessions and password guessing.
type Policy struct {
	IdleTimeout    time.Duration // a session unused this long ends
	MaxLifetime    time.Duration // and every session ends this long after login
	ThrottleWindow time.Duration // failed password checks are counted over this window

	// MaxFailsByAddress: wrong logins from one address (to any accounts) before it must wait.
	MaxFailsByAddress int
	// MaxFailsByAccountAndAddress: wrong logins to one account from one address before that pair
	// must wait; other addresses may still log in to the account.
	MaxFailsByAccountAndAddress int
	// AccountSlowAfter: once an account has this many wrong logins from all addresses together, it
	// takes one login attempt per AccountSlowInterval, from whichever address comes first.
	AccountSlowAfter    int
	AccountSlowInterval time.Duration
	// MaxPasswordChecks: wrong current passwords on the password page, per account, before it must
	// wait.
	MaxPasswordChecks int
	// MaxResetsByAccount and MaxResetsByAddress: password reset e-mails asked for one address
	// (whether or not an account has it), and from one IP address, per window.
	MaxResetsByAccount int
	MaxResetsByAddress int
	// ResetValidity is how long a password reset link works.
	ResetValidity time.Duration
}

// DefaultPolicy: a working day of idleness and a month at most for a session. Over a fifteen-minute
// window:
//   - 5 wrong passwords for one account from one address. Someone who mistypes rarely fails five
//     times running; a guesser on one address gets 480 tries a day, and cannot lock the owner out
//     of her own account, since the count is per address.
//   - 20 from one address to any accounts: an office behind one address with a few people who
//     mistype stays well below it; one address spraying guesses over many accounts is held to 20.
//   - beyond 10 for one account from all addresses together (twice what one address may do, so
//     one person's typos never reach it), one attempt per 30 seconds for that account, from any
//     address: an attacker with many addresses is slowed to 2 guesses a minute (under 3,000 a day,
//     against passwords of 12 characters or more), while the owner is never locked out: her attempt
//     goes through at the next free slot, at most 30 seconds after the last one, however many
//     addresses guess.
//   - 5 wrong current passwords on the password page per account: only a session's holder gets
//     there, and the right one has no reason to guess.
//
// Every attempt is recorded before its password is hashed (and deleted if the password was right),
// so attempts sent at once are counted one by one, not all let through by one count.
func DefaultPolicy() Policy {
	return Policy{IdleTimeout: 12 * time.Hour, MaxLifetime: 30 * 24 * time.Hour, ThrottleWindow: 15 * time.Minute,
		MaxFailsByAddress: 20, MaxFailsByAccountAndAddress: 5,
		AccountSlowAfter: 10, AccountSlowInterval: 30 * time.Second,
		MaxPasswordChecks: 5, MaxResetsByAccount: 3, MaxResetsByAddress: 10, ResetValidity: time.Hour}
}

// allowsLogin says whether a login may be tried given the attempts on record.
func (p Policy) allowsLogin(c store.LoginAttemptCounts, now time.Time) bool {
	switch {
	case c.ByAddress >= int64(p.MaxFailsByAddress):
		return false
	case c.ByAccountAndAddress >= int64(p.MaxFailsByAccountAndAddress):
		return false
	case c.ByAccount >= int64(p.AccountSlowAfter) && now.Before(c.LatestForAccount.Add(p.AccountSlowInterval)):
		return false
	}
	return true
}

// allowsPasswordCheck says whether the password page may check a current password.
func (p Policy) allowsPasswordCheck(c store.LoginAttemptCounts, _ time.Time) bool {
	return c.ByAccount < int64(p.MaxPasswordChecks)
}

// Service logs staff in and out.
type Service struct {
	store  *store.Store
	orgs   *organisations.Service
	policy Policy
	resets ResetMailer
	now    func() time.Time
	// afterCount, set by tests only, runs between the count of the attempts on record and the
	// record of the new one, inside their locked transaction.
	afterCount func()
}

// NewService returns a Service.
func NewService(st *store.Store, orgs *organisations.Service, policy Policy) *Service {
	return &Service{store: st, orgs: orgs, policy: policy, now: time.Now}
}

// Session is a live login: the account, the session's row, and the token that names it.
type Session struct {
	Account model.StaffAccount
	Row     model.AdminSession
}

// ErrThrottled is returned when too many password checks failed lately.
var ErrThrottled = &apperror.Error{Kind: apperror.KindForbidden, Message: "too many wrong passwords: wait a few minutes and try again"}

// reserve records a password check of a purpose before it is made, if policy allows it given the
// attempts on record: counting and recording happen in one transaction under a lock for the account
// and the address, so checks sent at once are counted one by one. It returns the attempt's id, or
// ErrThrottled.
func (s *Service) reserve(ctx context.Context, purpose, email, ip string,
	allows func(store.LoginAttemptCounts, time.Time) bool) (string, error) {
	now := s.now()
	var id string
	err := s.store.TransactionHolding(ctx, store.LoginAttemptLocks(purpose, email, ip), func(tx *store.Store) error {
		counts, err := tx.CountLoginAttempts(ctx, purpose, email, ip, now.Add(-s.policy.ThrottleWindow))
		if err != nil {
			return err
		}
		if s.afterCount != nil {
			s.afterCount()
		}
		if !allows(counts, now) {
			return ErrThrottled
		}
		id, err = tx.RecordLoginAttempt(ctx, purpose, email, ip, now)
		return err
	})
	return id, err
}

// clear deletes a reserved attempt that was no failure: the password was right, or it was never
// checked (the server was busy or broken). It runs even when the request was cancelled meanwhile.
func (s *Service) clear(ctx context.Context, id string) error {
	return s.store.ClearLoginAttempt(context.WithoutCancel(ctx), id)
}

// Login checks the e-mail and password and opens a session; it returns the cookie token to set.
// ErrThrottled when too many logins failed lately; organisations.ErrBusy when too many passwords
// are being checked at once.
func (s *Service) Login(ctx context.Context, email, password, ip, userAgent string) (string, Session, error) {
	email = store.NormaliseEmail(email)
	attempt, err := s.reserve(ctx, store.AttemptLogin, email, ip, s.policy.allowsLogin)
	if err != nil {
		return "", Session{}, err
	}
	account, err := s.orgs.Authenticate(ctx, email, password)
	if apperror.KindOf(err) == apperror.KindUnauthenticated {
		return "", Session{}, err // the reserved attempt stays, as a failure
	}
	if clearErr := s.clear(ctx, attempt); clearErr != nil && err == nil {
		err = clearErr
	}
	if err != nil {
		return "", Session{}, err
	}
	token, err := randomToken()
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", Session{}, err
	}
	row, err := s.store.CreateAdminSession(ctx, model.AdminSession{ID: tokenID(token), StaffAccountID: account.ID,
		CSRFToken: csrf, IP: clip(ip, 64), UserAgent: clip(userAgent, 300), ExpiresAt: s.now().Add(s.policy.IdleTimeout)})
	if err != nil {
		return "", Session{}, err
	}
	return token, Session{Account: account, Row: row}, nil
}

// Resume finds the live session a cookie token names, and keeps it alive; ErrNoSession when there is
// none, it expired, or its account was disabled.
func (s *Service) Resume(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, ErrNoSession
	}
	now := s.now()
	row, err := s.store.AdminSessionByID(ctx, tokenID(token), now)
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	if now.After(row.CreatedAt.Add(s.policy.MaxLifetime)) {
		return Session{}, ErrNoSession
	}
	account, err := s.store.StaffAccountByID(ctx, row.StaffAccountID)
	if err != nil {
		return Session{}, err
	}
	if account.DisabledAt != nil {
		return Session{}, ErrNoSession
	}
	// Move the expiry at most once a minute: a page view need not always write.
	if now.Sub(row.LastSeenAt) > time.Minute {
		if err := s.store.TouchAdminSession(ctx, row.ID, now.Add(s.policy.IdleTimeout)); err != nil {
			return Session{}, err
		}
	}
	return Session{Account: account, Row: row}, nil
}

// ErrNoSession means the request carries no live session.
var ErrNoSession = &apperror.Error{Kind: apperror.KindUnauthenticated, Message: "please log in"}

// Logout ends the session a token names.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.DeleteAdminSession(ctx, tokenID(token))
}

// ChangePassword changes the session's account password and ends its other sessions. Wrong current
// passwords are throttled per account like logins (ErrThrottled).
func (s *Service) ChangePassword(ctx context.Context, session Session, current, next string) error {
	attempt, err := s.reserve(ctx, store.AttemptCurrentPassword, session.Account.Email, session.Row.IP, s.policy.allowsPasswordCheck)
	if err != nil {
		return err
	}
	err = s.orgs.ChangePassword(ctx, session.Account.ID, current, next)
	if errors.Is(err, organisations.ErrWrongCurrentPassword) {
		return err // the reserved attempt stays, as a failure
	}
	if clearErr := s.clear(ctx, attempt); clearErr != nil && err == nil {
		err = clearErr
	}
	if err != nil {
		return err
	}
	return s.store.DeleteAdminSessionsOf(ctx, session.Account.ID, session.Row.ID)
}

// EndAllSessions logs an account out everywhere (after an admin reset its password).
func (s *Service) EndAllSessions(ctx context.Context, accountID string) error {
	return s.store.DeleteAdminSessionsOf(ctx, accountID, "")
}

// CSRFMatches compares a form's token with the session's in constant time.
func (s Session) CSRFMatches(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.Row.CSRFToken)) == 1
}

func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make a session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// tokenID is what the database keeps of a token: its SHA-256, so the table cannot be replayed.
func tokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func clip(s string, max int) string {
	if len(s) > max {
		return s[:max]
	}
	return s
}
