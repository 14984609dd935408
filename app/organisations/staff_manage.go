package organisations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// StaffProfile is a staff account with every role it holds. Changes that reach the whole account
// (disabling it, resetting its password) concern every organisation it belongs to, so whoever makes
// them must be allowed to in each (the admin checks that with these roles).
type StaffProfile struct {
	Account model.StaffAccount
	Roles   []store.StaffRoleInOrganisation
}

// RoleIn is the account's role in an organisation, "" for none.
func (p StaffProfile) RoleIn(organisationID string) Role {
	for _, r := range p.Roles {
		if r.OrganisationID == organisationID {
			return r.Role
		}
	}
	return ""
}

// StaffChange names the account a staff member changes, the organisation they act in (whose log
// records it) and who acts (nil for the command line).
type StaffChange struct {
	OrganisationID string
	AccountID      string
	By             *string
}

// StaffOf lists an organisation's staff with their roles and the groups they moderate.
func (s *Service) StaffOf(ctx context.Context, organisationID string) ([]store.StaffMember, error) {
	return s.store.StaffOfOrganisation(ctx, organisationID)
}

// StaffProfile loads an account and its roles; NotFound when there is no such account.
func (s *Service) StaffProfile(ctx context.Context, accountID string) (StaffProfile, error) {
	return loadStaffProfile(ctx, s.store, accountID)
}

func loadStaffProfile(ctx context.Context, st *store.Store, accountID string) (StaffProfile, error) {
	account, err := st.StaffAccountByID(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return StaffProfile{}, apperror.NotFound("no such staff account")
	}
	if err != nil {
		return StaffProfile{}, err
	}
	roles, err := st.StaffRoles(ctx, accountID)
	if err != nil {
		return StaffProfile{}, err
	}
	return StaffProfile{Account: account, Roles: roles}, nil
}

// ChangeRole gives a member of an organisation's staff another role there. An organisation always
// keeps an owner who can log in: its only one cannot step down.
func (s *Service) ChangeRole(ctx context.Context, change StaffChange, role Role) error {
	if err := validateRole(role); err != nil {
		return err
	}
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		profile, err := staffInOrganisation(ctx, tx, change)
		if err != nil {
			return err
		}
		current := profile.RoleIn(change.OrganisationID)
		if current == role {
			return nil
		}
		if current == model.RoleOwner && profile.Account.DisabledAt == nil {
			if err := keepAnOwner(ctx, tx, change.OrganisationID, "role", "the organisation's only owner cannot step down: make someone else owner first"); err != nil {
				return err
			}
		}
		if _, err := tx.SetStaffRole(ctx, profile.Account.ID, change.OrganisationID, role); err != nil {
			return err
		}
		return logStaffAction(ctx, tx, change.OrganisationID, change.By, model.ActionStaffRole, profile.Account,
			map[string]any{"from": string(current), "to": string(role)})
	})
}

// SetDisabled disables an account, so it can no longer log in and its sessions stop working, or
// enables it again. Nobody disables their own account, nor an organisation's only owner.
func (s *Service) SetDisabled(ctx context.Context, change StaffChange, disabled bool) error {
	if disabled && change.By != nil && *change.By == change.AccountID {
		return apperror.Conflict("account", "you cannot disable your own account")
	}
	return s.store.Transaction(ctx, func(tx *store.Store) error {
		profile, err := staffInOrganisation(ctx, tx, change)
		if err != nil {
			return err
		}
		if (profile.Account.DisabledAt != nil) == disabled {
			return nil
		}
		var at *time.Time
		action := model.ActionStaffEnable
		if disabled {
			for _, r := range profile.Roles {
				if r.Role == model.RoleOwner {
					if err := keepAnOwner(ctx, tx, r.OrganisationID, "account", fmt.Sprintf("this is the only owner of %s: make someone else owner first", r.OrganisationSlug)); err != nil {
						return err
					}
				}
			}
			now := time.Now()
			at, action = &now, model.ActionStaffDisable
		}
		if err := tx.SetStaffDisabled(ctx, profile.Account.ID, at); err != nil {
			return err
		}
		return logStaffAction(ctx, tx, change.OrganisationID, change.By, action, profile.Account, nil)
	})
}

// ResetPasswordFor gives someone else's account a new generated password, returned to show once. The
// caller ends the account's sessions (sessions.Service.EndAllSessions): whoever knew the old
// password is out. Staff change their own password with ChangePassword, which asks for the old one.
func (s *Service) ResetPasswordFor(ctx context.Context, change StaffChange) (string, error) {
	if change.By != nil && *change.By == change.AccountID {
		return "", apperror.Conflict("account", "change your own password on the password page")
	}
	password := generatePassword()
	// Hash before the transaction: it takes tens of milliseconds and needs no lock.
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return "", err
	}
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		profile, err := staffInOrganisation(ctx, tx, change)
		if err != nil {
			return err
		}
		if err := tx.SetStaffPassword(ctx, profile.Account.ID, hash); err != nil {
			return err
		}
		return logStaffAction(ctx, tx, change.OrganisationID, change.By, model.ActionStaffPasswordReset, profile.Account, nil)
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

// staffInOrganisation loads the account a change is about, which must hold a role in the
// organisation it is changed in.
func staffInOrganisation(ctx context.Context, tx *store.Store, change StaffChange) (StaffProfile, error) {
	profile, err := loadStaffProfile(ctx, tx, change.AccountID)
	if err != nil {
		return StaffProfile{}, err
	}
	if profile.RoleIn(change.OrganisationID) == "" {
		return StaffProfile{}, apperror.NotFound("no such staff member in this organisation")
	}
	return profile, nil
}

// keepAnOwner refuses a change that would take away an organisation's last enabled owner.
func keepAnOwner(ctx context.Context, tx *store.Store, organisationID, field, message string) error {
	owners, err := tx.CountEnabledOwners(ctx, organisationID)
	if err != nil {
		return err
	}
	if owners <= 1 {
		return apperror.Conflict(field, "%s", message)
	}
	return nil
}

// logStaffAction records a change to a staff account in the moderation log of an organisation (""
// for instance-wide), naming the account by its email so the entry reads well even once the account
// is gone.
func logStaffAction(ctx context.Context, tx *store.Store, organisationID string, by *string, action model.LogAction,
	account model.StaffAccount, metadata map[string]any) error {
	var orgID *string
	if organisationID != "" {
		orgID = &organisationID
	}
	_, err := tx.RecordModerationAction(ctx, store.LogEntry{OrganisationID: orgID, StaffAccountID: by,
		Action: action, TargetKind: model.TargetStaff, TargetID: account.Email, Metadata: metadata})
	return err
}
