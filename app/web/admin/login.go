package admin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/sessions"
)

// loginCookie carries the login form's CSRF token before there is a session (double submit): a
// forged cross-site login would otherwise sign a victim in to the forger's account.
const loginCookie = "kring_login"

// Retry-After (seconds) of a throttled password check, and of one refused because too many
// passwords were being checked at once.
const (
	throttledRetryAfter = "60"
	busyRetryAfter      = "5"
)

type loginData struct {
	Email string
	Next  string
	Error string
	Token string
	// ResetsByEmail shows the "Forgot your password?" link (e-mail is set up).
	ResetsByEmail bool
}

func (a *Admin) loginPage(c *gin.Context) {
	a.renderLogin(c, http.StatusOK, loginData{Next: safeNext(c.Query("next"))})
}

func (a *Admin) renderLogin(c *gin.Context, status int, data loginData) {
	data.Token = a.newLoginFormToken(c)
	data.ResetsByEmail = a.cfg.Sessions.ResetsByEmail()
	a.renderStatus(c, status, "login.html", "Log in", data)
}

// newLoginFormToken sets a fresh double-submit token in the login cookie and returns it, for a form
// sent before there is a session (login, password reset).
func (a *Admin) newLoginFormToken(c *gin.Context) string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	a.setCookie(c, loginCookie, token, 3600)
	return token
}

// checkLoginForm refuses a login POST whose form token does not match its cookie.
func (a *Admin) checkLoginForm(c *gin.Context) {
	cookie, _ := c.Cookie(loginCookie)
	form := c.PostForm(csrfField)
	if cookie == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(form)) != 1 {
		refusal.Refuse(c, http.StatusForbidden, "the login form expired: reload the page and try again")
		return
	}
	c.Next()
}

func (a *Admin) login(c *gin.Context) {
	email := strings.TrimSpace(c.PostForm("email"))
	next := safeNext(c.PostForm("next"))
	token, _, err := a.cfg.Sessions.Login(c.Request.Context(), email, c.PostForm("password"), c.ClientIP(), c.Request.UserAgent())
	if retryAfter := tooManyRetryAfter(err); retryAfter != "" {
		c.Set(refusal.ReasonKey, apperror.SafeMessage(err))
		c.Header("Retry-After", retryAfter)
		a.renderLogin(c, http.StatusTooManyRequests, loginData{Email: email, Next: next, Error: apperror.SafeMessage(err)})
		return
	}
	switch {
	case apperror.KindOf(err) == apperror.KindUnauthenticated:
		c.Set(refusal.ReasonKey, "wrong e-mail or password")
		a.renderLogin(c, http.StatusUnauthorized, loginData{Email: email, Next: next, Error: apperror.SafeMessage(err)})
		return
	case err != nil:
		a.fail(c, err)
		return
	}
	a.setCookie(c, loginCookie, "", -1)
	a.setCookie(c, sessionCookie, token, 0)
	c.Redirect(http.StatusSeeOther, next)
}

func (a *Admin) logout(c *gin.Context) {
	token, _ := c.Cookie(sessionCookie)
	if err := a.cfg.Sessions.Logout(c.Request.Context(), token); err != nil {
		a.fail(c, err)
		return
	}
	a.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/admin/login")
}

// safeNext keeps a post-login redirect inside the admin, so the login form is no open redirect.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin") || strings.HasPrefix(next, "/admin/login") || strings.ContainsAny(next, "\\\r\n") {
		return "/admin"
	}
	return next
}

type passwordData struct{ Error string }

func (a *Admin) passwordPage(c *gin.Context) {
	a.render(c, "password.html", "Change password", passwordData{})
}

func (a *Admin) changePassword(c *gin.Context) {
	next := c.PostForm("new_password")
	if next != c.PostForm("confirm_password") {
		a.renderStatus(c, http.StatusBadRequest, "password.html", "Change password", passwordData{Error: "the two new passwords differ"})
		return
	}
	err := a.cfg.Sessions.ChangePassword(c.Request.Context(), sessionOf(c), c.PostForm("current_password"), next)
	if retryAfter := tooManyRetryAfter(err); retryAfter != "" {
		c.Set(refusal.ReasonKey, apperror.SafeMessage(err))
		c.Header("Retry-After", retryAfter)
		a.renderStatus(c, http.StatusTooManyRequests, "password.html", "Change password", passwordData{Error: apperror.SafeMessage(err)})
		return
	}
	if apperror.KindOf(err) == apperror.KindInvalid {
		a.renderStatus(c, http.StatusBadRequest, "password.html", "Change password", passwordData{Error: apperror.SafeMessage(err)})
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.done(c, "/admin", "Password changed; your other sessions were logged out.")
}

// tooManyRetryAfter is the Retry-After of an error that means "not now" (throttled, or too many
// passwords being checked at once), "" for any other.
func tooManyRetryAfter(err error) string {
	switch {
	case errors.Is(err, sessions.ErrThrottled):
		return throttledRetryAfter
	case errors.Is(err, organisations.ErrBusy):
		return busyRetryAfter
	}
	return ""
}
