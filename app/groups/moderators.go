package groups

import (
	"context"
	"slices"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Moderators lists the staff assigned to moderate a group, by email.
func (s *Service) Moderators(ctx context.Context, groupID string) ([]model.StaffAccount, error) {
	return s.store.GroupModeratorAccounts(ctx, groupID)
}

// ModeratorCandidates lists who may be assigned to a group: the staff holding the moderator role in
// its organisation (owners and admins moderate every group of it already).
func (s *Service) ModeratorCandidates(ctx context.Context, group model.Group) ([]model.StaffAccount, error) {
	return s.store.StaffWithRole(ctx, group.OrganisationID, model.RoleModerator)
}

// AssignModerator assigns a staff account holding the moderator role in the group's organisation to
// moderate the group, recorded as group.moderator.assign; assigning twice changes nothing.
func (s *Service) AssignModerator(ctx context.Context, groupID, accountID, staffID string) error {
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		group, err := groupByID(ctx, tx, groupID)
		if err != nil {
			return err
		}
		candidates, err := tx.StaffWithRole(ctx, group.OrganisationID, model.RoleModerator)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(candidates, func(a model.StaffAccount) bool { return a.ID == accountID }) {
			return apperror.Invalid("staff", "must be a moderator of the group's organisation")
		}
		assigned, err := tx.GroupModeratorAccounts(ctx, groupID)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(assigned, func(a model.StaffAccount) bool { return a.ID == accountID }) {
			return nil
		}
		if err := tx.AssignGroupModerator(ctx, groupID, accountID); err != nil {
			return err
		}
		return recordModeratorChange(ctx, tx, group, model.ActionGroupModeratorAssign, accountID, staffID)
	})
}

// UnassignModerator ends a staff account's assignment to the group, recorded as
// group.moderator.unassign; NotFound when it was not assigned.
func (s *Service) UnassignModerator(ctx context.Context, groupID, accountID, staffID string) error {
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		group, err := groupByID(ctx, tx, groupID)
		if err != nil {
			return err
		}
		removed, err := tx.UnassignGroupModerator(ctx, groupID, accountID)
		if err != nil {
			return err
		}
		if !removed {
			return apperror.NotFound("that staff member does not moderate the group")
		}
		return recordModeratorChange(ctx, tx, group, model.ActionGroupModeratorUnassign, accountID, staffID)
	})
}

func recordModeratorChange(ctx context.Context, tx *store.Store, group model.Group, action model.LogAction, accountID, staffID string) error {
	return recordGroupAction(ctx, tx, group, staffID, store.LogEntry{Action: action, TargetKind: model.TargetStaff, TargetID: accountID})
}
