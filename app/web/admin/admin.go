// Package admin is Kring's web admin, where moderators and organisation admins run their groups:
// server-rendered pages (html/template, embedded assets) that work without JavaScript. Every page
// checks the logged-in staff member's role on the organisation and group of what it shows or
// changes (package access); every form carries the session's CSRF token; sessions live in the
// database (package sessions) behind a Secure, HttpOnly, SameSite cookie.
package admin

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/campaigns"
	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/drafts"
	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/federationhealth"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/membership"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/sessions"
	"github.com/kring-social/kring/app/store"
)

// Config is what the admin needs: the domain's services and how to set cookies.
type Config struct {
	Store         *store.Store
	Sessions      *sessions.Service
	Organisations *organisations.Service
	Groups        *groups.Service
	Membership    *membership.Service
	Conversations *conversations.Service
	Moderation    *moderation.Service
	// Members removes, bans and unbans a group's members; its activities go out through the outbox.
	Members *moderation.Members
	// Reports keeps the reports queue; forwarded reports go out through the outbox.
	Reports *reports.Service
	// Community keeps each group's welcome message (sent by the membership service) and runs its
	// support inbox.
	Community *community.Service
	// Events publishes groups' events and keeps their participants.
	Events *events.Service
	// Campaigns keeps organisations' campaigns and gathers their outreach calendar.
	Campaigns *campaigns.Service
	// Drafts keeps posts written before they go out: their review and their time.
	Drafts *drafts.Service
	// FederationHealth shows the instance admin how federation goes and repairs it (federation.html).
	FederationHealth *federationhealth.Service
	// EmailOn says e-mail is set up (KRING_SMTP_URL): notifications and password resets are sent.
	EmailOn bool
	// MediaDir is where groups' pictures are stored (served publicly at /media/).
	MediaDir string
	// SecureCookies sets the Secure flag: true whenever Kring is reached over https.
	SecureCookies bool
	// PublicOrigin (scheme://host) is the only Origin a form may be posted from.
	PublicOrigin string
	Logger       *slog.Logger
}

// Admin serves the web admin.
type Admin struct {
	cfg   Config
	pages *pages
}

// New returns the admin, its templates parsed.
func New(cfg Config) (*Admin, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &Admin{cfg: cfg, pages: p}, nil
}

// Mount registers the admin's routes under /admin.
func (a *Admin) Mount(router gin.IRouter) {
	root := router.Group("/admin", securityHeaders)
	root.GET("/static/admin.css", serveStylesheet)
	root.GET("/login", a.loginPage)
	root.POST("/login", a.checkLoginForm, a.login)
	a.mountPasswordReset(root)
	signedIn := root.Group("", a.requireSession, a.checkCSRF)
	signedIn.GET("", a.dashboard)
	signedIn.POST("/logout", a.logout)
	signedIn.GET("/password", a.passwordPage)
	signedIn.POST("/password", a.changePassword)
	for _, mount := range []func(gin.IRouter){a.mountGroups, a.mountMembers, a.mountAttention, a.mountQueue, a.mountPosts,
		a.mountReports, a.mountDomainBlocks, a.mountFilters, a.mountWelcome, a.mountIntroductions, a.mountSupport, a.mountEvents, a.mountCompose, a.mountDrafts, a.mountLog,
		a.mountStaff, a.mountOrganisations, a.mountNotifications, a.mountCampaigns, a.mountCalendar, a.mountFederationHealth, a.mountAnalytics,
		a.mountMentions, a.mountOrganisationAnalytics} {
		mount(signedIn)
	}
}

// securityHeaders keeps admin pages out of frames and caches, and scripts out entirely.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	c.Next()
}

func serveStylesheet(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "text/css; charset=utf-8", stylesheet)
}
