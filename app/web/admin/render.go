package admin

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/refusal"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/admin.css
var stylesheet []byte

// pages holds one template set per page: the layout plus that page's "content".
type pages struct{ byName map[string]*template.Template }

var templateFuncs = template.FuncMap{
	"when":   when,
	"whenIn": whenIn,
	"list":   func(items ...any) []any { return items },
	"anchor": anchor,
	"short":  func(text string) string { return excerpt(text, 80) },
	"stateWords": func(state model.DraftState) string {
		return draftStateWords[state]
	},
	"groupNav": groupNav,
	// outreachNav links an organisation's calendar and campaigns (outreach_nav.go).
	"outreachNav": outreachNav,
	// trusted marks HTML Kring sanitised when it stored it (post content) as safe to show.
	"trusted": func(s string) template.HTML { return template.HTML(s) },
}

// when shows a moment in UTC as a <time> element whose date and time of day each stay on one line,
// so a narrow table column breaks between them and nowhere else; nothing for a nil time.
func when(t any) template.HTML {
	var at time.Time
	switch v := t.(type) {
	case time.Time:
		at = v
	case *time.Time:
		if v == nil {
			return ""
		}
		at = *v
	default:
		return ""
	}
	at = at.UTC()
	return template.HTML(`<time datetime="` + at.Format(time.RFC3339) + `"><span class="nowrap">` + at.Format("2006-01-02") +
		`</span> <span class="nowrap">` + at.Format("15:04") + ` UTC</span></time>`)
}

// draftStateWords name where a draft stands.
var draftStateWords = map[model.DraftState]string{model.DraftWriting: "draft", model.DraftInReview: "waiting for review",
	model.DraftScheduled: "scheduled", model.DraftPublished: "published"}

// anchor makes a heading's text an id: lowercase words joined by hyphens.
func anchor(title string) string {
	return strings.Join(strings.Fields(strings.ToLower(title)), "-")
}

// whenIn shows a moment in the IANA zone it was chosen in, naming the zone, as a <time> element;
// nothing for a nil time. An unknown zone shows UTC.
func whenIn(t *time.Time, zone string) template.HTML {
	if t == nil {
		return ""
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc, zone = time.UTC, "UTC"
	}
	at := t.In(loc)
	return template.HTML(`<time datetime="` + at.Format(time.RFC3339) + `"><span class="nowrap">` + at.Format("Mon 2 Jan 2006") +
		`</span> <span class="nowrap">` + at.Format("15:04 MST") + `</span> <span class="muted nowrap">(` + template.HTMLEscapeString(zone) + `)</span></time>`)
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range names {
		base := strings.TrimPrefix(name, "templates/")
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html", name)
		if err != nil {
			return nil, fmt.Errorf("parse admin page %s: %w", base, err)
		}
		p.byName[base] = t
	}
	return p, nil
}

// view is what every page gets: its own data, the title, who is logged in, the CSRF token for its
// forms, and a one-time notice from the previous action.
type view struct {
	Title    string
	Staff    string
	CSRF     string
	Notice   string
	SignedIn bool
	// Manager is true for staff who manage an organisation (or the instance): only they are shown
	// the links to domain blocks and staff, which a moderator would be refused.
	Manager       bool
	InstanceAdmin bool // runs the whole instance: creates organisations
	Data          any
	Status        int
	ErrorText     string
}

// render writes page with data, status 200 unless the view says otherwise.
func (a *Admin) render(c *gin.Context, page, title string, data any) {
	a.renderStatus(c, http.StatusOK, page, title, data)
}

func (a *Admin) renderStatus(c *gin.Context, status int, page, title string, data any) {
	t, ok := a.pages.byName[page]
	if !ok {
		a.fail(c, fmt.Errorf("no admin page %q", page))
		return
	}
	v := view{Title: title, Data: data, Status: status}
	if session := sessionOf(c); session.Account.ID != "" {
		v.SignedIn, v.Staff, v.CSRF = true, session.Account.Email, session.Row.CSRFToken
		p := principalOf(c)
		v.Manager, v.InstanceAdmin = p.ManagesAnyOrganisation(), p.InstanceAdmin()
		if session.Account.DisplayName != "" {
			v.Staff = session.Account.DisplayName
		}
	}
	v.Notice = a.takeNotice(c)
	var out bytes.Buffer
	if err := t.Execute(&out, v); err != nil {
		a.cfg.Logger.ErrorContext(c.Request.Context(), "render admin page", "page", page, "error", err)
		refusal.Respond(c, http.StatusInternalServerError, "internal error")
		return
	}
	c.Data(status, "text/html; charset=utf-8", out.Bytes())
}

// fail is the one place an error becomes an admin page: the status follows the error's kind, the
// page shows only the safe message, and internal causes go to the log.
func (a *Admin) fail(c *gin.Context, err error) {
	status := refusal.StatusFor(err)
	message := apperror.SafeMessage(err)
	if status >= 500 {
		a.cfg.Logger.ErrorContext(c.Request.Context(), "admin request failed", "path", c.Request.URL.Path, "error", err)
	} else {
		c.Set(refusal.ReasonKey, message)
	}
	a.renderStatus(c, status, "error.html", http.StatusText(status), message)
	c.Abort()
}

const noticeCookie = "kring_notice"

// done tells the next page what just happened and sends the browser there (POST, redirect, GET).
func (a *Admin) done(c *gin.Context, to, notice string) {
	a.setCookie(c, noticeCookie, encodeNotice(notice), 60)
	c.Redirect(http.StatusSeeOther, to)
}

func (a *Admin) takeNotice(c *gin.Context) string {
	raw, err := c.Cookie(noticeCookie)
	if err != nil || raw == "" {
		return ""
	}
	a.setCookie(c, noticeCookie, "", -1)
	return decodeNotice(raw)
}
