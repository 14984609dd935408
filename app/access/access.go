// Package access decides what a logged-in staff member may do. Every admin route asks it about the
// organisation and group of the object it acts on, never about the URL alone:
//   - an instance admin may do everything, in every organisation;
//   - an owner may do everything in their organisation, staff and ownership included;
//   - an admin manages the organisation's groups, settings and staff below owner;
//   - a moderator moderates the groups they are assigned to, and nothing else.
package access

import (
	"context"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
)

// Principal is a staff member with their roles, loaded once per request.
type Principal struct {
	Account   model.StaffAccount
	roles     map[string]model.Role // organisation id -> role
	moderates map[string]bool       // group id -> assigned
	orgSlugs  map[string]string     // organisation id -> slug, for menus
}

// Load reads an account's roles and group assignments.
func Load(ctx context.Context, st *store.Store, account model.StaffAccount) (Principal, error) {
	p := Principal{Account: account, roles: map[string]model.Role{}, moderates: map[string]bool{}, orgSlugs: map[string]string{}}
	roles, err := st.StaffRoles(ctx, account.ID)
	if err != nil {
		return p, err
	}
	for _, r := range roles {
		p.roles[r.OrganisationID] = r.Role
		p.orgSlugs[r.OrganisationID] = r.OrganisationSlug
	}
	groups, err := st.GroupsModeratedBy(ctx, account.ID)
	if err != nil {
		return p, err
	}
	for _, id := range groups {
		p.moderates[id] = true
	}
	return p, nil
}

// RoleIn is the principal's role in an organisation ("" for none). Instance admins count as owners.
func (p Principal) RoleIn(organisationID string) model.Role {
	if p.Account.InstanceAdmin {
		return model.RoleOwner
	}
	return p.roles[organisationID]
}

// OrganisationIDs lists the organisations the principal has a role in (instance admins: see
// InstanceAdmin).
func (p Principal) OrganisationIDs() []string {
	ids := make([]string, 0, len(p.roles))
	for id := range p.roles {
		ids = append(ids, id)
	}
	return ids
}

// InstanceAdmin reports whether the principal runs the whole instance.
func (p Principal) InstanceAdmin() bool { return p.Account.InstanceAdmin }

// ManagesOrganisation: owners and admins manage groups, settings and domain blocks.
func (p Principal) ManagesOrganisation(organisationID string) bool {
	role := p.RoleIn(organisationID)
	return role == model.RoleOwner || role == model.RoleAdmin
}

// ManagesAnyOrganisation: instance admins, and owners or admins of at least one organisation, have
// organisation pages (domain blocks, staff) to see; a moderator only has groups.
func (p Principal) ManagesAnyOrganisation() bool {
	if p.Account.InstanceAdmin {
		return true
	}
	for id := range p.roles {
		if p.ManagesOrganisation(id) {
			return true
		}
	}
	return false
}

// Moderates: owners and admins moderate every group of their organisation; moderators the groups
// they are assigned to.
func (p Principal) Moderates(group model.Group) bool {
	if p.ManagesOrganisation(group.OrganisationID) {
		return true
	}
	return p.roles[group.OrganisationID] == model.RoleModerator && p.moderates[group.ID]
}

// ManagesStaff reports whether the principal may create, change or remove a staff member holding
// role in the organisation: owners any, admins only those below owner.
func (p Principal) ManagesStaff(organisationID string, role model.Role) bool {
	switch p.RoleIn(organisationID) {
	case model.RoleOwner:
		return true
	case model.RoleAdmin:
		return role != model.RoleOwner
	}
	return false
}

// HasAnyRole reports whether the principal may use the admin at all.
func (p Principal) HasAnyRole() bool { return p.Account.InstanceAdmin || len(p.roles) > 0 }

// Refuse is the error an admin route returns when the principal may not act: it says so without
// telling whether the thing exists.
func Refuse() error {
	return apperror.Forbidden("you may not do this")
}

// Require returns Refuse() unless allowed.
func Require(allowed bool) error {
	if !allowed {
		return Refuse()
	}
	return nil
}
