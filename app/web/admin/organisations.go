package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/model"
)

// organisationsPage lists the instance's organisations for an instance admin, with the form for a
// new one (filled in again, with what was wrong, when it was refused).
type organisationsPage struct {
	Organisations []model.Organisation
	Slug, Name    string
	Error         string
}

func (a *Admin) mountOrganisations(r gin.IRouter) {
	r.GET("/organisations", a.organisationsList)
	r.POST("/organisations", a.createOrganisation)
}

// organisationsList and createOrganisation are the instance admin's: an organisation's owners and
// admins run it, but only whoever runs the instance makes new ones.
func (a *Admin) organisationsList(c *gin.Context) {
	if err := access.Require(principalOf(c).InstanceAdmin()); err != nil {
		a.fail(c, err)
		return
	}
	a.renderOrganisations(c, http.StatusOK, organisationsPage{})
}

// renderOrganisations writes the page; its callers have checked the reader runs the instance.
func (a *Admin) renderOrganisations(c *gin.Context, status int, page organisationsPage) {
	orgs, err := a.cfg.Organisations.ListOrganisations(c.Request.Context())
	if err != nil {
		a.fail(c, err)
		return
	}
	page.Organisations = orgs
	a.renderStatus(c, status, "organisations.html", "Organisations", page)
}

// createOrganisation makes the organisation and sends the instance admin on to its staff page,
// where its owner is added.
func (a *Admin) createOrganisation(c *gin.Context) {
	if err := access.Require(principalOf(c).InstanceAdmin()); err != nil {
		a.fail(c, err)
		return
	}
	form := organisationsPage{Slug: c.PostForm("slug"), Name: c.PostForm("name")}
	org, err := a.cfg.Organisations.CreateOrganisationBy(c.Request.Context(), form.Slug, form.Name, staffID(c))
	if status, problem, refused := formRefusal(err); refused {
		form.Error = problem
		a.renderOrganisations(c, status, form)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, staffURL(orgScope{Slug: org.Slug}), "Organisation "+org.Name+" created. Add its owner here.")
}
