package admin

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/access"
	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/sessions"
)

const (
	sessionCookie = "kring_session"
	principalKey  = "kring.admin.principal"
	sessionKey    = "kring.admin.session"
	csrfField     = "csrf"
)

// requireSession loads the session and the staff member's roles, or sends the browser to log in.
func (a *Admin) requireSession(c *gin.Context) {
	token, _ := c.Cookie(sessionCookie)
	session, err := a.cfg.Sessions.Resume(c.Request.Context(), token)
	if errors.Is(err, sessions.ErrNoSession) {
		if c.Request.Method == http.MethodGet {
			c.Redirect(http.StatusSeeOther, "/admin/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		refusal.Refuse(c, http.StatusUnauthorized, "not logged in")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	principal, err := access.Load(c.Request.Context(), a.cfg.Store, session.Account)
	if err != nil {
		a.fail(c, err)
		return
	}
	if !principal.HasAnyRole() {
		a.fail(c, access.Refuse())
		return
	}
	c.Set(sessionKey, session)
	c.Set(principalKey, principal)
	c.Next()
}

// checkCSRF refuses a state-changing request whose form lacks the session's token, or that comes
// from another origin (a second line behind the token and the SameSite cookie).
func (a *Admin) checkCSRF(c *gin.Context) {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		c.Next()
		return
	}
	if origin := c.GetHeader("Origin"); origin != "" && origin != a.cfg.PublicOrigin {
		refusal.Refuse(c, http.StatusForbidden, "form posted from another origin")
		return
	}
	if !sessionOf(c).CSRFMatches(c.PostForm(csrfField)) {
		refusal.Refuse(c, http.StatusForbidden, "missing or wrong CSRF token: reload the page and try again")
		return
	}
	c.Next()
}

func sessionOf(c *gin.Context) sessions.Session {
	s, _ := c.Get(sessionKey)
	session, _ := s.(sessions.Session)
	return session
}

func principalOf(c *gin.Context) access.Principal {
	p, _ := c.Get(principalKey)
	principal, _ := p.(access.Principal)
	return principal
}

// setCookie sets an admin cookie: HttpOnly always, Secure over https, SameSite Lax (Strict would drop
// the session when a staff member follows a link to the admin from their mail).
func (a *Admin) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/admin", MaxAge: maxAge,
		HttpOnly: true, Secure: a.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}
