package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/store"
)

// instanceScope names the whole instance where an organisation's slug would go (domain blocks that
// apply everywhere). It is a reserved slug, so no organisation can be called that.
const instanceScope = "instance"

// orgScope is an organisation a staff member manages, or the instance itself for an instance admin.
type orgScope struct {
	Slug    string
	Name    string
	ID      string // "" for the instance
	Current bool   // the one the page shows
}

// Instance reports whether the scope is the whole instance.
func (s orgScope) Instance() bool { return s.ID == "" }

// managedScopes lists what the principal manages, the instance first when withInstance and they
// are an instance admin, then the organisations where they are owner or admin (all of them for an
// instance admin).
func (a *Admin) managedScopes(ctx context.Context, p access.Principal, withInstance bool) ([]orgScope, error) {
	var scopes []orgScope
	if withInstance && p.InstanceAdmin() {
		scopes = append(scopes, orgScope{Slug: instanceScope, Name: "The whole instance"})
	}
	orgs, err := a.cfg.Store.ListOrganisations(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		if p.ManagesOrganisation(o.ID) {
			scopes = append(scopes, orgScope{Slug: o.Slug, Name: o.Name, ID: o.ID})
		}
	}
	return scopes, nil
}

// chooseScope picks the scope a request names in its org field (the query of a GET, the form of a
// POST), or, for a GET naming none, the first one the principal manages. It returns every scope too, the
// chosen one marked, for the page's menu. Someone who manages no scope, or not the one named, is
// refused (403); a name that is nothing at all is not found (404). When it fails it has answered.
func (a *Admin) chooseScope(c *gin.Context, withInstance bool) (orgScope, []orgScope, bool) {
	ctx := c.Request.Context()
	scopes, err := a.managedScopes(ctx, principalOf(c), withInstance)
	if err != nil {
		a.fail(c, err)
		return orgScope{}, nil, false
	}
	name := c.Query("org")
	if c.Request.Method == http.MethodPost {
		// A change names where it applies: never an instance-wide block for a form that lost its field.
		if name = c.PostForm("org"); name == "" {
			a.fail(c, apperror.Invalid("org", "must name the organisation, or instance"))
			return orgScope{}, nil, false
		}
	}
	for i := range scopes {
		if scopes[i].Slug == name || (name == "" && i == 0) {
			scopes[i].Current = true
			return scopes[i], scopes, true
		}
	}
	err = access.Refuse()
	if name != "" && name != instanceScope {
		if _, lookupErr := a.cfg.Store.OrganisationBySlug(ctx, name); errors.Is(lookupErr, store.ErrNotFound) {
			err = apperror.NotFound("no organisation %q", name)
		}
	}
	a.fail(c, err)
	return orgScope{}, nil, false
}
