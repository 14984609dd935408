package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/model"
)

// StaffMember is a staff account as one organisation sees it: its role there and the slugs of the
// organisation's groups it is assigned to moderate.
type StaffMember struct {
	model.StaffAccount
	Role            model.Role
	ModeratedGroups []string `gorm:"-"`
}

// StaffOfOrganisation lists the accounts holding a role in an organisation, by email.
func (s *Store) StaffOfOrganisation(ctx context.Context, organisationID string) ([]StaffMember, error) {
	var members []StaffMember
	err := scan(s.conn(ctx).Table("staff_accounts").Select("staff_accounts.*, staff_roles.role AS role").
		Joins("JOIN staff_roles ON staff_roles.staff_account_id = staff_accounts.id").
		Where("staff_roles.organisation_id = ?", organisationID).
		Order("staff_accounts.email"), &members)
	if err != nil {
		return nil, fmt.Errorf("list staff of organisation %s: %w", organisationID, err)
	}
	var assignments []struct {
		StaffAccountID string
		Slug           string
	}
	err = scan(s.conn(ctx).Table("group_moderators").Select("group_moderators.staff_account_id, groups.slug").
		Joins("JOIN groups ON groups.id = group_moderators.group_id").
		Where("groups.organisation_id = ?", organisationID).Order("groups.slug"), &assignments)
	if err != nil {
		return nil, fmt.Errorf("list group moderators of organisation %s: %w", organisationID, err)
	}
	byAccount := map[string][]string{}
	for _, a := range assignments {
		byAccount[a.StaffAccountID] = append(byAccount[a.StaffAccountID], a.Slug)
	}
	for i := range members {
		members[i].ModeratedGroups = byAccount[members[i].ID]
	}
	return members, nil
}

// CountEnabledOwners counts the owners of an organisation whose accounts are not disabled.
func (s *Store) CountEnabledOwners(ctx context.Context, organisationID string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&model.StaffRole{}).
		Joins("JOIN staff_accounts ON staff_accounts.id = staff_roles.staff_account_id").
		Where("staff_roles.organisation_id = ? AND staff_roles.role = ? AND staff_accounts.disabled_at IS NULL",
			organisationID, model.RoleOwner).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count owners of organisation %s: %w", organisationID, err)
	}
	return n, nil
}

// SetStaffDisabled disables an account (at is when) or, with a nil at, enables it again.
func (s *Store) SetStaffDisabled(ctx context.Context, accountID string, at *time.Time) error {
	result := s.conn(ctx).Model(&model.StaffAccount{}).Where("id = ?", accountID).
		Updates(map[string]any{"disabled_at": dbTimePtr(at), "updated_at": s.now()})
	if result.Error != nil {
		return fmt.Errorf("set disabled of staff account %s: %w", accountID, result.Error)
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("set disabled of staff account %s: %w", accountID, ErrNotFound)
	}
	return nil
}
