package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/kring-social/kring/app/model"
)

// NormaliseEmail is the form emails are stored and looked up in, so that the unique index on
// staff_accounts.email is case-insensitive on both engines.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateStaffAccount inserts account with its email normalised, giving it an id and timestamps
// (PasswordChangedAt too when zero). A taken email is ErrDuplicate.
func (s *Store) CreateStaffAccount(ctx context.Context, account model.StaffAccount) (model.StaffAccount, error) {
	now := s.now()
	account.ID = model.NewID()
	account.Email = NormaliseEmail(account.Email)
	account.CreatedAt, account.UpdatedAt = now, now
	if account.PasswordChangedAt.IsZero() {
		account.PasswordChangedAt = now
	} else {
		account.PasswordChangedAt = dbTime(account.PasswordChangedAt)
	}
	account.DisabledAt = dbTimePtr(account.DisabledAt)
	account.LastLoginAt = dbTimePtr(account.LastLoginAt)
	if err := s.conn(ctx).Create(&account).Error; err != nil {
		return model.StaffAccount{}, fmt.Errorf("create staff account %q: %w", account.Email, classify(err))
	}
	return account, nil
}

// StaffAccountByEmail loads an account by email, in any letter case.
func (s *Store) StaffAccountByEmail(ctx context.Context, email string) (model.StaffAccount, error) {
	var account model.StaffAccount
	email = NormaliseEmail(email)
	if err := s.conn(ctx).Where("email = ?", email).Take(&account).Error; err != nil {
		return model.StaffAccount{}, fmt.Errorf("find staff account %q: %w", email, classify(err))
	}
	return account, nil
}

// StaffAccountByID loads an account by id.
func (s *Store) StaffAccountByID(ctx context.Context, id string) (model.StaffAccount, error) {
	var account model.StaffAccount
	if err := s.conn(ctx).Where("id = ?", id).Take(&account).Error; err != nil {
		return model.StaffAccount{}, fmt.Errorf("find staff account %s: %w", id, classify(err))
	}
	return account, nil
}

// CountStaffAccounts counts every staff account, disabled ones included.
func (s *Store) CountStaffAccounts(ctx context.Context) (int64, error) {
	var n int64
	if err := s.conn(ctx).Model(&model.StaffAccount{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count staff accounts: %w", err)
	}
	return n, nil
}

// SetStaffPassword replaces an account's password hash and records when.
func (s *Store) SetStaffPassword(ctx context.Context, accountID, passwordHash string) error {
	now := s.now()
	result := s.conn(ctx).Model(&model.StaffAccount{}).Where("id = ?", accountID).Updates(map[string]any{
		"password_hash":       passwordHash,
		"password_changed_at": now,
		"updated_at":          now,
	})
	if result.Error != nil {
		return fmt.Errorf("set password of staff account %s: %w", accountID, result.Error)
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("set password of staff account %s: %w", accountID, ErrNotFound)
	}
	return nil
}

// RecordStaffLogin notes a successful login and returns its time.
func (s *Store) RecordStaffLogin(ctx context.Context, accountID string) (at time.Time, err error) {
	now := s.now()
	err = s.conn(ctx).Model(&model.StaffAccount{}).Where("id = ?", accountID).
		Update("last_login_at", now).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("record login of staff account %s: %w", accountID, err)
	}
	return now, nil
}

// SetStaffRole gives an account its role in an organisation, replacing the role it had there.
func (s *Store) SetStaffRole(ctx context.Context, accountID, organisationID string, role model.Role) (model.StaffRole, error) {
	now := s.now()
	row := model.StaffRole{
		ID: model.NewID(), StaffAccountID: accountID, OrganisationID: organisationID, Role: role,
		CreatedAt: now, UpdatedAt: now,
	}
	// One statement rather than read-then-write, so two grants at once cannot both insert.
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "staff_account_id"}, {Name: "organisation_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"role", "updated_at"}),
	}).Create(&row).Error
	if err != nil {
		return model.StaffRole{}, fmt.Errorf("set role of staff account %s in organisation %s: %w", accountID, organisationID, classify(err))
	}
	// On conflict the existing row (with its own id and created_at) was updated: read it back.
	var stored model.StaffRole
	err = s.conn(ctx).Where("staff_account_id = ? AND organisation_id = ?", accountID, organisationID).Take(&stored).Error
	if err != nil {
		return model.StaffRole{}, fmt.Errorf("read role of staff account %s in organisation %s: %w", accountID, organisationID, classify(err))
	}
	return stored, nil
}

// StaffRoleInOrganisation is a role together with the slug of its organisation.
type StaffRoleInOrganisation struct {
	model.StaffRole
	OrganisationSlug string
}

// StaffRoles lists an account's roles, ordered by organisation slug.
func (s *Store) StaffRoles(ctx context.Context, accountID string) ([]StaffRoleInOrganisation, error) {
	var rows []StaffRoleInOrganisation
	err := scan(s.conn(ctx).Table("staff_roles").
		Select("staff_roles.*, organisations.slug AS organisation_slug").
		Joins("JOIN organisations ON organisations.id = staff_roles.organisation_id").
		Where("staff_roles.staff_account_id = ?", accountID).
		Order("organisations.slug"), &rows)
	if err != nil {
		return nil, fmt.Errorf("list roles of staff account %s: %w", accountID, err)
	}
	return rows, nil
}

// StaffEmails are the e-mail addresses of the accounts ids, by id, in one query; an account that no
// longer exists is missing from the answer.
func (s *Store) StaffEmails(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []model.StaffAccount
	if err := s.conn(ctx).Select("id", "email").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("find staff accounts: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Email
	}
	return out, nil
}
