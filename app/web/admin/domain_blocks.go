package admin

import (
	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/moderation"
)

// domainBlocksPage lists the blocks of one organisation (or of the instance), with the forms to add,
// import and export them; after an import it also shows what the import did.
type domainBlocksPage struct {
	Scope    orgScope
	Scopes   []orgScope
	Blocks   []model.DomainBlock
	Imported *importReport
	MaxBytes int
}

func (a *Admin) mountDomainBlocks(r gin.IRouter) {
	r.GET("/domain-blocks", a.domainBlocks)
	r.POST("/domain-blocks", a.addDomainBlock)
	r.POST("/domain-blocks/:id/remove", a.removeDomainBlock)
	r.GET("/domain-blocks/export", a.exportDomainBlocks)
	r.POST("/domain-blocks/import", a.importDomainBlocks)
}

// blocksScope is the organisation slug the moderation service takes for a scope: "" for the instance.
func blocksScope(scope orgScope) string {
	if scope.Instance() {
		return ""
	}
	return scope.Slug
}

func domainBlocksURL(scope orgScope) string { return "/admin/domain-blocks?org=" + scope.Slug }

func (a *Admin) domainBlocks(c *gin.Context) {
	scope, scopes, ok := a.chooseScope(c, true)
	if !ok {
		return
	}
	a.renderDomainBlocks(c, scope, scopes, nil)
}

func (a *Admin) renderDomainBlocks(c *gin.Context, scope orgScope, scopes []orgScope, imported *importReport) {
	blocks, err := a.cfg.Moderation.DomainBlocks(c.Request.Context(), blocksScope(scope))
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, "domain_blocks.html", "Domain blocks of "+scope.Name, domainBlocksPage{Scope: scope, Scopes: scopes,
		Blocks: blocks, Imported: imported, MaxBytes: moderation.MaxImportBytes})
}

func (a *Admin) addDomainBlock(c *gin.Context) {
	scope, _, ok := a.chooseScope(c, true)
	if !ok {
		return
	}
	block, err := a.cfg.Moderation.BlockDomain(c.Request.Context(), moderation.NewDomainBlock{
		OrganisationSlug: blocksScope(scope), Domain: c.PostForm("domain"), Severity: model.Severity(c.PostForm("severity")),
		Reason: c.PostForm("reason"), PublicComment: c.PostForm("public_comment"), CreatedBy: staffID(c)})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, domainBlocksURL(scope), block.Domain+" and its subdomains are blocked ("+string(block.Severity)+").")
}

func (a *Admin) removeDomainBlock(c *gin.Context) {
	ctx := c.Request.Context()
	block, err := a.cfg.Moderation.DomainBlock(ctx, c.Param("id"))
	if err != nil {
		a.fail(c, err)
		return
	}
	p := principalOf(c)
	if block.OrganisationID == nil {
		err = access.Require(p.InstanceAdmin())
	} else {
		err = access.Require(p.ManagesOrganisation(*block.OrganisationID))
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	scope := orgScope{Slug: instanceScope}
	if block.OrganisationID != nil {
		org, err := a.cfg.Store.OrganisationByID(ctx, *block.OrganisationID)
		if err != nil {
			a.fail(c, err)
			return
		}
		scope = orgScope{Slug: org.Slug, ID: org.ID}
	}
	reason, err := reasonOf(c, false)
	if err == nil {
		_, err = a.cfg.Moderation.Unblock(ctx, block.ID, staffID(c), reason)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, domainBlocksURL(scope), block.Domain+" is no longer blocked.")
}
