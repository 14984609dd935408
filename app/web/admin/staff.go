package admin

import (
	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/store"
)

// staffPage lists an organisation's staff with what the reader may do to each, and the form to add
// someone.
type staffPage struct {
	Scope  orgScope
	Scopes []orgScope
	Rows   []staffRow
	Roles  []model.Role // the roles the reader may give
}

// staffRow is a staff member with whether the reader may change them.
type staffRow struct {
	store.StaffMember
	CanManage bool
	Self      bool
}

// generatedPassword is the page that shows a password Kring generated, once.
type generatedPassword struct {
	Email    string
	Password string
	Created  bool
	Back     string
}

var errNotStaffHere = apperror.NotFound("no such staff member in this organisation")

func (a *Admin) mountStaff(r gin.IRouter) {
	r.GET("/staff", a.staffList)
	r.POST("/staff", a.createStaff)
	r.POST("/staff/:id/role", a.changeStaffRole)
	r.POST("/staff/:id/disable", a.setStaffDisabled(true))
	r.POST("/staff/:id/enable", a.setStaffDisabled(false))
	r.POST("/staff/:id/reset-password", a.resetStaffPassword)
}

func staffURL(scope orgScope) string { return "/admin/staff?org=" + scope.Slug }

func (a *Admin) staffList(c *gin.Context) {
	scope, scopes, ok := a.chooseScope(c, false)
	if !ok {
		return
	}
	members, err := a.cfg.Organisations.StaffOf(c.Request.Context(), scope.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	p := principalOf(c)
	page := staffPage{Scope: scope, Scopes: scopes}
	for _, m := range members {
		page.Rows = append(page.Rows, staffRow{StaffMember: m, Self: m.ID == p.Account.ID,
			CanManage: p.ManagesStaff(scope.ID, m.Role) && (!m.InstanceAdmin || p.InstanceAdmin())})
	}
	for _, role := range model.Roles() {
		if p.ManagesStaff(scope.ID, role) {
			page.Roles = append(page.Roles, role)
		}
	}
	a.render(c, "staff.html", "Staff of "+scope.Name, page)
}

func (a *Admin) createStaff(c *gin.Context) {
	scope, _, ok := a.chooseScope(c, false)
	if !ok {
		return
	}
	role := model.Role(c.PostForm("role"))
	if err := access.Require(principalOf(c).ManagesStaff(scope.ID, role)); err != nil {
		a.fail(c, err)
		return
	}
	account, password, err := a.cfg.Organisations.CreateStaff(c.Request.Context(), organisations.NewStaff{
		Email: c.PostForm("email"), DisplayName: c.PostForm("display_name"), OrganisationSlug: scope.Slug,
		Role: role, CreatedBy: staffID(c)})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, "staff_password.html", "Staff member added", generatedPassword{Email: account.Email,
		Password: password, Created: true, Back: staffURL(scope)})
}

// staffToManage loads the account the path names, a member of the staff of the organisation the
// form names, and checks the reader may change it: they manage staff of its role there and, for
// changes to the whole account (accountWide: disabling, resetting its password), of each role it
// holds in any organisation; only an instance admin changes an instance admin. When not, it has
// answered (403, 404) and returns false.
func (a *Admin) staffToManage(c *gin.Context, accountWide bool) (orgScope, organisations.StaffProfile, bool) {
	scope, _, ok := a.chooseScope(c, false)
	if !ok {
		return scope, organisations.StaffProfile{}, false
	}
	profile, err := a.cfg.Organisations.StaffProfile(c.Request.Context(), c.Param("id"))
	if err == nil && profile.RoleIn(scope.ID) == "" {
		err = errNotStaffHere
	}
	if err != nil {
		a.fail(c, err)
		return scope, profile, false
	}
	p := principalOf(c)
	allowed := p.ManagesStaff(scope.ID, profile.RoleIn(scope.ID)) && (!profile.Account.InstanceAdmin || p.InstanceAdmin())
	for _, r := range profile.Roles {
		allowed = allowed && (!accountWide || p.ManagesStaff(r.OrganisationID, r.Role))
	}
	if err := access.Require(allowed); err != nil {
		a.fail(c, err)
		return scope, profile, false
	}
	return scope, profile, true
}

func staffChange(c *gin.Context, scope orgScope, profile organisations.StaffProfile) organisations.StaffChange {
	return organisations.StaffChange{OrganisationID: scope.ID, AccountID: profile.Account.ID, By: staffID(c)}
}

func (a *Admin) changeStaffRole(c *gin.Context) {
	scope, profile, ok := a.staffToManage(c, false)
	if !ok {
		return
	}
	role := model.Role(c.PostForm("role"))
	err := access.Require(principalOf(c).ManagesStaff(scope.ID, role))
	if err == nil {
		err = a.cfg.Organisations.ChangeRole(c.Request.Context(), staffChange(c, scope, profile), role)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, staffURL(scope), profile.Account.Email+" is now "+string(role)+".")
}

func (a *Admin) setStaffDisabled(disabled bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		scope, profile, ok := a.staffToManage(c, true)
		if !ok {
			return
		}
		ctx := c.Request.Context()
		err := a.cfg.Organisations.SetDisabled(ctx, staffChange(c, scope, profile), disabled)
		if err == nil && disabled {
			err = a.cfg.Sessions.EndAllSessions(ctx, profile.Account.ID)
		}
		if err != nil {
			a.fail(c, err)
			return
		}
		notice := profile.Account.Email + " can log in again."
		if disabled {
			notice = profile.Account.Email + " is disabled and logged out everywhere."
		}
		a.done(c, staffURL(scope), notice)
	}
}

func (a *Admin) resetStaffPassword(c *gin.Context) {
	scope, profile, ok := a.staffToManage(c, true)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	password, err := a.cfg.Organisations.ResetPasswordFor(ctx, staffChange(c, scope, profile))
	if err == nil {
		err = a.cfg.Sessions.EndAllSessions(ctx, profile.Account.ID)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, "staff_password.html", "Password reset", generatedPassword{Email: profile.Account.Email,
		Password: password, Back: staffURL(scope)})
}
