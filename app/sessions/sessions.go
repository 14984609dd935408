// Package sessions logs staff in to the web admin and out again: logins are throttled per e-mail and
// per address across every process (the counts live in the database), sessions are server-side rows
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

// Policy bounds sessions and login attempts.
type Policy struct {
	IdleTimeout     time.Duration // a session unused this long ends
	MaxLifetime     time.Duration // and every session ends this long after login
	ThrottleWindow  time.Duration // failures are counted over this window
	MaxFailsByEmail int
	MaxFailsByIP    int
}

// DefaultPolicy: a working day of idleness, a month at most; five wrong passwords for one account or
// twenty from one address in fifteen minutes, then wait.
func DefaultPolicy() Policy {
	return Policy{IdleTimeout: 12 * time.Hour, MaxLifetime: 30 * 24 * time.Hour, ThrottleWindow: 15 * time.Minute,
		MaxFailsByEmail: 5, MaxFailsByIP: 20}
}

// Service logs staff in and out.
type Service struct {
	store  *store.Store
	orgs   *organisations.Service
	policy Policy
	now    func() time.Time
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

// ErrThrottled is returned when too many logins failed lately.
var ErrThrottled = &apperror.Error{Kind: apperror.KindForbidden, Message: "too many failed logins: wait a few minutes and try again"}

// Login checks the e-mail and password and opens a session; it returns the cookie token to set.
func (s *Service) Login(ctx context.Context, email, password, ip, userAgent string) (string, Session, error) {
	email = store.NormaliseEmail(email)
	byEmail, byIP, err := s.store.CountLoginFailures(ctx, email, ip, s.now().Add(-s.policy.ThrottleWindow))
	if err != nil {
		return "", Session{}, err
	}
	if byEmail >= int64(s.policy.MaxFailsByEmail) || byIP >= int64(s.policy.MaxFailsByIP) {
		return "", Session{}, ErrThrottled
	}
	account, err := s.orgs.Authenticate(ctx, email, password)
	if apperror.KindOf(err) == apperror.KindUnauthenticated {
		if recordErr := s.store.RecordLoginFailure(ctx, email, ip); recordErr != nil {
			return "", Session{}, recordErr
		}
		return "", Session{}, err
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
	row, err := s.store.AdminSessionByID(ctx, tokenID(token))
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	now := s.now()
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

// ChangePassword changes the session's account password and ends its other sessions.
func (s *Service) ChangePassword(ctx context.Context, session Session, current, next string) error {
	if err := s.orgs.ChangePassword(ctx, session.Account.ID, current, next); err != nil {
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
