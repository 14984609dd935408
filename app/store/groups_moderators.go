package store

import (
	"context"
	"fmt"

	"github.com/kring-social/kring/app/model"
)

// UnassignGroupModerator ends a staff account's assignment to a group; false when there was none.
func (s *Store) UnassignGroupModerator(ctx context.Context, groupID, accountID string) (bool, error) {
	res := s.conn(ctx).Where("group_id = ? AND staff_account_id = ?", groupID, accountID).Delete(&model.GroupModerator{})
	if res.Error != nil {
		return false, fmt.Errorf("unassign moderator %s of group %s: %w", accountID, groupID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// GroupModeratorAccounts lists the staff accounts assigned to moderate a group, by email.
func (s *Store) GroupModeratorAccounts(ctx context.Context, groupID string) ([]model.StaffAccount, error) {
	var accounts []model.StaffAccount
	err := s.conn(ctx).Model(&model.StaffAccount{}).
		Joins("JOIN group_moderators ON group_moderators.staff_account_id = staff_accounts.id").
		Where("group_moderators.group_id = ?", groupID).Order("staff_accounts.email").Find(&accounts).Error
	if err != nil {
		return nil, fmt.Errorf("list moderators of group %s: %w", groupID, err)
	}
	return accounts, nil
}

// StaffWithRole lists the staff accounts holding role in an organisation, by email.
func (s *Store) StaffWithRole(ctx context.Context, organisationID string, role model.Role) ([]model.StaffAccount, error) {
	var accounts []model.StaffAccount
	err := s.conn(ctx).Model(&model.StaffAccount{}).
		Joins("JOIN staff_roles ON staff_roles.staff_account_id = staff_accounts.id").
		Where("staff_roles.organisation_id = ? AND staff_roles.role = ?", organisationID, role).
		Order("staff_accounts.email").Find(&accounts).Error
	if err != nil {
		return nil, fmt.Errorf("list %s staff of organisation %s: %w", role, organisationID, err)
	}
	return accounts, nil
}

// StaffWhoModerate lists the enabled staff accounts who may moderate a group, by email: its assigned
// moderators and its organisation's owners and admins (instance admins, who may do everything, are
// left out unless they hold one of those places).
func (s *Store) StaffWhoModerate(ctx context.Context, group model.Group) ([]model.StaffAccount, error) {
	var accounts []model.StaffAccount
	conn := s.conn(ctx)
	err := conn.Model(&model.StaffAccount{}).Where("disabled_at IS NULL").
		Where(conn.Where("id IN (?)", conn.Model(&model.GroupModerator{}).Select("staff_account_id").Where("group_id = ?", group.ID)).
			Or("id IN (?)", conn.Model(&model.StaffRole{}).Select("staff_account_id").
				Where("organisation_id = ? AND role IN ?", group.OrganisationID, []model.Role{model.RoleOwner, model.RoleAdmin}))).
		Order("email").Find(&accounts).Error
	if err != nil {
		return nil, fmt.Errorf("list the staff who moderate group %s: %w", group.ID, err)
	}
	return accounts, nil
}
