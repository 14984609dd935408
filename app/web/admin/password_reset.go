package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/sessions"
)

// Password reset by e-mail, before there is a session: the request form always gives the same
// answer, whether or not an account has the address; the link's page sets a new password, and a
// used or expired link is 410 Gone. The link carries its token in the query, which the access log
// leaves out (it logs the path), and the form sends it back in its body.
func (a *Admin) mountPasswordReset(r gin.IRouter) {
	r.GET("/password-reset", a.resetRequestPage)
	r.POST("/password-reset", a.checkLoginForm, a.requestReset)
	r.GET("/password-reset/new", a.resetPage)
	r.POST("/password-reset/new", a.checkLoginForm, a.resetPassword)
}

type resetRequestData struct {
	Email, Error, Token string
	Sent                bool
}

type resetData struct {
	Email, Error, Token, CSRF string
	Gone                      bool
}

func (a *Admin) resetRequestPage(c *gin.Context) {
	if !a.cfg.Sessions.ResetsByEmail() {
		a.fail(c, sessions.ErrResetsOff)
		return
	}
	a.renderStatus(c, http.StatusOK, "password_reset_request.html", "Forgot your password?",
		resetRequestData{Token: a.newLoginFormToken(c)})
}

func (a *Admin) requestReset(c *gin.Context) {
	email := strings.TrimSpace(c.PostForm("email"))
	err := a.cfg.Sessions.RequestPasswordReset(c.Request.Context(), email, c.ClientIP())
	switch {
	case errors.Is(err, sessions.ErrThrottled):
		c.Set(refusal.ReasonKey, "password reset requests throttled")
		c.Header("Retry-After", throttledRetryAfter)
		a.renderStatus(c, http.StatusTooManyRequests, "password_reset_request.html", "Forgot your password?",
			resetRequestData{Email: email, Token: a.newLoginFormToken(c),
				Error: "too many password reset requests: wait a quarter of an hour and try again"})
		return
	case err != nil:
		a.fail(c, err)
		return
	}
	a.setCookie(c, loginCookie, "", -1)
	a.renderStatus(c, http.StatusOK, "password_reset_request.html", "Forgot your password?", resetRequestData{Sent: true})
}

func (a *Admin) resetPage(c *gin.Context) {
	token := c.Query("token")
	account, err := a.cfg.Sessions.PasswordResetAccount(c.Request.Context(), token)
	if a.resetGone(c, err) {
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.renderStatus(c, http.StatusOK, "password_reset.html", "Choose a new password",
		resetData{Email: account.Email, Token: token, CSRF: a.newLoginFormToken(c)})
}

func (a *Admin) resetPassword(c *gin.Context) {
	token := c.PostForm("token")
	password := c.PostForm("new_password")
	problem := ""
	if password != c.PostForm("confirm_password") {
		problem = "the two new passwords differ"
	}
	var err error
	if problem == "" {
		err = a.cfg.Sessions.ResetPassword(c.Request.Context(), token, password)
		if a.resetGone(c, err) {
			return
		}
		if apperror.KindOf(err) == apperror.KindInvalid {
			problem = apperror.SafeMessage(err)
		} else if err != nil {
			a.fail(c, err)
			return
		}
	}
	if problem != "" {
		account, err := a.cfg.Sessions.PasswordResetAccount(c.Request.Context(), token)
		if a.resetGone(c, err) {
			return
		}
		if err != nil {
			a.fail(c, err)
			return
		}
		a.renderStatus(c, http.StatusBadRequest, "password_reset.html", "Choose a new password",
			resetData{Email: account.Email, Token: token, CSRF: a.newLoginFormToken(c), Error: problem})
		return
	}
	a.setCookie(c, loginCookie, "", -1)
	a.setCookie(c, sessionCookie, "", -1)
	a.done(c, "/admin/login", "Password changed: log in with your new password.")
}

// resetGone answers a used or expired link with 410 Gone and reports whether it did.
func (a *Admin) resetGone(c *gin.Context, err error) bool {
	if !errors.Is(err, sessions.ErrResetLinkGone) {
		return false
	}
	c.Set(refusal.ReasonKey, "password reset link used or expired")
	a.renderStatus(c, http.StatusGone, "password_reset.html", "Password reset link expired", resetData{Gone: true})
	return true
}
