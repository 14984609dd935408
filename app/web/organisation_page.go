package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/textinput"
	"github.com/kring-social/kring/federation"
)

//go:embed templates/organisation.html
var organisationTemplates embed.FS

var organisationPageTemplate = template.Must(template.ParseFS(organisationTemplates, "templates/organisation.html"))

// OrganisationPages serves each organisation's public page: its discoverable groups.
type OrganisationPages struct {
	store  *store.Store
	iris   federation.IRIs
	logger *slog.Logger
}

// NewOrganisationPages returns the organisation pages of the instance at iris.
func NewOrganisationPages(st *store.Store, iris federation.IRIs, logger *slog.Logger) *OrganisationPages {
	if logger == nil {
		logger = slog.Default()
	}
	return &OrganisationPages{store: st, iris: iris, logger: logger}
}

// Mount registers GET /orgs/{slug}.
func (p *OrganisationPages) Mount(router gin.IRouter) {
	router.GET("/orgs/:slug", p.page)
}

// OrganisationPath is where an organisation's public page is served; empty without a slug.
func OrganisationPath(slug string) string {
	if slug == "" {
		return ""
	}
	return "/orgs/" + slug
}

// listedGroup is a group as the organisation's page shows it.
type listedGroup struct {
	Name, Handle, Summary, Path, Avatar string
	Members                             int64
}

func (p *OrganisationPages) page(c *gin.Context) {
	ctx := c.Request.Context()
	org, err := p.store.OrganisationBySlug(ctx, c.Param("slug"))
	if errors.Is(err, store.ErrNotFound) {
		refusal.Refuse(c, http.StatusNotFound, "no such organisation")
		return
	}
	if err != nil {
		respondError(c, p.logger, err)
		return
	}
	groups, err := p.store.DiscoverableGroups(ctx, org.ID)
	if err != nil {
		respondError(c, p.logger, err)
		return
	}
	listed := make([]listedGroup, 0, len(groups))
	modified := org.UpdatedAt
	for _, g := range groups {
		listed = append(listed, listedGroup{Name: g.Name, Handle: p.iris.GroupHandle(g.Slug), Members: g.Members,
			Summary: textinput.Excerpt(textinput.PlainText(textinput.TextToHTML(g.Summary)), 300),
			Path:    "/groups/" + g.Slug, Avatar: picturePath(g.AvatarPath)})
		if g.UpdatedAt.After(modified) {
			modified = g.UpdatedAt
		}
	}
	description := org.Name + " on the fediverse: groups to follow from Mastodon or any other app."
	var out bytes.Buffer
	err = organisationPageTemplate.Execute(&out, map[string]any{
		"Name": org.Name, "Groups": listed, "Description": description,
		"URL": p.iris.Base() + OrganisationPath(org.Slug),
	})
	if err != nil {
		respondError(c, p.logger, err)
		return
	}
	c.Header("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
	// Member counts have no time of their own: the ETag, the page's hash, catches them.
	sendCached(c, "text/html; charset=utf-8", groupPageMaxAge, out.Bytes(), modified)
}
