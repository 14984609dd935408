package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/kring-social/kring/app/model"
)

// What a throttled password check is for (login_failures.purpose).
const (
	AttemptLogin           = "login"            // the login form
	AttemptCurrentPassword = "current_password" // the password page's check of the current password
	AttemptPasswordReset   = "password_reset"   // a request for a password reset e-mail
)

// LoginAttemptCounts are the attempts of one purpose on record since a time: failures, and checks
// still in flight (a right password's row is deleted once it is known to be right).
type LoginAttemptCounts struct {
	ByAddress           int64     `gorm:"column:by_address"`             // from the address, for any account
	ByAccountAndAddress int64     `gorm:"column:by_account_and_address"` // for the account from the address
	ByAccount           int64     `gorm:"column:by_account"`             // for the account from any address
	LatestForAccount    time.Time `gorm:"-"`                             // the newest for the account; zero when none
}

// LoginAttemptLocks make the rest of a transaction (TransactionHolding) the only one counting and
// recording attempts of this purpose for email or for ip, so a count and the insert that follows it
// cannot interleave with another's: parallel guesses are counted one after another. They are sorted,
// so two transactions never wait on each other in a cycle.
func LoginAttemptLocks(purpose, email, ip string) []AdvisoryLock {
	keys := []AdvisoryLock{
		AdvisoryLock(advisoryKey("login-attempts", purpose, "account", email)),
		AdvisoryLock(advisoryKey("login-attempts", purpose, "address", ip)),
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// advisoryKey names a PostgreSQL advisory lock by the 64-bit FNV-1a hash of parts. Two names that
// collide only make their holders wait for each other.
func advisoryKey(parts ...string) int64 {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	return int64(h.Sum64())
}

// CountLoginAttempts counts the attempts of a purpose since a time, for an account (its normalised
// e-mail) and an address: one query for the three counts, and one for the latest when the account
// has any.
func (s *Store) CountLoginAttempts(ctx context.Context, purpose, email, ip string, since time.Time) (LoginAttemptCounts, error) {
	var c LoginAttemptCounts
	recent := func() *gorm.DB {
		return s.conn(ctx).Model(&model.LoginFailure{}).Where("purpose = ? AND created_at >= ?", purpose, dbTime(since))
	}
	// A raw read through the store's scan: the first statement of the throttle's TransactionHolding,
	// it goes with the transaction's BEGIN and locks.
	err := scan(s.conn(ctx).Raw(`SELECT COUNT(CASE WHEN ip = ? THEN 1 END) AS by_address,
			COUNT(CASE WHEN email = ? AND ip = ? THEN 1 END) AS by_account_and_address,
			COUNT(CASE WHEN email = ? THEN 1 END) AS by_account
		FROM login_failures WHERE purpose = ? AND created_at >= ? AND (email = ? OR ip = ?)`,
		ip, email, ip, email, purpose, dbTime(since), email, ip), &c)
	if err != nil {
		return LoginAttemptCounts{}, fmt.Errorf("count login attempts: %w", err)
	}
	if c.ByAccount > 0 {
		var latest model.LoginFailure
		if err := recent().Where("email = ?", email).Order("created_at DESC").Take(&latest).Error; err != nil {
			return LoginAttemptCounts{}, fmt.Errorf("find latest login attempt: %w", err)
		}
		c.LatestForAccount = latest.CreatedAt
	}
	return c, nil
}

// RecordLoginAttempt records an attempt made at a time and returns its id, to clear it by if the
// password proves right.
func (s *Store) RecordLoginAttempt(ctx context.Context, purpose, email, ip string, at time.Time) (string, error) {
	row := model.LoginFailure{ID: model.NewID(), Email: email, IP: ip, Purpose: purpose, CreatedAt: dbTime(at)}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return "", fmt.Errorf("record login attempt: %w", err)
	}
	return row.ID, nil
}

// ClearLoginAttempt deletes an attempt that was not a failure: the password was right, or it was
// never checked.
func (s *Store) ClearLoginAttempt(ctx context.Context, id string) error {
	if err := s.conn(ctx).Where("id = ?", id).Delete(&model.LoginFailure{}).Error; err != nil {
		return fmt.Errorf("clear login attempt: %w", err)
	}
	return nil
}
