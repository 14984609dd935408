package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// NotificationSetting returns a staff member's notification setting; a zero setting (no mode) when
// she never chose.
func (s *Store) NotificationSetting(ctx context.Context, accountID string) (model.StaffNotificationSetting, error) {
	var row model.StaffNotificationSetting
	err := s.conn(ctx).Where("staff_account_id = ?", accountID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return model.StaffNotificationSetting{StaffAccountID: accountID}, nil
	}
	if err != nil {
		return row, fmt.Errorf("find notification setting of %s: %w", accountID, err)
	}
	return row, nil
}

// NotificationSettings returns the settings of the accounts that have one, by account id.
func (s *Store) NotificationSettings(ctx context.Context, accountIDs []string) (map[string]model.StaffNotificationSetting, error) {
	out := make(map[string]model.StaffNotificationSetting, len(accountIDs))
	if len(accountIDs) == 0 {
		return out, nil
	}
	var rows []model.StaffNotificationSetting
	if err := s.conn(ctx).Where("staff_account_id IN ?", accountIDs).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list notification settings: %w", err)
	}
	for _, row := range rows {
		out[row.StaffAccountID] = row
	}
	return out, nil
}

// SetNotificationMode records a staff member's choice, keeping a digest already scheduled.
func (s *Store) SetNotificationMode(ctx context.Context, accountID string, mode model.NotificationMode) error {
	row := model.StaffNotificationSetting{StaffAccountID: accountID, Mode: mode, UpdatedAt: s.now()}
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "staff_account_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"mode", "updated_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("set notification mode of %s: %w", accountID, err)
	}
	return nil
}

// ScheduleDigest records that a digest task for the account runs at due, unless one is already due
// at or before it; it reports whether the caller must record the task. The row is locked until the
// transaction ends, so two events at once schedule one digest.
func (s *Store) ScheduleDigest(ctx context.Context, accountID string, due, now time.Time) (bool, error) {
	result := s.conn(ctx).Model(&model.StaffNotificationSetting{}).
		Where("staff_account_id = ? AND (digest_due_at IS NULL OR digest_due_at < ?)", accountID, dbTime(now)).
		Updates(map[string]any{"digest_due_at": dbTime(due)})
	if result.Error != nil {
		return false, fmt.Errorf("schedule digest of %s: %w", accountID, result.Error)
	}
	return result.RowsAffected > 0, nil
}

// ClearDigestDue records that the digest due by now ran: a digest scheduled later stays.
func (s *Store) ClearDigestDue(ctx context.Context, accountID string, now time.Time) error {
	err := s.conn(ctx).Model(&model.StaffNotificationSetting{}).
		Where("staff_account_id = ? AND digest_due_at <= ?", accountID, dbTime(now)).
		Update("digest_due_at", nil).Error
	if err != nil {
		return fmt.Errorf("clear digest of %s: %w", accountID, err)
	}
	return nil
}

// AddDigestItem keeps an event for the account's next digest.
func (s *Store) AddDigestItem(ctx context.Context, accountID, summary, link string) error {
	row := model.StaffDigestItem{ID: model.NewID(), StaffAccountID: accountID, Summary: summary, Link: link, CreatedAt: s.now()}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("add digest item for %s: %w", accountID, err)
	}
	return nil
}

// TakeDigestItems removes and returns the account's waiting digest items, oldest first. Two callers
// at once cannot both take an item: the one that finds an item gone gets ErrDigestTaken.
func (s *Store) TakeDigestItems(ctx context.Context, accountID string) ([]model.StaffDigestItem, error) {
	var rows []model.StaffDigestItem
	if err := s.conn(ctx).Where("staff_account_id = ?", accountID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list digest items of %s: %w", accountID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]string, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	result := s.conn(ctx).Where("id IN ?", ids).Delete(&model.StaffDigestItem{})
	if result.Error != nil {
		return nil, fmt.Errorf("take digest items of %s: %w", accountID, result.Error)
	}
	if result.RowsAffected != int64(len(rows)) {
		return nil, fmt.Errorf("take digest items of %s: %w", accountID, ErrDigestTaken)
	}
	return rows, nil
}

// ErrDigestTaken means another digest took some of the items meanwhile; the transaction must roll back.
var ErrDigestTaken = errors.New("digest items taken by another digest")

// CreateOutgoingEmail stores a message to send.
func (s *Store) CreateOutgoingEmail(ctx context.Context, to, subject, body string) (model.OutgoingEmail, error) {
	row := model.OutgoingEmail{ID: model.NewID(), ToAddress: to, Subject: subject, Body: body, CreatedAt: s.now()}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return model.OutgoingEmail{}, fmt.Errorf("store e-mail to %s: %w", to, err)
	}
	return row, nil
}

// OutgoingEmailByID loads a message waiting to be sent; ErrNotFound once it was sent.
func (s *Store) OutgoingEmailByID(ctx context.Context, id string) (model.OutgoingEmail, error) {
	var row model.OutgoingEmail
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return row, fmt.Errorf("find e-mail %s: %w", id, notFoundAs(err))
	}
	return row, nil
}

// DeleteOutgoingEmail forgets a message once it was sent or given up.
func (s *Store) DeleteOutgoingEmail(ctx context.Context, id string) error {
	if err := s.conn(ctx).Where("id = ?", id).Delete(&model.OutgoingEmail{}).Error; err != nil {
		return fmt.Errorf("delete e-mail %s: %w", id, err)
	}
	return nil
}

// CreatePasswordResetToken stores a reset link's token hash.
func (s *Store) CreatePasswordResetToken(ctx context.Context, accountID, tokenHash string, expiresAt time.Time) error {
	row := model.PasswordResetToken{ID: model.NewID(), TokenHash: tokenHash, StaffAccountID: accountID,
		ExpiresAt: dbTime(expiresAt), CreatedAt: s.now()}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store password reset of %s: %w", accountID, err)
	}
	return nil
}

// PasswordResetTokenByHash finds a reset link by its token's hash; ErrNotFound when none.
func (s *Store) PasswordResetTokenByHash(ctx context.Context, tokenHash string) (model.PasswordResetToken, error) {
	var row model.PasswordResetToken
	if err := s.conn(ctx).Where("token_hash = ?", tokenHash).Take(&row).Error; err != nil {
		return row, fmt.Errorf("find password reset: %w", notFoundAs(err))
	}
	return row, nil
}

// UsePasswordResetToken marks a live reset link used at now, and every other live link of its
// account too; false when the link was used or expired already (or by a concurrent use).
func (s *Store) UsePasswordResetToken(ctx context.Context, token model.PasswordResetToken, now time.Time) (bool, error) {
	result := s.conn(ctx).Model(&model.PasswordResetToken{}).
		Where("id = ? AND used_at IS NULL AND expires_at > ?", token.ID, dbTime(now)).Update("used_at", dbTime(now))
	if result.Error != nil {
		return false, fmt.Errorf("use password reset: %w", result.Error)
	}
	if result.RowsAffected == 0 {
		return false, nil
	}
	err := s.conn(ctx).Model(&model.PasswordResetToken{}).
		Where("staff_account_id = ? AND used_at IS NULL", token.StaffAccountID).Update("used_at", dbTime(now)).Error
	if err != nil {
		return false, fmt.Errorf("end other password resets: %w", err)
	}
	return true, nil
}
