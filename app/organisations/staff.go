package organisations

import (
	"context"
	"errors"
	"fmt"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
)

// NewStaff describes a staff account to create. OrganisationSlug and Role go together: both set gives
// the account that role there; both empty makes an account without an organisation (useful only with
// InstanceAdmin). An empty Password is generated.
type NewStaff struct {
	Email            string
	DisplayName      string
	Password         string
	OrganisationSlug string
	Role             Role
	InstanceAdmin    bool
	CreatedBy        *string // the staff member creating it, for the moderation log; nil for the command line
}

// CreateStaff creates a staff account and its role, and logs it. When no password was given it
// returns the one it generated, to show once; it is not stored in clear.
func (s *Service) CreateStaff(ctx context.Context, in NewStaff) (account model.StaffAccount, generatedPassword string, err error) {
	email, err := cleanEmail(in.Email)
	if err != nil {
		return model.StaffAccount{}, "", err
	}
	displayName, err := textinput.Name("display_name", in.DisplayName, false)
	if err != nil {
		return model.StaffAccount{}, "", err
	}
	switch {
	case in.OrganisationSlug == "" && in.Role != "":
		return model.StaffAccount{}, "", apperror.Invalid("organisation", "must be given with a role")
	case in.OrganisationSlug != "" && in.Role == "":
		return model.StaffAccount{}, "", apperror.Invalid("role", "must be given with an organisation: owner, admin or moderator")
	case in.OrganisationSlug == "" && !in.InstanceAdmin:
		return model.StaffAccount{}, "", apperror.Invalid("organisation", "must be given, with a role, unless the account is an instance admin")
	}
	if in.Role != "" {
		if err := validateRole(in.Role); err != nil {
			return model.StaffAccount{}, "", err
		}
	}
	password, generatedPassword, err := passwordOrGenerated(in.Password)
	if err != nil {
		return model.StaffAccount{}, "", err
	}
	var org model.Organisation
	if in.OrganisationSlug != "" {
		if org, err = s.OrganisationBySlug(ctx, in.OrganisationSlug); err != nil {
			return model.StaffAccount{}, "", err
		}
	}
	// Hash before the transaction: it takes tens of milliseconds and needs no lock.
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return model.StaffAccount{}, "", err
	}
	err = s.store.Transaction(ctx, func(tx *store.Store) error {
		account, err = tx.CreateStaffAccount(ctx, model.StaffAccount{
			Email: email, DisplayName: displayName, PasswordHash: hash, InstanceAdmin: in.InstanceAdmin,
		})
		if errors.Is(err, store.ErrDuplicate) {
			return apperror.Conflict("email", "a staff account with email %q already exists", email)
		}
		if err != nil {
			return err
		}
		if org.ID != "" {
			if _, err := tx.SetStaffRole(ctx, account.ID, org.ID, in.Role); err != nil {
				return err
			}
		}
		metadata := map[string]any{}
		if in.Role != "" {
			metadata["role"] = string(in.Role)
		}
		if in.InstanceAdmin {
			metadata["instance_admin"] = "true"
		}
		return logStaffAction(ctx, tx, org.ID, in.CreatedBy, model.ActionStaffCreate, account, metadata)
	})
	if err != nil {
		return model.StaffAccount{}, "", err
	}
	return account, generatedPassword, nil
}

// GrantRole gives an existing account a role in an organisation, replacing the role it had there.
func (s *Service) GrantRole(ctx context.Context, email, orgSlug string, role Role) error {
	if err := validateRole(role); err != nil {
		return err
	}
	account, err := s.accountByEmail(ctx, email)
	if err != nil {
		return err
	}
	org, err := s.OrganisationBySlug(ctx, orgSlug)
	if err != nil {
		return err
	}
	if _, err := s.store.SetStaffRole(ctx, account.ID, org.ID, role); err != nil {
		return fmt.Errorf("grant role: %w", err)
	}
	return nil
}

// ResetPassword sets an account's password; when newPassword is empty it generates one and returns it.
func (s *Service) ResetPassword(ctx context.Context, email, newPassword string) (generated string, err error) {
	password, generated, err := passwordOrGenerated(newPassword)
	if err != nil {
		return "", err
	}
	account, err := s.accountByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return "", err
	}
	if err := s.store.SetStaffPassword(ctx, account.ID, hash); err != nil {
		return "", fmt.Errorf("reset password: %w", err)
	}
	return generated, nil
}

func (s *Service) accountByEmail(ctx context.Context, email string) (model.StaffAccount, error) {
	clean, err := cleanEmail(email)
	if err != nil {
		return model.StaffAccount{}, err
	}
	account, err := s.store.StaffAccountByEmail(ctx, clean)
	if errors.Is(err, store.ErrNotFound) {
		return model.StaffAccount{}, &apperror.Error{Kind: apperror.KindNotFound, Field: "email",
			Message: fmt.Sprintf("no staff account with email %q", clean), Cause: err}
	}
	if err != nil {
		return model.StaffAccount{}, fmt.Errorf("find staff account: %w", err)
	}
	return account, nil
}

// passwordOrGenerated validates a chosen password, or generates one when none was chosen; generated
// is empty unless it did.
func passwordOrGenerated(chosen string) (password, generated string, err error) {
	if chosen == "" {
		generated = generatePassword()
		return generated, generated, nil
	}
	if err := validatePassword(chosen); err != nil {
		return "", "", err
	}
	return chosen, "", nil
}
